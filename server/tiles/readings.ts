import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Database } from '../db/database.js';
import { requireArea } from '../areas/store.js';
import { UserError } from '../errors.js';
import { errors } from '../schemas.js';
import { readingsCollection, trackExists } from './store.js';

const ReadingsQuery = Type.Object(
  {
    track: Type.Optional(Type.Integer({ minimum: 1, description: 'one track id' })),
    area: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'every track of an area (id or code)' })),
    kept: Type.Optional(Type.Boolean({ description: 'false: only dropped readings; true: only kept ones' })),
    limit: Type.Integer({ minimum: 1, maximum: 100_000, default: 20_000 }),
  },
  { additionalProperties: false },
);

/** `GET /api/readings.geojson`: GPS fixes as points, dropped ones with the reason they were dropped. */
export async function readingRoutes(app: FastifyInstance, { db }: { db: Database }) {
  app.get('/api/readings.geojson', {
    schema: {
      tags: ['uploads'],
      summary: 'GPS readings of a track or of an area\'s tracks, kept and dropped (with the reason)',
      querystring: ReadingsQuery,
      response: { 200: Type.Any(), ...errors(400, 404) },
    },
  }, async (req, reply) => {
    const q = req.query as typeof ReadingsQuery.static;
    if (q.track === undefined && q.area === undefined) {
      throw new UserError('INVALID_REQUEST', 'Name the readings to list: track=<id> or area=<code>.', [{ path: 'querystring' }]);
    }
    if (q.track !== undefined && !(await trackExists(db.pool, q.track))) {
      throw new UserError('NOT_FOUND', `No track with id ${q.track}.`);
    }
    const areaId = q.area === undefined ? null : (await requireArea(db.pool, q.area)).id;
    reply.type('application/geo+json');
    return readingsCollection(db.pool, { trackId: q.track ?? null, areaId, kept: q.kept ?? null, limit: q.limit });
  });
}
