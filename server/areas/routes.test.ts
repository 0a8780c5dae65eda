import { describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { adminAuth, useTestApp } from '../../test/helpers/app.js';
import type { Database } from '../db/database.js';
import { SANDBOX_KUMBAN } from '../../test/helpers/sandbox.js';

let app: FastifyInstance;
let db: Database;
useTestApp((t) => ({ app, db } = t));

// A 1 km square in Sekong, at 15.4 N (about 1,072 m east-west by 1,106 m north-south).
const square = (x0: number, y0: number, d = 0.01) => ({
  type: 'Polygon',
  coordinates: [[[x0, y0], [x0 + d, y0], [x0 + d, y0 + d], [x0, y0 + d], [x0, y0]]],
});

async function createVillage(code: string, extra: Record<string, unknown> = {}) {
  return app.inject({
    method: 'POST',
    url: '/api/areas',
    headers: adminAuth(),
    payload: {
      level: 'ban', parent: SANDBOX_KUMBAN, code, name: `Ban Test ${code}`, name_local: 'ບ້ານທົດລອງ',
      centre: { type: 'Point', coordinates: [106.705, 15.405] }, ...extra,
    },
  });
}

describe('health and levels', () => {
  it('reports the database kind and the PostGIS version', async () => {
    const res = await app.inject('/healthz');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.status).toBe('ok');
    expect(['embedded', 'server']).toContain(body.database);
    expect(body.postgis).toMatch(/^3\.\d+\.\d+/);
  });

  it('lists the levels top first', async () => {
    const res = await app.inject('/api/levels');
    expect(res.json().levels.map((l: { key: string }) => l.key)).toEqual(['province', 'district', 'kumban', 'ban']);
  });
});

describe('reading areas', () => {
  it('lists the demo districts of Sekong', async () => {
    const res = await app.inject('/api/areas?level=district&parent=SK');
    expect(res.statusCode).toBe(200);
    const names = res.json().areas.map((a: { name: string }) => a.name);
    expect(names).toHaveLength(4);
    expect(names.join(' ')).toMatch(/Thateng/);
  });

  it('finds an area by its Lao name', async () => {
    const res = await app.inject(`/api/areas?q=${encodeURIComponent('ທ່າແຕງ')}`);
    expect(res.json().areas.some((a: { level: string }) => a.level === 'district')).toBe(true);
  });

  it('treats a quote in the search as text, not SQL', async () => {
    const res = await app.inject(`/api/areas?q=${encodeURIComponent("x' OR '1'='1")}`);
    expect(res.statusCode).toBe(200);
    expect(res.json().areas).toEqual([]);
  });

  it('serves one area by code and by id, as JSON and as GeoJSON', async () => {
    const byCode = await app.inject('/api/areas/SK-01');
    expect(byCode.statusCode).toBe(200);
    const area = byCode.json().area;
    expect(byCode.headers.etag).toBe(`"${area.version}"`);
    const byId = await app.inject(`/api/areas/${area.id}`);
    expect(byId.json().area.code).toBe('SK-01');
    const feature = await app.inject('/api/areas/SK-01.geojson');
    expect(feature.headers['content-type']).toMatch(/geo\+json/);
    expect(feature.json().geometry.type).toBe('MultiPolygon');
    // The stored area agrees with a fresh geodesic measurement of the served geometry.
    const { rows } = await db.pool.query('SELECT ST_Area(ST_GeomFromGeoJSON($1)::geography) AS m2', [JSON.stringify(feature.json().geometry)]);
    expect(area.area_m2).toBeCloseTo(rows[0].m2, -3);
  });

  it('answers an unknown area with 404 in the contract shape', async () => {
    const res = await app.inject('/api/areas/NOPE-404');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: 'NOT_FOUND', message: expect.stringContaining('NOPE-404'), details: [] });
  });
});

