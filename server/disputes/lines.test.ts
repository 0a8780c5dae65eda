import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { adminAuth, useTestApp } from '../../test/helpers/app.js';
import type { Database } from '../db/database.js';
import { landBetweenLines } from './store.js';
import { SANDBOX_KUMBAN } from '../../test/helpers/sandbox.js';

let app: FastifyInstance;
let db: Database;
useTestApp((t) => ({ app, db } = t));

const line = (...coordinates: number[][]) => ({ type: 'LineString' as const, coordinates });
const areaOf = async (polygonWkt: string) => Number((await db.pool.query(`SELECT ST_Area(ST_GeomFromText($1, 4326)::geography) AS m2`, [polygonWkt])).rows[0].m2);

async function village(code: string, x0: number, x1: number) {
  const res = await app.inject({
    method: 'POST', url: '/api/areas', headers: adminAuth(),
    payload: {
      level: 'ban', parent: SANDBOX_KUMBAN, code, name: `Ban ${code}`, status: 'surveyed',
      centre: { type: 'Point', coordinates: [(x0 + x1) / 2, 15.435] },
      geometry: { type: 'Polygon', coordinates: [[[x0, 15.43], [x1, 15.43], [x1, 15.44], [x0, 15.44], [x0, 15.43]]] },
    },
  });
  expect(res.statusCode, res.body).toBe(201);
}

describe('the land between two claimed lines', () => {
  it('is one lens when the lines part once, whichever way each was walked', async () => {
    const a = line([106.931, 15.43], [106.931, 15.44]);
    const b = line([106.93, 15.44], [106.929, 15.435], [106.93, 15.43]);
    const land = await landBetweenLines(db.pool, a, b);
    expect(land.geom?.coordinates).toHaveLength(1);
    const expected = await areaOf('POLYGON((106.931 15.43, 106.931 15.44, 106.93 15.44, 106.929 15.435, 106.93 15.43, 106.931 15.43))');
    expect(land.m2 / expected).toBeCloseTo(1, 6);
  });

  it('is two pieces when the lines cross once, and nothing when they are the same line', async () => {
    const land = await landBetweenLines(db.pool, line([106.95, 15.45], [106.95, 15.46]), line([106.949, 15.45], [106.951, 15.46]));
    expect(land.geom?.coordinates).toHaveLength(2);
    const expected = 2 * (await areaOf('POLYGON((106.95 15.45, 106.95 15.455, 106.949 15.45, 106.95 15.45))'));
    expect(land.m2 / expected).toBeCloseTo(1, 2);
    const same = await landBetweenLines(db.pool, line([106.95, 15.45], [106.95, 15.46]), line([106.95, 15.46], [106.95, 15.45]));
    expect(same.geom).toBeNull();
    expect(same.m2).toBe(0);
  });
});

