import { VectorTile } from '@mapbox/vector-tile';
import type { FastifyInstance } from 'fastify';
import type { FeatureCollection, LineString, Point } from 'geojson';
import { PbfReader } from 'pbf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminAuth, testApp } from '../../test/helpers/app.js';
import type { Database } from '../db/database.js';
import { createTileService } from './service.js';
import { tileContaining, tileLonLatBox, VILLAGE_NAMES_MIN_ZOOM, type TileAddress } from './tile.js';
import { SANDBOX_KUMBAN } from '../../test/helpers/sandbox.js';

let app: FastifyInstance;
let db: Database;
/** The z10 tile holding the middle of the demo's walk around SK-01-01-002 (a planned village). */
let tile: TileAddress;
const path = (layer: string, t: TileAddress = tile) => `/tiles/${layer}/${t.z}/${t.x}/${t.y}.mvt`;
const TEST_VILLAGE = 'SK-01-01-T01';

function decode(body: Buffer, layer: string) {
  const decoded = new VectorTile(new PbfReader(body)).layers[layer];
  if (!decoded) return [];
  return Array.from({ length: decoded.length }, (_, i) => decoded.feature(i));
}

/** Codes of the areas of a level whose geometry meets the tile, widened by `buffer` tile units. */
async function codesMeeting(level: string, t: TileAddress, buffer: number): Promise<string[]> {
  const { rows } = await db.pool.query<{ code: string }>(
    `SELECT code FROM area WHERE level = $1 AND ST_Intersects(geom, ST_MakeEnvelope($2, $3, $4, $5, 4326)) ORDER BY code`,
    [level, ...tileLonLatBox(t, buffer)],
  );
  return rows.map((r) => r.code);
}

beforeAll(async () => {
  ({ app, db } = await testApp());
  const tracks = (await app.inject('/api/tracks.geojson?area=SK-01-01-002')).json() as FeatureCollection<LineString>;
  const coordinates = tracks.features.flatMap((f) => f.geometry.coordinates);
  expect(coordinates.length).toBeGreaterThan(10);
  const lons = coordinates.map((c) => c[0]);
  const lats = coordinates.map((c) => c[1]);
  tile = tileContaining((Math.min(...lons) + Math.max(...lons)) / 2, (Math.min(...lats) + Math.max(...lats)) / 2, 10);
});

afterAll(async () => {
  await db.pool.query('DELETE FROM area WHERE code = $1', [TEST_VILLAGE]);
  await app.close();
  await db.close();
});

