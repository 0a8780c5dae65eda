import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../db/database.js';
import { withTransaction } from '../db/database.js';
import { UserError } from '../errors.js';
import { toMultiPolygon, toPoint } from '../geo/geojson.js';
import { IdParam, errors } from '../schemas.js';
import { AreaSchema, CreateBody, ListQuery, PatchBody, RestoreBody } from './schemas.js';
import * as store from './store.js';

/** The version a client says it has seen: `If-Match: 3`, `"3"` or `W/"3"`. */
export function ifMatchVersion(req: FastifyRequest): number {
  const raw = req.headers['if-match'];
  if (raw === undefined) {
    throw new UserError('PRECONDITION_REQUIRED', 'Send If-Match: <version> with the version of the area you are changing.');
  }
  const m = /^(?:W\/)?"?(\d+)"?$/.exec(String(raw).trim());
  if (!m) throw new UserError('BAD_REQUEST', `If-Match must be an area version number, got '${raw}'.`);
  return Number(m[1]);
}

function sendArea(reply: FastifyReply, area: store.Area, status = 200) {
  return reply.code(status).header('etag', `"${area.version}"`).send({ area });
}

export function actorOf(req: FastifyRequest): string | null {
  return req.principal ? `${req.principal.name}#${req.principal.tokenId}` : null;
}

export async function areaRoutes(app: FastifyInstance, { db }: { db: Database }) {
  app.addSchema(AreaSchema);

  app.get('/api/levels', {
    schema: {
      tags: ['areas'],
      summary: 'Administrative levels, top first',
      response: { 200: Type.Object({ levels: Type.Array(Type.Object({ key: Type.String(), rank: Type.Integer(), label: Type.String(), label_local: Type.Union([Type.String(), Type.Null()]) })) }) },
    },
  }, async () => ({ levels: await store.listLevels(db.pool) }));

  app.get('/api/areas', {
    schema: {
      tags: ['areas'],
      summary: 'List areas by level, parent, status or name',
      querystring: ListQuery,
      response: { 200: Type.Object({ areas: Type.Array(Type.Ref('Area')) }), ...errors(400, 404) },
    },
  }, async (req) => {
    const q = req.query as { level?: string; parent?: string; q?: string; status?: string; limit?: number };
    return { areas: await store.listAreas(db.pool, q) };
  });

  app.get('/api/areas.geojson', {
    schema: {
      tags: ['areas'],
      summary: 'Areas with their geometry as a GeoJSON FeatureCollection',
      querystring: Type.Object({ level: Type.Optional(Type.String({ maxLength: 32 })), parent: Type.Optional(Type.String({ maxLength: 64 })) }, { additionalProperties: false }),
    },
  }, async (req, reply) => {
    const q = req.query as { level?: string; parent?: string };
    reply.type('application/geo+json');
    return store.areasCollection(db.pool, q);
  });

  // `:id` may end in `.geojson` for the area as a GeoJSON Feature with its geometry.
  app.get('/api/areas/:id', {
    schema: {
      tags: ['areas'],
      summary: 'One area (JSON), or `/api/areas/:id.geojson` for a Feature with geometry',
      params: IdParam,
      response: { 200: Type.Any(), ...errors(404) },
    },
  }, async (req, reply) => {
    const { id } = req.params as { id: string };
    if (id.endsWith('.geojson')) {
      reply.type('application/geo+json');
      return store.areaFeature(db.pool, id.slice(0, -'.geojson'.length));
    }
    return sendArea(reply, await store.requireArea(db.pool, id));
  });

  app.post('/api/areas', {
    onRequest: app.requireRole('admin', 'mapper'),
    schema: {
      tags: ['areas'],
      summary: 'Create an area',
      body: CreateBody,
      response: { 201: Type.Object({ area: Type.Ref('Area') }), ...errors(400, 401, 403, 409, 422) },
    },
  }, async (req, reply) => {
    const body = req.body as typeof CreateBody.static;
    const input: store.NewArea = {
      ...body,
      centre: toPoint(body.centre),
      geometry: body.geometry ? toMultiPolygon(body.geometry) : null,
      status: body.status as store.AreaStatus | undefined,
    };
    const area = await withTransaction(db.pool, (c) => store.createArea(c, input, actorOf(req)));
    return sendArea(reply, area, 201);
  });

  app.patch('/api/areas/:id', {
    onRequest: app.requireRole('admin', 'mapper'),
    schema: {
      tags: ['areas'],
      summary: 'Change an area; If-Match: <version> is required (412 when stale)',
      params: IdParam,
      headers: Type.Object({ 'if-match': Type.Optional(Type.String()) }),
      body: PatchBody,
      response: { 200: Type.Object({ area: Type.Ref('Area') }), ...errors(400, 401, 403, 404, 412, 422, 428) },
    },
  }, async (req, reply) => {
    const { id } = req.params as { id: string };
    const expected = ifMatchVersion(req);
    const { reason, ...body } = req.body as typeof PatchBody.static;
    const patch: store.AreaPatch = {
      ...body,
      status: body.status as store.AreaStatus | undefined,
      centre: body.centre === undefined ? undefined : toPoint(body.centre),
      geometry: body.geometry === undefined ? undefined : body.geometry === null ? null : toMultiPolygon(body.geometry),
    };
    const area = await withTransaction(db.pool, async (c) => {
      const current = await store.lockForUpdate(c, id, expected);
      return store.updateArea(c, current, patch, { actor: actorOf(req), reason: reason ?? 'edited' });
    });
    return sendArea(reply, area);
  });

  app.get('/api/areas/:id/history', {
    schema: {
      tags: ['areas'],
      summary: 'Every version of an area, newest first',
      params: IdParam,
      response: { 200: Type.Object({ area: Type.Ref('Area'), versions: Type.Array(Type.Any()) }), ...errors(404) },
    },
  }, async (req) => {
    const area = await store.requireArea(db.pool, (req.params as { id: string }).id);
    return { area, versions: await store.history(db.pool, area.id) };
  });

  app.get('/api/areas/:id/versions/:version.geojson', {
    schema: {
      tags: ['areas'],
      summary: 'The geometry of one version of an area, to compare with another',
      params: Type.Object({ id: Type.String({ maxLength: 64 }), version: Type.Integer({ minimum: 1 }) }),
    },
  }, async (req, reply) => {
    const { id, version } = req.params as { id: string; version: number };
    const area = await store.requireArea(db.pool, id);
    const geometry = await store.versionGeometry(db.pool, area.id, version);
    if (geometry === undefined) throw new UserError('NOT_FOUND', `Area ${area.code} has no version ${version}.`);
    reply.type('application/geo+json');
    return { type: 'Feature', geometry, properties: { code: area.code, version } };
  });

  app.post('/api/areas/:id/restore', {
    onRequest: app.requireRole('admin', 'mapper'),
    schema: {
      tags: ['areas'],
      summary: 'Restore an earlier version as a new version',
      params: IdParam,
      body: RestoreBody,
      response: { 200: Type.Object({ area: Type.Ref('Area') }), ...errors(400, 401, 403, 404, 412) },
    },
  }, async (req, reply) => {
    const { id } = req.params as { id: string };
    const expected = req.headers['if-match'] === undefined ? null : ifMatchVersion(req);
    const { version } = req.body as { version: number };
    const area = await withTransaction(db.pool, async (c) => {
      const current = await store.lockForUpdate(c, id, expected);
      return store.restoreVersion(c, current, version, actorOf(req));
    });
    return sendArea(reply, area);
  });
}
