import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Database } from '../db/database.js';
import { requireArea } from '../areas/store.js';
import { errors } from '../schemas.js';
import { tracksCollection } from './store.js';

export async function trackRoutes(app: FastifyInstance, { db }: { db: Database }) {
  app.get('/api/tracks.geojson', {
    schema: {
      tags: ['uploads'],
      summary: 'GPS tracks (lines of kept readings) of an area, as GeoJSON',
      querystring: Type.Object({ area: Type.Optional(Type.String({ maxLength: 64 })) }, { additionalProperties: false }),
      response: { 200: Type.Any(), ...errors(404) },
    },
  }, async (req, reply) => {
    const { area } = req.query as { area?: string };
    const areaId = area ? (await requireArea(db.pool, area)).id : null;
    reply.type('application/geo+json');
    return tracksCollection(db.pool, areaId);
  });
}
