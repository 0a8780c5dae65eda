import type { Position } from 'geojson';
import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { adminAuth, useTestApp } from '../../test/helpers/app.js';
import type { Database } from '../db/database.js';
import { perimeterPolygon } from '../derive/perimeter.js';
import { openOverlapDisputes } from '../disputes/overlaps.js';
import { topologyReport } from './report.js';

let app: FastifyInstance;
let db: Database;
useTestApp((t) => ({ app, db } = t));

const rect = (x0: number, x1: number, y0 = 14.0, y1 = 14.01) => ({ type: 'Polygon', coordinates: [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]] });
const m2 = async (sql: string, params: unknown[]) => Number((await db.pool.query(sql, params)).rows[0].m2);

async function create(payload: Record<string, unknown>) {
  const res = await app.inject({ method: 'POST', url: '/api/areas', headers: adminAuth(), payload });
  expect(res.statusCode, res.body).toBe(201);
}

describe('GET /api/topology on a hand-made kumban', () => {
  // Kumban TOPO-K: 0.03° x 0.01° (3.2 km x 1.1 km at 14° N). TV-1 and TV-2 overlap by a 0.001°
  // strip; TV-2 and TV-3 leave a 0.0005° gap where unmapped TV-6 has its houses; TV-3 runs
  // 0.001° east of the kumban; TV-1 stops 0.00001° (1.1 m) short of the kumban's south edge.
  const villages: [string, ReturnType<typeof rect> | null, Position][] = [
    ['TV-1', rect(105.0, 105.011, 14.00001), [105.005, 14.005]],
    ['TV-2', rect(105.01, 105.02), [105.015, 14.005]],
    ['TV-3', rect(105.0205, 105.031), [105.025, 14.005]],
    ['TV-6', null, [105.02025, 14.005]],
  ];

  it('sets up the kumban and its villages', async () => {
    await create({ level: 'kumban', parent: 'SK-04', code: 'TOPO-K', name: 'Kumban Topo', centre: { type: 'Point', coordinates: [105.015, 14.005] }, geometry: rect(105.0, 105.03) });
    for (const [code, geometry, centre] of villages) {
      await create({ level: 'ban', parent: 'TOPO-K', code, name: `Ban ${code}`, centre: { type: 'Point', coordinates: centre }, ...(geometry ? { geometry } : {}) });
    }
  });

  it('reports the overlap, the gap with the unmapped village in it, the sliver, the part outside and the missing polygon', async () => {
    const res = await app.inject('/api/topology?parent=TOPO-K');
    expect(res.statusCode, res.body).toBe(200);
    const r = res.json();
    expect(r.parent).toMatchObject({ code: 'TOPO-K', level: 'kumban', has_geometry: true });
    expect(r.children).toEqual({ total: 4, with_geometry: 3 });

    expect(r.overlaps).toHaveLength(1);
    expect(r.overlaps[0].areas).toEqual(['TV-1', 'TV-2']);
    const overlapM2 = await m2(`SELECT ST_Area(ST_Intersection(a.geom, b.geom)::geography) AS m2 FROM area a, area b WHERE a.code = 'TV-1' AND b.code = 'TV-2'`, []);
    expect(r.overlaps[0].area_m2).toBeCloseTo(overlapM2, 0);
    expect(r.overlaps[0].area_m2 / 1e4).toBeGreaterThan(11.5); // 108 m x 1,106 m
    expect(r.overlaps[0].area_m2 / 1e4).toBeLessThan(12.3);
    expect(r.overlaps[0].geometry.type).toBe('Polygon');

    expect(r.gaps).toHaveLength(1);
    expect(r.gaps[0].centres_of).toEqual(['TV-6']);
    expect(r.gaps[0].area_m2 / 1e4).toBeGreaterThan(5.7); // 54 m x 1,106 m
    expect(r.gaps[0].area_m2 / 1e4).toBeLessThan(6.2);
    expect(r.gaps[0].width_m).toBeGreaterThan(40);

    expect(r.slivers).toHaveLength(1);
    expect(r.slivers[0]).toMatchObject({ of: 'gap' });
    expect(r.slivers[0].width_m).toBeLessThan(1.5);
    expect(r.slivers[0].area_m2).toBeGreaterThan(1000); // 1.1 m x 1,190 m

    expect(r.outside).toHaveLength(1);
    expect(r.outside[0].area).toBe('TV-3');
    expect(r.outside[0].area_m2 / 1e4).toBeGreaterThan(11.5);
    expect(r.outside[0].area_m2 / 1e4).toBeLessThan(12.3);

    expect(r.invalid).toEqual([{ area: 'TV-6', reason: 'no geometry', geometry: null }]);
    expect(r.totals.overlap_m2).toBeCloseTo(r.overlaps[0].area_m2, 3);
  });

  it('raises the thresholds: a 2 m sliver is a gap when slivers are thinner than 1 m, and small pieces drop out', async () => {
    const thin = (await app.inject('/api/topology?parent=TOPO-K&sliver_width_m=1')).json();
    expect(thin.slivers).toHaveLength(0);
    expect(thin.gaps).toHaveLength(2);
    const big = (await app.inject('/api/topology?parent=TOPO-K&min_m2=70000')).json();
    expect(big.overlaps).toHaveLength(1);
    expect(big.gaps).toHaveLength(0);
    expect(big.slivers).toHaveLength(0);
  });

  it('serves the problems as GeoJSON features with their kind, for the map to hatch', async () => {
    const res = await app.inject('/api/topology?parent=TOPO-K&format=geojson');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/application\/geo\+json/);
    const fc = res.json();
    expect(fc.type).toBe('FeatureCollection');
    expect(fc.features.map((f: { properties: { kind: string } }) => f.properties.kind).sort()).toEqual(['gap', 'invalid', 'outside', 'overlap', 'sliver']);
    const overlap = fc.features.find((f: { properties: { kind: string } }) => f.properties.kind === 'overlap');
    expect(overlap.properties).toMatchObject({ areas: ['TV-1', 'TV-2'], parent: 'TOPO-K' });
    expect(overlap.geometry.type).toBe('Polygon');
  });

  it('answers 404 for an unknown parent and 400 for a bad threshold', async () => {
    const missing = await app.inject('/api/topology?parent=NO-SUCH-AREA');
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ error: 'NOT_FOUND' });
    expect(missing.json().message).toMatch(/NO-SUCH-AREA/);
    const bad = await app.inject('/api/topology?parent=TOPO-K&min_m2=-5');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: 'INVALID_REQUEST' });
    expect(bad.json().message).toMatch(/min_m2/);
    expect((await app.inject('/api/topology')).statusCode).toBe(400);
  });

  it('opens one dispute per overlap, once: a second run opens none', async () => {
    expect((await app.inject({ method: 'POST', url: '/api/topology/disputes?parent=TOPO-K' })).statusCode).toBe(401);
    const first = await app.inject({ method: 'POST', url: '/api/topology/disputes?parent=TOPO-K', headers: adminAuth() });
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json().opened).toHaveLength(1);
    expect(first.json().opened[0]).toMatchObject({ area_a: 'TV-1', area_b: 'TV-2' });
    const dispute = (await app.inject(`/api/disputes/${first.json().opened[0].id}`)).json().dispute;
    expect(dispute).toMatchObject({ area_a: 'TV-1', area_b: 'TV-2', status: 'open' });
    expect(dispute.area_m2 / 1e4).toBeGreaterThan(11.5);
    for (const code of ['TV-1', 'TV-2']) expect((await app.inject(`/api/areas/${code}`)).json().area.status).toBe('disputed');
    const second = await app.inject({ method: 'POST', url: '/api/topology/disputes?parent=TOPO-K', headers: adminAuth() });
    expect(second.json().opened).toEqual([]);
    expect(second.json().already_open.map((d: { id: number }) => d.id)).toEqual([dispute.id]);
  });
});