describe('GET /tiles/:layer/:z/:x/:y.mvt', () => {
  it('serves the villages of a tile with their properties, decoded as MVT', async () => {
    const res = await app.inject(path('villages'));
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/vnd.mapbox-vector-tile');
    expect(res.headers['cache-control']).toContain('must-revalidate');
    expect(res.headers.etag).toMatch(/^"[\w-]{16}"$/);
    const features = decode(res.rawPayload, 'villages');
    const codes = features.map((f) => f.properties.code as string).sort();
    // Every village meeting the tile is there; anything more lies in the tile's buffer.
    expect(codes).toEqual(expect.arrayContaining(await codesMeeting('ban', tile, 0)));
    expect(await codesMeeting('ban', tile, 64)).toEqual(expect.arrayContaining(codes));
    expect(codes.length).toBeGreaterThan(0);
    // The walked village has no boundary yet, so it is not among the polygons.
    expect(codes).not.toContain('SK-01-01-002');
    const { rows } = await db.pool.query('SELECT id, code, name, name_local, status, level, version FROM area WHERE code = $1', [codes[0]]);
    const first = features.find((f) => f.properties.code === codes[0])!;
    expect(first.type).toBe(3);
    expect(first.id).toBe(rows[0].id);
    expect(first.properties).toEqual({
      code: rows[0].code, name: rows[0].name, name_local: rows[0].name_local, status: rows[0].status, level: 'ban', version: rows[0].version,
    });
  });

  it('leaves village names out below the zoom where village labels appear, with both encoders', async () => {
    const far = tileContaining(tileLonLatBox(tile)[0], tileLonLatBox(tile)[1], VILLAGE_NAMES_MIN_ZOOM - 1);
    const near = tileContaining(tileLonLatBox(tile)[0], tileLonLatBox(tile)[1], VILLAGE_NAMES_MIN_ZOOM);
    for (const encoder of ['postgis', 'geojson-vt'] as const) {
      if (encoder === 'postgis' && db.kind !== 'server') continue;
      const tiles = await createTileService(db, { encoder });
      const farVillages = decode((await tiles.renderUncached('villages', far))!, 'villages');
      expect(farVillages.length).toBeGreaterThan(0);
      for (const village of farVillages) {
        expect(Object.keys(village.properties).sort()).toEqual(['code', 'level', 'status', 'version']);
      }
      const named = decode((await tiles.renderUncached('villages', near))!, 'villages').filter((f) => f.properties.name_local);
      expect(named.length).toBeGreaterThan(0);
      const kumbans = decode((await tiles.renderUncached('kumbans', far))!, 'kumbans');
      expect(kumbans.every((f) => typeof f.properties.name === 'string')).toBe(true);
    }
  });

  it('carries the walk of SK-01-01-002 in the tracks layer and its kumban in the kumbans layer', async () => {
    const tracks = decode((await app.inject(path('tracks'))).rawPayload, 'tracks');
    const walk = tracks.find((f) => f.properties.code === 'SK-01-01-002');
    expect(walk?.type).toBe(2);
    expect(walk?.properties.kind).toBe('perimeter');
    const kumbans = decode((await app.inject(path('kumbans'))).rawPayload, 'kumbans');
    const houiysai = kumbans.find((f) => f.properties.code === 'SK-01-01');
    expect(houiysai?.properties).toMatchObject({ name: 'Houiysai', level: 'kumban' });
    expect(kumbans.map((f) => f.properties.code).sort()).toEqual(expect.arrayContaining(await codesMeeting('kumban', tile, 0)));
  });

  it('answers from the cache the second time and 304 to a known ETag', async () => {
    const first = await app.inject(path('districts'));
    const second = await app.inject(path('districts'));
    expect(second.headers['x-tile-cache']).toBe('hit');
    expect(second.rawPayload.equals(first.rawPayload)).toBe(true);
    const revalidated = await app.inject({ url: path('districts'), headers: { 'if-none-match': first.headers.etag as string } });
    expect(revalidated.statusCode).toBe(304);
    expect(revalidated.rawPayload.length).toBe(0);
  });

  it('bundles the villages, kumbans, districts and disputes of a tile in one zoning tile, with both encoders', async () => {
    const res = await app.inject(path('zoning'));
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/vnd.mapbox-vector-tile');
    const bundled = new VectorTile(new PbfReader(res.rawPayload));
    // The demo has no open dispute in this tile: an empty layer is left out, as its own tile would be 204.
    expect(Object.keys(bundled.layers).sort()).toEqual(['districts', 'kumbans', 'labels', 'villages']);
    for (const layer of ['villages', 'kumbans', 'districts', 'labels']) {
      const alone = decode((await app.inject(path(layer))).rawPayload, layer).map((f) => f.properties);
      expect(decode(res.rawPayload, layer).map((f) => f.properties)).toEqual(alone);
    }
    for (const encoder of ['postgis', 'geojson-vt'] as const) {
      if (encoder === 'postgis' && db.kind !== 'server') continue;
      const tiles = await createTileService(db, { encoder });
      const zoning = (await tiles.renderUncached('zoning', tile))!;
      const villages = (await tiles.renderUncached('villages', tile))!;
      expect(decode(zoning, 'villages').map((f) => f.properties.code)).toEqual(decode(villages, 'villages').map((f) => f.properties.code));
      expect(decode(zoning, 'kumbans').length).toBeGreaterThan(0);
      expect(await tiles.renderUncached('zoning', tileContaining(-30, 0, 10))).toBeNull();
    }
    expect((await app.inject(path('zoning', tileContaining(-30, 0, 10)))).statusCode).toBe(204);
  });

  it('puts a label point at the centre of each district and kumban, and of each village from zoom 9, with both encoders', async () => {
    const far = tileContaining(tileLonLatBox(tile)[0], tileLonLatBox(tile)[1], VILLAGE_NAMES_MIN_ZOOM - 1);
    const { rows } = await db.pool.query<{ code: string; level: string; name: string; name_local: string | null }>(
      `SELECT code, level, name, name_local FROM area
       WHERE level IN ('district', 'kumban', 'ban') AND ST_Intersects(centre, ST_MakeEnvelope($1, $2, $3, $4, 4326)) ORDER BY code`,
      tileLonLatBox(tile),
    );
    expect(rows.some((row) => row.level === 'ban')).toBe(true);
    for (const encoder of ['postgis', 'geojson-vt'] as const) {
      if (encoder === 'postgis' && db.kind !== 'server') continue;
      const tiles = await createTileService(db, { encoder });
      const near = decode((await tiles.renderUncached('labels', tile))!, 'labels');
      expect(near.every((f) => f.type === 1)).toBe(true);
      const props = near.map((f) => f.properties);
      // Every centre inside the tile is there, with the names to write; the rest lie in the buffer.
      for (const row of rows) {
        expect(props).toContainEqual(Object.fromEntries(Object.entries(row).filter(([, v]) => v !== null)));
      }
      const farLevels = new Set(decode((await tiles.renderUncached('labels', far))!, 'labels').map((f) => f.properties.level));
      expect(farLevels.has('kumban')).toBe(true);
      expect(farLevels.has('ban')).toBe(false);
    }
  });

  it('answers 204 for a tile with nothing in it', async () => {
    const atlantic = tileContaining(-30, 0, 10);
    const res = await app.inject(path('villages', atlantic));
    expect(res.statusCode).toBe(204);
    expect(res.headers.etag).toBeDefined();
  });

  it.each([
    ['/tiles/villages/31/5/5.mvt', 'z must be a whole number from 0 to 22'],
    ['/tiles/villages/3/9/1.mvt', 'x must be a whole number from 0 to 7'],
    ['/tiles/villages/-1/0/0.mvt', "z must be a whole number from 0 to 22, got '-1'"],
    ['/tiles/villages/12/abc/1.mvt', "x must be a whole number from 0 to 4095, got 'abc'"],
  ])('refuses %s with 400 TILE_OUT_OF_RANGE', async (url, message) => {
    const res = await app.inject(url);
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe('TILE_OUT_OF_RANGE');
    expect(res.json().message).toContain(message);
  });

  it('answers 404 for an unknown layer', async () => {
    const res = await app.inject('/tiles/roads/1/0/0.mvt');
    expect(res.statusCode).toBe(404);
    expect(res.json().message).toBe("No tile layer 'roads'; the layers are districts, kumbans, villages, tracks, markers, disputes, labels, zoning.");
  });

  it('shows a new village in fresh tiles, under a new ETag', async () => {
    const before = await app.inject(path('villages'));
    const [west, south, east, north] = tileLonLatBox(tile);
    const cx = (west + east) / 2;
    const cy = (south + north) / 2;
    const d = (east - west) / 50;
    const created = await app.inject({
      method: 'POST', url: '/api/areas', headers: adminAuth(),
      payload: {
        level: 'ban', parent: SANDBOX_KUMBAN, code: TEST_VILLAGE, name: 'Ban Tile Test', name_local: 'ບ້ານທົດລອງ', status: 'surveyed',
        centre: { type: 'Point', coordinates: [cx, cy] },
        geometry: { type: 'Polygon', coordinates: [[[cx, cy], [cx + d, cy], [cx + d, cy + d], [cx, cy + d], [cx, cy]]] },
      },
    });
    expect(created.statusCode).toBe(201);
    // The data version is trusted for a second; after that the edit must show.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const after = await app.inject(path('villages'));
    expect(after.headers.etag).not.toBe(before.headers.etag);
    expect(after.headers['x-tile-cache']).toBe('miss');
    const added = decode(after.rawPayload, 'villages').find((f) => f.properties.code === TEST_VILLAGE);
    expect(added?.properties).toMatchObject({ name: 'Ban Tile Test', name_local: 'ບ້ານທົດລອງ', status: 'surveyed', version: 1 });
  });

  it('reads the data anew at once when the page asks with a new v after an edit', async () => {
    const url = `${path('villages')}?v=before-edit`;
    await app.inject(url);
    expect((await app.inject(url)).headers['x-tile-cache']).toBe('hit');
    const patched = await app.inject({
      method: 'PATCH', url: `/api/areas/${TEST_VILLAGE}`, headers: { ...adminAuth(), 'if-match': '1' }, payload: { status: 'agreed' },
    });
    expect(patched.statusCode).toBe(200);
    // No waiting: a new `v` must not be answered from the cache of the old data.
    const fresh = await app.inject(`${path('villages')}?v=after-edit`);
    expect(fresh.headers['x-tile-cache']).toBe('miss');
    const village = decode(fresh.rawPayload, 'villages').find((f) => f.properties.code === TEST_VILLAGE);
    expect(village?.properties).toMatchObject({ status: 'agreed', version: 2 });
  });

  it('encodes with ST_AsMVT on a PostGIS server and with geojson-vt on the embedded database, to the same features', async () => {
    const auto = await createTileService(db);
    expect(auto.encoder).toBe(db.kind === 'server' ? 'postgis' : 'geojson-vt');
    const inNode = await createTileService(db, { encoder: 'geojson-vt' });
    const nodeCodes = decode((await inNode.renderUncached('villages', tile))!, 'villages').map((f) => f.properties.code).sort();
    const autoCodes = decode((await auto.renderUncached('villages', tile))!, 'villages').map((f) => f.properties.code).sort();
    expect(nodeCodes).toEqual(autoCodes);
    const markers = await inNode.renderUncached('markers', tileContaining(-30, 0, 10));
    expect(markers).toBeNull();
  });
});

