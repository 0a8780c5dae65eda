import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Database } from '../db/database.js';
import { actorOf } from '../areas/routes.js';
import { IdParam, errors } from '../schemas.js';
import { DERIVE_METHODS, deriveArea, type DeriveRequest } from './service.js';

const DeriveBody = Type.Object(
  {
    method: Type.Union(DERIVE_METHODS.map((m) => Type.Literal(m)), {
      description:
        'how polygons are built from field data: perimeter or markers on a village (or every village of a kumban); ' +
        'segments, voronoi or dissolve on a kumban or above (all its villages at once)',
    }),
    tolerance_m: Type.Optional(Type.Number({ minimum: 0, maximum: 1000, description: 'snapping distance in metres (default 30)' })),
    commit: Type.Optional(Type.Boolean({ description: 'write new versions; without it the answer is a preview' })),
  },
  { additionalProperties: false },
);

export async function deriveRoutes(app: FastifyInstance, { db }: { db: Database }) {
  app.post('/api/areas/:id/derive', {
    onRequest: app.requireRole('admin', 'mapper'),
    schema: {
      tags: ['derive'],
      summary: 'Derive polygons from field data: a preview, or new versions with commit=true (see docs/derive.md)',
      params: IdParam,
      body: DeriveBody,
      response: { 200: Type.Any(), ...errors(400, 401, 403, 404, 422) },
    },
  }, async (req) => {
    const { id } = req.params as { id: string };
    return deriveArea(db, id, req.body as DeriveRequest, actorOf(req));
  });
}
