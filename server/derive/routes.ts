import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Database } from '../db/database.js';
import { actorOf } from '../areas/routes.js';
import { IdParam, errors } from '../schemas.js';
import { deriveArea, type DeriveRequest } from './service.js';

const DeriveBody = Type.Object(
  {
    method: Type.Union([Type.Literal('perimeter')], { description: 'how the polygon is built from field data' }),
    tolerance_m: Type.Optional(Type.Number({ minimum: 0, maximum: 1000 })),
    commit: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export async function deriveRoutes(app: FastifyInstance, { db }: { db: Database }) {
  app.post('/api/areas/:id/derive', {
    onRequest: app.requireRole('admin', 'mapper'),
    schema: {
      tags: ['derive'],
      summary: 'Derive an area polygon from field data: a preview, or a new version with commit=true',
      params: IdParam,
      body: DeriveBody,
      response: { 200: Type.Any(), ...errors(400, 401, 403, 404, 422) },
    },
  }, async (req) => {
    const { id } = req.params as { id: string };
    return deriveArea(db, id, req.body as DeriveRequest, actorOf(req));
  });
}