describe('GET /api/readings.geojson', () => {
  it('lists the dropped readings of a village\'s walks, each with its reason', async () => {
    const res = await app.inject('/api/readings.geojson?area=SK-01-01-002&kept=false');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('application/geo+json');
    const fc = res.json() as FeatureCollection<Point>;
    const { rows } = await db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM reading r JOIN track t ON t.id = r.track_id JOIN area a ON a.id = t.area_id
       WHERE a.code = 'SK-01-01-002' AND NOT r.kept`,
    );
    expect(rows[0].n).toBeGreaterThan(0);
    expect(fc.features).toHaveLength(rows[0].n);
    for (const f of fc.features) {
      expect(f.geometry.type).toBe('Point');
      expect(f.properties).toMatchObject({ kept: false, drop_reason: expect.stringMatching(/^[a-z_]+$/) });
    }
  });

  it('lists every reading of one track in walking order, up to the limit', async () => {
    const { rows } = await db.pool.query<{ id: number; n: number }>(
      `SELECT t.id, (SELECT count(*)::int FROM reading r WHERE r.track_id = t.id) AS n
       FROM track t JOIN area a ON a.id = t.area_id WHERE a.code = 'SK-01-01-002' ORDER BY t.id LIMIT 1`,
    );
    const all = (await app.inject(`/api/readings.geojson?track=${rows[0].id}`)).json() as FeatureCollection<Point>;
    expect(all.features).toHaveLength(rows[0].n);
    const seqs = all.features.map((f) => f.properties!.seq as number);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    const some = (await app.inject(`/api/readings.geojson?track=${rows[0].id}&limit=5`)).json() as FeatureCollection;
    expect(some.features).toHaveLength(5);
  });

  it.each([
    ['/api/readings.geojson', 400, 'INVALID_REQUEST', 'Name the readings to list: track=<id> or area=<code>.'],
    ['/api/readings.geojson?track=987654321', 404, 'NOT_FOUND', 'No track with id 987654321.'],
    ['/api/readings.geojson?area=NOWHERE', 404, 'NOT_FOUND', "No area with id or code 'NOWHERE'."],
    ['/api/readings.geojson?track=abc', 400, 'INVALID_REQUEST', 'Invalid querystring: /track must be integer.'],
  ])('%s → %i %s', async (url, status, code, message) => {
    const res = await app.inject(url);
    expect(res.statusCode).toBe(status);
    expect(res.json()).toMatchObject({ error: code, message });
  });
});

describe('GET /api/progress', () => {
  async function villageCounts(rootCode: string | null): Promise<Record<string, number>> {
    const { rows } = await db.pool.query<{ status: string; n: number }>(
      `WITH RECURSIVE scope AS (
         SELECT id FROM area WHERE CASE WHEN $1::text IS NULL THEN parent_id IS NULL ELSE code = $1 END
         UNION ALL SELECT a.id FROM area a JOIN scope s ON a.parent_id = s.id)
       SELECT status, count(*)::int AS n FROM area WHERE level = 'ban' AND id IN (SELECT id FROM scope) GROUP BY status`,
      [rootCode],
    );
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  }

  it('counts the province\'s villages by status, its districts, and how many kumbans are zoned', async () => {
    const res = await app.inject('/api/progress?area=SK');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    const expected = await villageCounts('SK');
    expect(body.area.code).toBe('SK');
    for (const [status, n] of Object.entries(expected)) expect(body.totals.by_status[status]).toBe(n);
    expect(body.totals.villages).toBe(Object.values(expected).reduce((a, b) => a + b, 0));
    expect(body.children.map((c: { code: string }) => c.code)).toEqual(['SK-01', 'SK-02', 'SK-03', 'SK-04']);
    expect(body.children.reduce((sum: number, c: { villages: number }) => sum + c.villages, 0)).toBe(body.totals.villages);
    const kumbans = body.zoned_by_level.find((l: { level: string }) => l.level === 'kumban');
    const { rows: [inProvince] } = await db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM area k JOIN area d ON d.id = k.parent_id JOIN area p ON p.id = d.parent_id WHERE k.level = 'kumban' AND p.code = 'SK'`);
    expect(kumbans.total).toBe(inProvince.n);
    expect(kumbans.zoned).toBeGreaterThanOrEqual(0);
    expect(body.totals.approved_share).toBeGreaterThan(0);
    expect(body.totals.approved_share).toBeLessThan(1);
    expect(typeof body.disputes_open).toBe('number');
  });

  it('lists the villages of a kumban as its children, and sums everything without an area', async () => {
    const kumban = (await app.inject('/api/progress?area=SK-01-01')).json();
    expect(kumban.children.every((c: { level: string; villages: number }) => c.level === 'ban' && c.villages === 1)).toBe(true);
    expect(kumban.totals.by_status).toMatchObject(await villageCounts('SK-01-01'));
    const all = (await app.inject('/api/progress')).json();
    expect(all.area).toBeNull();
    expect(all.totals.by_status).toMatchObject(await villageCounts(null));
  });

  it('answers 404 for an unknown area', async () => {
    const res = await app.inject('/api/progress?area=NOWHERE');
    expect(res.statusCode).toBe(404);
    expect(res.json().message).toBe("No area with id or code 'NOWHERE'.");
  });
});
