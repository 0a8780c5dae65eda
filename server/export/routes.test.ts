import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../../test/helpers/app.js';
import type { Database } from '../db/database.js';
import { EXPORT_FORMATS } from './model.js';
import { exportData, withSnapshot } from './store.js';
import { decodedAreaM2, hasOgr, layerCounts, ogrLayer, ogrSummary } from './testing/gdal.js';

interface StoredArea {
  code: string;
  name: string;
  name_local: string;
  area_m2: number | null;
}

let app: FastifyInstance;
let db: Database;
let stored: Map<string, StoredArea>;
const dir = mkdtempSync(join(tmpdir(), 'tessera-export-routes-'));

beforeAll(async () => {
  ({ app, db } = await testApp());
  const { rows } = await db.pool.query<StoredArea>(
    `SELECT code, name, name_local, area_m2 FROM area WHERE code LIKE 'SK-02-01%' ORDER BY code`,
  );
  stored = new Map(rows.map((r) => [r.code, r]));
});

afterAll(async () => {
  await app.close();
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Downloads an export into the temp dir and returns the path GDAL should open. */
async function download(url: string, name: string): Promise<string> {
  const res = await app.inject({ method: 'GET', url });
  expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
  const path = join(dir, name);
  writeFileSync(path, res.rawPayload);
  return name.endsWith('.zip') ? `/vsizip/${path}/${name.replace(/\.zip$/, '')}.shp` : path;
}

describe('GET /api/export/:file', () => {
  it.each(EXPORT_FORMATS)('serves %s with its media type and a download name', async (format) => {
    const res = await app.inject({ method: 'GET', url: `/api/export/SK-02-01.${format}` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-disposition']).toBe(`attachment; filename="SK-02-01.${format}"`);
    expect(res.headers['content-type']).toMatch(/geo\+json|zip|kml|gpx|csv/);
    expect(res.headers['x-feature-count']).toBe('6');
  });

  it('accepts the numeric id as well as the code', async () => {
    const { rows: [{ id }] } = await db.pool.query<{ id: number }>(`SELECT id FROM area WHERE code = 'SK-02-01'`);
    const res = await app.inject({ method: 'GET', url: `/api/export/${id}.csv` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-disposition']).toBe('attachment; filename="SK-02-01.csv"');
  });

  it('lists every village of a kumban in the CSV with ?level=ban, mapped or not', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/export/SK-02-01.csv?level=ban' });
    const lines = res.body.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines).toHaveLength(7);
    expect(lines[1]).toMatch(/^SK-02-01-001,Ban Kok Champa,ບ້ານກົກຈຳປາ,ban,SK-02-01,provisional,\d+\.\d+,\d+\.\d+,/);
    expect(lines[6]).toMatch(/^SK-02-01-006,Ban Lak Muang,ບ້ານຫຼັກມ່ວງ,ban,SK-02-01,planned,,,/);
  });

  it('exports the whole province: every area that has a boundary', async () => {
    const { rows: [{ n }] } = await db.pool.query<{ n: number }>(
      `WITH RECURSIVE below AS (SELECT id, geom FROM area WHERE code = 'SK' UNION ALL SELECT a.id, a.geom FROM area a JOIN below b ON a.parent_id = b.id)
       SELECT count(*)::int AS n FROM below WHERE geom IS NOT NULL`);
    const res = await app.inject({ method: 'GET', url: '/api/export/SK.geojson' });
    expect(res.json().features).toHaveLength(n);
  });

  it.each([
    ['/api/export/SK-99.csv', 404, 'NOT_FOUND', /No area with id or code 'SK-99'/],
    ['/api/export/SK-02-01.csv?level=district', 422, 'WRONG_LEVEL', /SK-02-01 is a kumban: it has no district below it/],
    ['/api/export/SK-02-01.csv?level=village', 422, 'WRONG_LEVEL', /Unknown level 'village': the levels are province, district, kumban, ban/],
    ['/api/export/SK-02-01.shp', 400, 'INVALID_REQUEST', /Invalid params: \/file must match pattern/],
    ['/api/export/SK-02-01.csv?levels=ban', 400, 'INVALID_REQUEST', /must NOT have additional properties/],
  ])('%s → %i %s', async (url, status, code, message) => {
    const res = await app.inject({ method: 'GET', url });
    expect(res.statusCode).toBe(status);
    expect(res.json()).toMatchObject({ error: code });
    expect(res.json().message).toMatch(message);
  });

  it('refuses an export over the vertex limit before reading geometry', async () => {
    await expect(withSnapshot(db.pool, (c) => exportData(c, 'SK', { maxVertices: 100 }))).rejects.toMatchObject({
      code: 'EXPORT_TOO_LARGE',
      message: expect.stringMatching(/^The export of SK would hold \d+ vertices in \d+ areas, over the limit of 100/),
    });
  });
});

describe.skipIf(!hasOgr)('exports of kumban SK-02-01 read back by GDAL match PostGIS', () => {
  /** Each decoded polygon's geodesic area within 0.5 % of PostGIS's stored area_m2. */
  function expectStoredAreas(features: { properties: Record<string, unknown> | null; geometry: unknown }[], codeField: string) {
    const mapped = [...stored.values()].filter((a) => a.area_m2 !== null);
    expect(mapped).toHaveLength(6);
    for (const area of mapped) {
      const feature = features.find((f) => f.properties?.[codeField] === area.code);
      expect(feature, area.code).toBeDefined();
      expect(Math.abs(decodedAreaM2(feature as never) / area.area_m2! - 1), area.code).toBeLessThan(0.005);
    }
  }

  it('GeoJSON', async () => {
    const source = await download('/api/export/SK-02-01.geojson', 'kumban.geojson');
    expect(Object.values(layerCounts(ogrSummary(source)))).toEqual([6]);
    const layer = ogrLayer(source);
    for (const f of layer.features) expect(f.properties.name_local).toBe(stored.get(String(f.properties.code))?.name_local);
    expectStoredAreas(layer.features, 'code');
  });

  it('GeoJSON with ?level=ban keeps the unmapped village as a null geometry', async () => {
    const source = await download('/api/export/SK-02-01.geojson?level=ban', 'villages.geojson');
    const layer = ogrLayer(source);
    expect(layer.features.map((f) => f.properties.code)).toEqual([...stored.keys()].filter((c) => c.length > 8));
    expect(layer.features.find((f) => f.properties.code === 'SK-02-01-006')?.geometry).toBeNull();
  });

  it('Shapefile', async () => {
    const source = await download('/api/export/SK-02-01.zip', 'SK-02-01.zip');
    const summary = ogrSummary(source);
    expect(layerCounts(summary)).toEqual({ 'SK-02-01': 6 });
    expect(summary).toMatch(/Geometry: Polygon/);
    const layer = ogrLayer(source);
    for (const f of layer.features) {
      const area = stored.get(String(f.properties.CODE))!;
      expect(f.properties.NAME).toBe(area.name);
      expect(f.properties.NAME_LOCAL).toBe(area.name_local);
      expect(Number(f.properties.AREA_HA)).toBeCloseTo(area.area_m2! / 10_000, 3);
    }
    expectStoredAreas(layer.features, 'CODE');
  });

  it('KML', async () => {
    const source = await download('/api/export/SK-02-01.kml', 'kumban.kml');
    expect(layerCounts(ogrSummary(source))).toEqual({ Kumban: 1, Village: 5 });
    const villages = ogrLayer(source, 'Village');
    for (const f of villages.features) {
      const area = stored.get(String(f.properties.code))!;
      expect(f.properties.Name).toBe(`${area.name} (${area.name_local})`);
    }
    expectStoredAreas([...villages.features, ...ogrLayer(source, 'Kumban').features], 'code');
  });

  it('GPX with a boundary marker as a waypoint', async () => {
    const { rows: [marker] } = await db.pool.query<{ id: number }>(
      `INSERT INTO marker (name, description, geom, elevation)
       SELECT 'Stream junction ຫ້ວຍ', 'export test', ST_PointOnSurface(geom), 180 FROM area WHERE code = 'SK-02-01-003' RETURNING id`,
    );
    try {
      const source = await download('/api/export/SK-02-01.gpx', 'kumban.gpx');
      expect(layerCounts(ogrSummary(source))).toMatchObject({ waypoints: 1, tracks: 6 });
      expect(ogrLayer(source, 'waypoints').features[0].properties).toMatchObject({ name: 'Stream junction ຫ້ວຍ', ele: 180 });
      const tracks = ogrLayer(source, 'tracks');
      for (const f of tracks.features) expect(String(f.properties.desc)).toContain(stored.get(String(f.properties.cmt))!.name_local);
      expectStoredAreas(tracks.features, 'cmt');
    } finally {
      await db.pool.query('DELETE FROM marker WHERE id = $1', [marker.id]);
    }
  });

  it('CSV', async () => {
    const source = await download('/api/export/SK-02-01.csv', 'kumban.csv');
    const layer = ogrLayer(source);
    expect(layer.features).toHaveLength(6);
    for (const f of layer.features) {
      const area = stored.get(String(f.properties.code))!;
      expect(f.properties.name_local).toBe(area.name_local);
      expect(Math.abs(Number(f.properties.area_ha) * 10_000 / area.area_m2! - 1)).toBeLessThan(0.0001);
    }
  });
});
