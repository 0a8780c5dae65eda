import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Database } from '../db/database.js';
import { UserError } from '../errors.js';
import { actorOf } from '../areas/routes.js';
import { requireArea } from '../areas/store.js';
import { toMultiPolygon } from '../geo/geojson.js';
import { GeoJsonGeometry, errors } from '../schemas.js';
import { toLineString } from './lines.js';
import { changeDispute, openDispute } from './service.js';
import { DISPUTE_STATUSES, getDispute, listDisputes, type DisputeStatus } from './store.js';

const Note = Type.Object(
  {
    date: Type.String({ format: 'date' }),
    attendees: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 50 })),
    outcome: Type.String({ minLength: 1, maxLength: 4000 }),
  },
  { additionalProperties: false },
);
const Status = Type.Union(DISPUTE_STATUSES.map((s) => Type.Literal(s)));
const Line = Type.Object(
  { type: Type.String(), coordinates: Type.Any() },
  { additionalProperties: true, description: 'GeoJSON LineString, lon/lat in WGS84' },
);
const Person = Type.String({ minLength: 1, maxLength: 200 });

export async function disputeRoutes(app: FastifyInstance, { db }: { db: Database }) {
  app.get('/api/disputes', {
    schema: {
      tags: ['disputes'],
      summary: 'Disputes, by area and status',
      querystring: Type.Object({ area: Type.Optional(Type.String({ maxLength: 64 })), status: Type.Optional(Status) }, { additionalProperties: false }),
      response: { 200: Type.Any(), ...errors(400, 404) },
    },
  }, async (req) => {
    const q = req.query as { area?: string; status?: string };
    const areaId = q.area ? (await requireArea(db.pool, q.area)).id : undefined;
    return { disputes: await listDisputes(db.pool, { areaId, status: q.status }) };
  });

  app.get('/api/disputes/:id', {
    schema: { tags: ['disputes'], summary: 'One dispute with its log', params: Type.Object({ id: Type.Integer({ minimum: 1 }) }), response: { 200: Type.Any(), ...errors(404) } },
  }, async (req) => {
    const dispute = await getDispute(db.pool, (req.params as { id: number }).id);
    if (!dispute) throw new UserError('NOT_FOUND', 'No such dispute.');
    return { dispute };
  });

  app.post('/api/disputes', {
    onRequest: app.requireRole('admin', 'mapper'),
    schema: {
      tags: ['disputes'],
      summary: 'Open a dispute between two areas over their overlap or a drawn contested area',
      body: Type.Object(
        {
          area_a: Type.String({ maxLength: 64 }),
          area_b: Type.String({ maxLength: 64 }),
          geometry: Type.Optional(GeoJsonGeometry),
          lines: Type.Optional(Type.Object({ a: Line, b: Line }, { additionalProperties: false, description: 'a dispute over a stretch of boundary: the line area_a claims (a) and the line area_b claims (b)' })),
          note: Type.Optional(Note),
        },
        { additionalProperties: false },
      ),
      response: { 201: Type.Any(), ...errors(400, 401, 403, 404, 422) },
    },
  }, async (req, reply) => {
    const body = req.body as { area_a: string; area_b: string; geometry?: unknown; lines?: { a: unknown; b: unknown }; note?: { date: string; attendees?: string[]; outcome: string } };
    const lines = body.lines ? { a: toLineString(body.lines.a, 'lines.a'), b: toLineString(body.lines.b, 'lines.b') } : null;
    const dispute = await openDispute(db, { ...body, geometry: body.geometry ? toMultiPolygon(body.geometry) : null, lines }, actorOf(req));
    return reply.code(201).send({ dispute });
  });

  app.patch('/api/disputes/:id', {
    onRequest: app.requireRole('admin', 'mapper'),
    schema: {
      tags: ['disputes'],
      summary: 'Log a meeting, move the status on, record the agreed line of a boundary dispute, or resolve',
      params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
      body: Type.Object(
        {
          status: Type.Optional(Status),
          note: Type.Optional(Note),
          assign_to: Type.Optional(Type.String({ maxLength: 64 })),
          agreed_line: Type.Optional(Line),
          agreed_by: Type.Optional(Type.Object(
            { head_a: Person, head_b: Person, witnesses: Type.Optional(Type.Array(Person, { maxItems: 50 })) },
            { additionalProperties: false, description: 'the heads of area_a and area_b who accepted the line, and the witnesses' },
          )),
        },
        { additionalProperties: false, minProperties: 1 },
      ),
      response: { 200: Type.Any(), ...errors(400, 401, 403, 404, 409, 422) },
    },
  }, async (req) => {
    const body = req.body as { status?: DisputeStatus; note?: { date: string; attendees?: string[]; outcome: string }; assign_to?: string; agreed_line?: unknown; agreed_by?: { head_a: string; head_b: string; witnesses?: string[] } };
    const agreed_line = body.agreed_line === undefined ? undefined : toLineString(body.agreed_line, 'agreed_line');
    return { dispute: await changeDispute(db, (req.params as { id: number }).id, { ...body, agreed_line }, actorOf(req)) };
  });
}
