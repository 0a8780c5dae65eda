/**
 * Tile benchmark: the raw tile query, uncached tiles over HTTP and cached tiles over HTTP, side
 * by side in one run, on the database the server would use.
 *   DATABASE_URL=... npx tsx scripts/bench/web.ts      (unset: the embedded database in DATA_DIR)
 * Tiles are every z10-z13 tile over the villages' extent. "Raw" times the store's tile query
 * (ST_AsMVT, or the GeoJSON query plus geojson-vt on the embedded database) in process;
 * "uncached" asks the running server for each tile once, one at a time; "cached" repeats those
 * URLs with CONCURRENCY requests in flight for DURATION_S seconds. Prints a Markdown section.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildApp } from '../../server/app.js';
import { loadConfig } from '../../server/config.js';
import { openDatabase } from '../../server/db/database.js';
import { migrate } from '../../server/db/migrate.js';
import { isEmpty, loadDemo } from '../../server/demo/load.js';
import { PROJECT_ROOT } from '../../server/config.js';
import { createTileService } from '../../server/tiles/service.js';
import { tileContaining, type TileAddress, type TileLayer } from '../../server/tiles/tile.js';

const CONCURRENCY = Number(process.env.CONCURRENCY ?? 32);
const DURATION_S = Number(process.env.DURATION_S ?? 5);
const LAYERS: TileLayer[] = ['villages', 'kumbans', 'districts'];

const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });

function get(url: string): Promise<{ status: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    http.get(url, { agent }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => (bytes += chunk.length));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes }));
      res.on('error', reject);
    }).on('error', reject);
  });
}

function tilesOver([west, south, east, north]: number[], z: number): TileAddress[] {
  const a = tileContaining(west, north, z);
  const b = tileContaining(east, south, z);
  const tiles: TileAddress[] = [];
  for (let x = a.x; x <= b.x; x++) for (let y = a.y; y <= b.y; y++) tiles.push({ z, x, y });
  return tiles;
}

const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' });
const db = await openDatabase(config);
await migrate(db.pool);
if (await isEmpty(db)) await loadDemo(db, `${PROJECT_ROOT}/fixtures`);
const { rows } = await db.pool.query<{ box: number[] }>(
  `SELECT ARRAY[ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)] AS box FROM (SELECT ST_Extent(geom)::geometry AS e FROM area WHERE level = 'ban') s`,
);
const requests = [10, 11, 12, 13].flatMap((z) => tilesOver(rows[0].box, z)).flatMap((tile) => LAYERS.map((layer) => ({ layer, tile })));

// Raw: the store's query and encoding, no HTTP, no cache.
const service = await createTileService(db);
let t0 = performance.now();
for (const { layer, tile } of requests) await service.renderUncached(layer, tile);
const rawMs = (performance.now() - t0) / requests.length;

const app = await buildApp({ db, config });
await app.listen({ port: 0, host: '127.0.0.1' });
const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
const urls = requests.map(({ layer, tile }) => `${base}/tiles/${layer}/${tile.z}/${tile.x}/${tile.y}.mvt`);

// Uncached: each URL once, one at a time, on a server whose cache is empty.
let bytes = 0;
t0 = performance.now();
for (const url of urls) bytes += (await get(url)).bytes;
const uncachedMs = (performance.now() - t0) / urls.length;

// Cached: the same URLs again, many in flight, for a fixed time.
let done = 0;
let failed = 0;
const until = performance.now() + DURATION_S * 1000;
t0 = performance.now();
await Promise.all(
  Array.from({ length: CONCURRENCY }, async (_, worker) => {
    for (let i = worker; performance.now() < until; i += CONCURRENCY) {
      const { status } = await get(urls[i % urls.length]);
      if (status === 200 || status === 204) done++;
      else failed++;
    }
  }),
);
const cachedPerS = done / ((performance.now() - t0) / 1000);

await app.close();
agent.destroy();
await db.close();

const f = (n: number, d = 1) => n.toFixed(d);
console.log(`## Web and tiles

\`npx tsx scripts/bench/web.ts\` on the ${db.kind} database (tile encoder: ${service.encoder}); ${requests.length} tiles
(${LAYERS.join(', ')} at z10-z13 over the demo province), ${f(bytes / urls.length / 1024)} KB per tile on average.

| measure | value |
|---|---|
| raw tile query (in process, no cache), mean | ${f(rawMs, 2)} ms |
| uncached tile over HTTP, one at a time, mean | ${f(uncachedMs, 2)} ms (${f(uncachedMs / rawMs, 2)}x raw) |
| cached tiles over HTTP, ${CONCURRENCY} in flight, ${DURATION_S} s | ${f(cachedPerS, 0)} tiles/s (${failed} failed) |
`);