describe('a dispute over a stretch of boundary line', () => {
  // LN-A and LN-B meet along 106.930 E. A's chief says the line is 110 m further east;
  // B's chief says it bulges 110 m west in the middle.
  const claimA = line([106.931, 15.43], [106.931, 15.44]);
  const claimB = line([106.93, 15.44], [106.929, 15.435], [106.93, 15.43]);
  let id: number;

  it('keeps both claimed lines and opens over the land between them', async () => {
    await village('LN-A', 106.92, 106.93);
    await village('LN-B', 106.93, 106.94);
    const res = await app.inject({
      method: 'POST', url: '/api/disputes', headers: adminAuth(),
      payload: { area_a: 'LN-A', area_b: 'LN-B', lines: { a: claimA, b: claimB }, note: { date: '2026-04-01', attendees: ['Nai Ban Somphone (LN-A)', 'Nai Ban Bounmy (LN-B)'], outcome: 'Each chief walked the line he claims.' } },
    });
    expect(res.statusCode, res.body).toBe(201);
    const d = res.json().dispute;
    id = d.id;
    expect(d.claimed_lines.a).toEqual(claimA);
    expect(d.claimed_lines.b).toEqual(claimB);
    expect(d.agreed_line).toBeNull();
    const expected = await areaOf('POLYGON((106.931 15.43, 106.931 15.44, 106.93 15.44, 106.929 15.435, 106.93 15.43, 106.931 15.43))');
    expect(d.area_m2 / expected).toBeCloseTo(1, 4);
    expect(d.geometry.type).toBe('MultiPolygon');
    for (const code of ['LN-A', 'LN-B']) expect((await app.inject(`/api/areas/${code}`)).json().area.status).toBe('disputed');
  });

  it('refuses claims that are the same line, a claim that is not a line, and lines with a drawn area', async () => {
    const same = await app.inject({ method: 'POST', url: '/api/disputes', headers: adminAuth(), payload: { area_a: 'LN-A', area_b: 'LN-B', lines: { a: claimA, b: line([106.931, 15.44], [106.931, 15.43]) } } });
    expect(same.statusCode).toBe(422);
    expect(same.json().message).toMatch(/enclose no land/);
    const polygon = await app.inject({ method: 'POST', url: '/api/disputes', headers: adminAuth(), payload: { area_a: 'LN-A', area_b: 'LN-B', lines: { a: claimA, b: { type: 'Point', coordinates: [106.93, 15.43] } } } });
    expect(polygon.statusCode).toBe(422);
    expect(polygon.json()).toMatchObject({ error: 'WRONG_GEOMETRY_TYPE' });
    expect(polygon.json().message).toMatch(/lines\.b/);
    const both = await app.inject({
      method: 'POST', url: '/api/disputes', headers: adminAuth(),
      payload: { area_a: 'LN-A', area_b: 'LN-B', lines: { a: claimA, b: claimB }, geometry: { type: 'Polygon', coordinates: [[[106.93, 15.43], [106.931, 15.43], [106.931, 15.44], [106.93, 15.43]]] } },
    });
    expect(both.statusCode).toBe(422);
  });

  it('logs the meetings, and will not take an agreed line without who accepted it', async () => {
    const meeting = await app.inject({
      method: 'PATCH', url: `/api/disputes/${id}`, headers: adminAuth(),
      payload: { status: 'negotiating', note: { date: '2026-04-08', attendees: ['Nai Ban Somphone', 'Nai Ban Bounmy', 'Kumban chief Vong'], outcome: 'Walked both lines together; no agreement yet.' } },
    });
    expect(meeting.statusCode).toBe(200);
    expect(meeting.json().dispute.notes.map((n: { date: string }) => n.date)).toEqual(['2026-04-01', '2026-04-08']);
    const unsigned = await app.inject({ method: 'PATCH', url: `/api/disputes/${id}`, headers: adminAuth(), payload: { agreed_line: line([106.9305, 15.43], [106.9305, 15.44]) } });
    expect(unsigned.statusCode).toBe(422);
    expect(unsigned.json().message).toMatch(/agreed_by/);
    const noLine = await app.inject({ method: 'PATCH', url: `/api/disputes/${id}`, headers: adminAuth(), payload: { status: 'resolved' } });
    expect(noLine.statusCode).toBe(422);
    expect(noLine.json().message).toMatch(/agreed line/);
  });

  it('is resolved by the agreed line, recorded with the heads and witnesses; both villages meet along it and are agreed', async () => {
    const agreed = line([106.9305, 15.43], [106.9302, 15.435], [106.9305, 15.44]);
    const res = await app.inject({
      method: 'PATCH', url: `/api/disputes/${id}`, headers: adminAuth(),
      payload: {
        status: 'resolved', agreed_line: agreed,
        agreed_by: { head_a: 'Nai Ban Somphone', head_b: 'Nai Ban Bounmy', witnesses: ['Kumban chief Vong', 'District land officer Kham'] },
        note: { date: '2026-04-15', attendees: ['Nai Ban Somphone', 'Nai Ban Bounmy', 'Kumban chief Vong', 'District land officer Kham'], outcome: 'Both accept the line along the old buffalo path.' },
      },
    });
    expect(res.statusCode, res.body).toBe(200);
    const d = res.json().dispute;
    expect(d.status).toBe('resolved');
    expect(d.agreed_line).toEqual(agreed);
    expect(d.agreed_by).toEqual({ head_a: 'Nai Ban Somphone', head_b: 'Nai Ban Bounmy', witnesses: ['Kumban chief Vong', 'District land officer Kham'], date: '2026-04-15' });
    expect(d.resolution).toMatchObject({ head_a: 'Nai Ban Somphone', head_b: 'Nai Ban Bounmy', agreed_line: agreed });
    expect(d.claimed_lines.a).toEqual(claimA);
    for (const code of ['LN-A', 'LN-B']) {
      const area = (await app.inject(`/api/areas/${code}`)).json().area;
      expect(area.status).toBe('agreed');
      expect(area.version).toBe(3); // created, disputed, agreed along the line
    }
    // The two villages now meet along the agreed line: A west of it, B east of it.
    const iou = async (code: string, wkt: string) => Number((await db.pool.query(
      `SELECT ST_Area(ST_Intersection(a.geom, e)::geography) / ST_Area(ST_Union(a.geom, e)::geography) AS iou
       FROM area a, ST_GeomFromText($2, 4326) e WHERE a.code = $1`, [code, wkt])).rows[0].iou);
    expect(await iou('LN-A', 'POLYGON((106.92 15.43, 106.9305 15.43, 106.9302 15.435, 106.9305 15.44, 106.92 15.44, 106.92 15.43))')).toBeGreaterThan(0.9999);
    expect(await iou('LN-B', 'POLYGON((106.9305 15.43, 106.94 15.43, 106.94 15.44, 106.9305 15.44, 106.9302 15.435, 106.9305 15.43))')).toBeGreaterThan(0.9999);
    const overlap = await db.pool.query(`SELECT ST_Area(ST_Intersection(a.geom, b.geom)::geography) AS m2 FROM area a, area b WHERE a.code = 'LN-A' AND b.code = 'LN-B'`);
    expect(Number(overlap.rows[0].m2)).toBeLessThan(1);
    const history = (await app.inject('/api/areas/LN-B/history')).json();
    expect(JSON.stringify(history)).toMatch(/boundary line agreed by Nai Ban Somphone and Nai Ban Bounmy/);
    const twice = await app.inject({ method: 'PATCH', url: `/api/disputes/${id}`, headers: adminAuth(), payload: { agreed_line: agreed, agreed_by: { head_a: 'X', head_b: 'Y' } } });
    expect(twice.statusCode).toBe(409);
  });

  it('has no line to agree on in a dispute over an area', async () => {
    const res = await app.inject({
      method: 'POST', url: '/api/disputes', headers: adminAuth(),
      payload: { area_a: 'LN-A', area_b: 'LN-B', geometry: { type: 'Polygon', coordinates: [[[106.929, 15.431], [106.931, 15.431], [106.931, 15.432], [106.929, 15.432], [106.929, 15.431]]] } },
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().dispute.claimed_lines).toBeNull();
    const patch = await app.inject({
      method: 'PATCH', url: `/api/disputes/${res.json().dispute.id}`, headers: adminAuth(),
      payload: { agreed_line: line([106.93, 15.43], [106.93, 15.44]), agreed_by: { head_a: 'A', head_b: 'B' } },
    });
    expect(patch.statusCode).toBe(422);
    expect(patch.json().message).toMatch(/not a boundary line/);
  });
});