describe('topology of a demo kumban whose unmapped villages are derived from their perimeter walks', () => {
  it('finds the overlaps and gaps between walked perimeters and opens a dispute for each overlap over 100 m²', async () => {
    const client = await db.pool.connect();
    try {
      // Everything happens in one transaction rolled back at the end: the demo stays as it was.
      await client.query('BEGIN');
      const kumban = (await client.query(`SELECT id FROM area WHERE code = 'SK-01-01'`)).rows[0].id as number;
      // The villages the demo has perimeter walks for (whatever other test files did to them since).
      const walks = `FROM track t JOIN upload u ON u.id = t.upload_id WHERE t.area_id = $1 AND t.geom IS NOT NULL AND u.uploaded_by = 'demo loader'`;
      const { rows: planned } = await client.query<{ id: number; code: string }>(
        `SELECT a.id, a.code FROM area a WHERE a.parent_id = $1 AND EXISTS (SELECT 1 ${walks.replace('$1', 'a.id')}) ORDER BY a.code`,
        [kumban],
      );
      expect(planned.length).toBeGreaterThanOrEqual(4);
      for (const v of planned) {
        const { rows } = await client.query<{ line: { coordinates: Position[] } }>(
          `SELECT ST_AsGeoJSON(t.geom)::json AS line ${walks} ORDER BY t.started_at NULLS LAST, t.id`,
          [v.id],
        );
        const polygon = perimeterPolygon(rows.map((r) => r.line.coordinates));
        await client.query(`UPDATE area SET geom = ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON($2), 4326)) WHERE id = $1`, [v.id, JSON.stringify(polygon)]);
      }
      const derived = new Set(planned.map((v) => v.code));
      const report = await topologyReport(client, 'SK-01-01');
      const walkedOverlaps = report.overlaps.filter((o) => o.areas.some((c) => derived.has(c)));
      expect(walkedOverlaps.length).toBeGreaterThanOrEqual(3);
      for (const o of walkedOverlaps) {
        const { rows } = await client.query(`SELECT ST_Area(ST_Intersection(a.geom, b.geom)::geography) AS m2 FROM area a, area b WHERE a.code = $1 AND b.code = $2`, o.areas);
        expect(o.area_m2).toBeLessThanOrEqual(Number(rows[0].m2) + 0.01);
      }
      expect(report.gaps.length).toBeGreaterThanOrEqual(1);
      expect(report.totals.gap_m2).toBeGreaterThan(100);
      // Perimeters walked separately never share their line: the gaps and overlaps are GPS scatter wide.
      expect(report.overlaps.concat().sort((a, b) => b.area_m2 - a.area_m2)[0].area_m2).toBeGreaterThan(100);

      const pairs = new Set<string>();
      for (const o of report.overlaps) pairs.add(o.areas.join('|'));
      const first = await openOverlapDisputes(client, kumban, { minM2: 100 }, 'topology test');
      // Other test files may already have opened disputes between some of these villages.
      expect(first.opened.length + first.already_open.length).toBeGreaterThanOrEqual(3);
      for (const d of first.opened) {
        expect(d.area_m2).toBeGreaterThanOrEqual(100);
        expect(pairs.has(`${d.area_a}|${d.area_b}`)).toBe(true);
      }
      const again = await openOverlapDisputes(client, kumban, { minM2: 100 }, 'topology test');
      expect(again.opened).toEqual([]);
      expect(again.already_open.map((d) => d.id).sort()).toEqual([...first.opened, ...first.already_open].map((d) => d.id).sort());
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });
});