describe('writing areas', () => {
  it('refuses a write without a token, before reading the body', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/areas', payload: { level: 'ban' } });
    expect(res.statusCode).toBe(401);
    expect(res.json().error).toBe('UNAUTHENTICATED');
    const bad = await app.inject({ method: 'POST', url: '/api/areas', headers: { authorization: 'Bearer nope' }, payload: {} });
    expect(bad.statusCode).toBe(401);
    expect(bad.json().error).toBe('TOKEN_INVALID');
  });

  it('creates a village with geometry and measures it', async () => {
    const res = await createVillage('T-CREATE-1', { geometry: square(106.7, 15.4), population: 420, households: 76 });
    expect(res.statusCode).toBe(201);
    const area = res.json().area;
    expect(area).toMatchObject({ code: 'T-CREATE-1', level: 'ban', parent_code: SANDBOX_KUMBAN, status: 'planned', version: 1, population: 420 });
    // 0.01 deg square at 15.4 N: 1,073 m x 1,106 m = 118.7 ha, within 0.5 %.
    expect(area.area_m2 / 10_000).toBeGreaterThan(118.0);
    expect(area.area_m2 / 10_000).toBeLessThan(119.4);
    const { rows } = await db.pool.query('SELECT count(*)::int AS n FROM area_version WHERE area_id = $1', [area.id]);
    expect(rows[0].n).toBe(1);
  });

  it('refuses a duplicate code with 409', async () => {
    await createVillage('T-DUP');
    const again = await createVillage('T-DUP');
    expect(again.statusCode).toBe(409);
    expect(again.json().error).toBe('CODE_TAKEN');
  });

  it('refuses a parent that is not one level up', async () => {
    const res = await app.inject({
      method: 'POST', url: '/api/areas', headers: adminAuth(),
      payload: { level: 'ban', parent: 'SK-01', code: 'T-WRONG-PARENT', name: 'Ban X', centre: { type: 'Point', coordinates: [106.7, 15.4] } },
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().error).toBe('WRONG_PARENT');
    const unknownLevel = await app.inject({
      method: 'POST', url: '/api/areas', headers: adminAuth(),
      payload: { level: 'hamlet', parent: SANDBOX_KUMBAN, code: 'T-WRONG-LEVEL', name: 'Ban X', centre: { type: 'Point', coordinates: [106.7, 15.4] } },
    });
    expect(unknownLevel.statusCode).toBe(422);
    expect(unknownLevel.json().error).toBe('WRONG_LEVEL');
  });

  it('refuses invalid JSON, unknown fields and bad geometry with 4xx', async () => {
    const malformed = await app.inject({
      method: 'POST', url: '/api/areas', headers: { ...adminAuth(), 'content-type': 'application/json' }, payload: '{"level": "ban",',
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error).toBe('JSON_MALFORMED');

    const unknownField = await createVillage('T-UNKNOWN', { district_id: 17 });
    expect(unknownField.statusCode).toBe(400);
    expect(unknownField.json().error).toBe('INVALID_REQUEST');
    expect(unknownField.json().message).toMatch(/additional properties/);

    const bowTie = await createVillage('T-BOWTIE', {
      geometry: { type: 'Polygon', coordinates: [[[106.7, 15.4], [106.7, 15.41], [106.71, 15.4], [106.71, 15.41], [106.7, 15.4]]] },
    });
    expect(bowTie.statusCode).toBe(422);
    expect(bowTie.json().error).toBe('GEOMETRY_INVALID');
    expect(bowTie.json().message).toMatch(/Self-intersection/);

    const swapped = await createVillage('T-SWAPPED', { centre: { type: 'Point', coordinates: [15.4, 106.7] } });
    expect(swapped.statusCode).toBe(422);
    expect(swapped.json().error).toBe('COORDINATE_OUT_OF_RANGE');

    const stringCoords = await createVillage('T-STRINGS', { centre: { type: 'Point', coordinates: ['106.7', '15.4'] } });
    expect(stringCoords.statusCode).toBe(422);

    const { rows } = await db.pool.query("SELECT count(*)::int AS n FROM area WHERE code LIKE 'T-%' AND code IN ('T-UNKNOWN','T-BOWTIE','T-SWAPPED','T-STRINGS')");
    expect(rows[0].n).toBe(0);
  });

  it('patches with If-Match, refuses a stale version with 412 and the current area', async () => {
    const created = (await createVillage('T-PATCH')).json().area;
    const noMatch = await app.inject({ method: 'PATCH', url: '/api/areas/T-PATCH', headers: adminAuth(), payload: { status: 'surveyed' } });
    expect(noMatch.statusCode).toBe(428);

    const ok = await app.inject({
      method: 'PATCH', url: '/api/areas/T-PATCH', headers: { ...adminAuth(), 'if-match': `"${created.version}"` },
      payload: { status: 'surveyed', geometry: square(106.72, 15.42), reason: 'walked with both chiefs' },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().area).toMatchObject({ status: 'surveyed', version: 2 });
    expect(ok.json().area.area_m2).toBeGreaterThan(1_180_000);

    const stale = await app.inject({
      method: 'PATCH', url: '/api/areas/T-PATCH', headers: { ...adminAuth(), 'if-match': '1' }, payload: { status: 'agreed' },
    });
    expect(stale.statusCode).toBe(412);
    expect(stale.json().error).toBe('STALE_VERSION');
    expect(stale.json().details[0].current.version).toBe(2);
    expect((await app.inject('/api/areas/T-PATCH')).json().area.status).toBe('surveyed');
  });

  it('keeps every version, and restores an old one as a new version', async () => {
    await createVillage('T-HIST', { geometry: square(106.74, 15.44) });
    const v2 = await app.inject({
      method: 'PATCH', url: '/api/areas/T-HIST', headers: { ...adminAuth(), 'if-match': '1' },
      payload: { geometry: square(106.74, 15.44, 0.02) },
    });
    expect(v2.json().area.version).toBe(2);
    const history = (await app.inject('/api/areas/T-HIST/history')).json();
    expect(history.versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    const old = await app.inject('/api/areas/T-HIST/versions/1.geojson');
    expect(old.json().geometry.coordinates[0][0]).toHaveLength(5);

    const restored = await app.inject({ method: 'POST', url: '/api/areas/T-HIST/restore', headers: adminAuth(), payload: { version: 1 } });
    expect(restored.statusCode).toBe(200);
    const area = restored.json().area;
    expect(area.version).toBe(3);
    expect(area.area_m2 / 10_000).toBeLessThan(119.4);
    const missing = await app.inject({ method: 'POST', url: '/api/areas/T-HIST/restore', headers: adminAuth(), payload: { version: 99 } });
    expect(missing.statusCode).toBe(404);
  });

  it('serves the OpenAPI document', async () => {
    const res = await app.inject('/docs/json');
    expect(res.statusCode).toBe(200);
    expect(Object.keys(res.json().paths)).toEqual(expect.arrayContaining(['/api/areas', '/api/areas/{id}', '/api/uploads', '/api/areas/{id}/derive']));
  });
});
