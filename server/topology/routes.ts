import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Database } from '../db/database.js';
import { withTransaction } from '../db/database.js';
import { actorOf } from '../areas/routes.js';
import { requireArea } from '../areas/store.js';
import { openOverlapDisputes } from '../disputes/overlaps.js';
import { errors } from '../schemas.js';
import { TOPOLOGY_DEFAULTS, reportFeatures, topologyReport } from './report.js';

const Parent = Type.String({ minLength: 1, maxLength: 64, description: 'the parent area: numeric id or code' });
const MinM2 = Type.Number({ minimum: 0, maximum: 1e9, description: 'smallest piece reported, m²' });

/** Overlap pairs smaller than this do not open a dispute: GPS scatter along a shared line, not a claim. */
const DISPUTE_MIN_M2 = 100;

export async function topologyRoutes(app: FastifyInstance, { db }: { db: Database }) {
  app.get('/api/topology', {
    schema: {
      tags: ['topology'],
      summary: 'Where the children of an area do not tile it: overlaps, gaps, slivers, children outside it, invalid geometries',
      querystring: Type.Object(
        {
          parent: Parent,
          min_m2: Type.Optional({ ...MinM2, default: TOPOLOGY_DEFAULTS.minM2 }),
          sliver_width_m: Type.Optional(Type.Number({ minimum: 0, maximum: 1000, default: TOPOLOGY_DEFAULTS.sliverWidthM, description: 'overlaps and gaps thinner than this (mean width) are slivers' })),
          format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('geojson')], { default: 'json', description: 'geojson: a FeatureCollection, properties.kind = overlap|gap|sliver|outside|invalid' })),
        },
        { additionalProperties: false },
      ),
      response: { 200: Type.Any(), ...errors(400, 404) },
    },
  }, async (req, reply) => {
    const q = req.query as { parent: string; min_m2?: number; sliver_width_m?: number; format?: 'json' | 'geojson' };
    const report = await topologyReport(db.pool, q.parent, { minM2: q.min_m2, sliverWidthM: q.sliver_width_m });
    if (q.format === 'geojson') return reply.type('application/geo+json').send(reportFeatures(report));
    return report;
  });

  app.post('/api/topology/disputes', {
    onRequest: app.requireRole('admin', 'mapper'),
    schema: {
      tags: ['topology', 'disputes'],
      summary: 'Open a dispute for every overlap between children of an area that has none open yet (idempotent)',
      querystring: Type.Object({ parent: Parent, min_m2: Type.Optional({ ...MinM2, default: DISPUTE_MIN_M2 }) }, { additionalProperties: false }),
      response: { 200: Type.Any(), ...errors(400, 401, 403, 404) },
    },
  }, async (req) => {
    const q = req.query as { parent: string; min_m2?: number };
    const parent = await requireArea(db.pool, q.parent);
    const result = await withTransaction(db.pool, (client) => openOverlapDisputes(client, parent.id, { minM2: q.min_m2 ?? DISPUTE_MIN_M2 }, actorOf(req)));
    return { parent: parent.code, min_m2: q.min_m2 ?? DISPUTE_MIN_M2, ...result };
  });
}
