/**
 * Web and tile benchmark (issue 6) on a synthetic country of 10,000 villages, against a
 * PostgreSQL + PostGIS server database of its own:
 *   bash scripts/postgis-server.sh tessera_bench_web
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/tessera_bench_web npx tsx scripts/bench/web.ts
 *
 * 1. Builds the country (villages, kumbans, districts, provinces; see country.ts) unless the
 *    database already holds it, and builds the web app if web/dist is missing.
 * 2. First render: RUNS times, a freshly started server (cold tile cache) and a fresh headless
 *    Chromium at 1366x768; navigation start to the page's ready flag plus MapLibre idle with
 *    every tile loaded. Median reported, with the tile requests the page made.
 * 3. Tiles: TILE_COUNT URLs of the country at z6-z10 (village, kumban and district layers and the page's zoning bundle, with
 *    the page's `?v=0`). Cached: autocannon with CONCURRENCY connections for DURATION_S seconds
 *    on the real server after a warming pass. Uncached: the same URLs on the real tile routes
 *    with a cache that keeps nothing, next to the raw `ST_AsMVT` query for the same tiles, run in
 *    this process through the store's own prepared statement, one at a time and CONCURRENCY at
 *    a time. Servers run in their own process (serve.ts); the load comes from this one.
 * Prints a Markdown section for BENCHMARKS.md.
 */
import { execSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import autocannon, { type Request, type Result } from 'autocannon';
import { loadConfig, PROJECT_ROOT } from '../../server/config.js';
import { openDatabase } from '../../server/db/database.js';
import { migrate } from '../../server/db/migrate.js';
import { createTileService } from '../../server/tiles/service.js';
import { tileContaining, type TileAddress, type TileName } from '../../server/tiles/tile.js';
import { BENCH_COUNTRY, ensureCountry } from './country.js';
import { measureFirstRender, type FirstRender } from './first-render.js';

const RUNS = Number(process.env.RUNS ?? 3);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 32);
/** Raw query and uncached tiles in parallel: the server's pool has 10 connections, the machine 2 cores. */
const UNCACHED_CONCURRENCY = Number(process.env.UNCACHED_CONCURRENCY ?? 4);
const DURATION_S = Number(process.env.DURATION_S ?? 10);
/** Uncached and raw: times every tile is asked for, so both cover exactly the same tiles. */
const PASSES = Number(process.env.PASSES ?? 3);
const TILE_COUNT = 50;
/** `FIRST_RENDER_ONLY=1` measures the first render alone (when working on the page). */
const FIRST_RENDER_ONLY = process.env.FIRST_RENDER_ONLY === '1';
/** The contract's per-layer routes and the bundle the page asks for (all four layers in one tile). */
const LAYERS: TileName[] = ['villages', 'kumbans', 'districts', 'zoning'];
const ZOOMS = [6, 7, 8, 9, 10];
const ARTIFACTS = path.join(PROJECT_ROOT, 'artifacts', 'bench');

interface TileRequest {
  layer: TileName;
  tile: TileAddress;
}

function tilesOver([west, south, east, north]: number[], z: number): TileAddress[] {
  const a = tileContaining(west, north, z);
  const b = tileContaining(east, south, z);
  const tiles: TileAddress[] = [];
  for (let x = a.x; x <= b.x; x++) for (let y = a.y; y <= b.y; y++) tiles.push({ z, x, y });
  return tiles;
}

/** `count` items spread evenly over `items` (all of them when there are fewer). */
function spread<T>(items: T[], count: number): T[] {
  if (items.length <= count) return items;
  return Array.from({ length: count }, (_, k) => items[Math.floor(((k + 0.5) * items.length) / count)]);
}

/** About TILE_COUNT tile requests, a similar share at each zoom, every layer of each tile. */
function pickTiles(box: number[]): TileRequest[] {
  const perZoom = Math.ceil(TILE_COUNT / LAYERS.length / ZOOMS.length);
  const tiles = ZOOMS.flatMap((z) => spread(tilesOver(box, z), perZoom));
  return tiles.flatMap((tile) => LAYERS.map((layer) => ({ layer, tile }))).slice(0, TILE_COUNT);
}

const tilePath = ({ layer, tile }: TileRequest) => `/tiles/${layer}/${tile.z}/${tile.x}/${tile.y}.mvt?v=0`;

/** Starts serve.ts in `mode` and resolves with its URL once it listens. */
function startServer(mode: 'app' | 'tiles-uncached', databaseUrl: string): Promise<{ url: string; stop(): Promise<void> }> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'serve.ts'), mode], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = out.match(/listening (\S+)/);
      if (match) {
        resolve({
          url: match[1],
          async stop() {
            child.kill('SIGTERM');
            await exited;
          },
        });
      }
    });
    child.once('exit', (code) => reject(new Error(`serve.ts ${mode} exited with ${code} before listening`)));
  });
}

/**
 * Hands out the tile paths in turn across all connections, so connections in flight ask for
 * different tiles (in lockstep they would ask for the same one and share a single rendering).
 */
function inTurn(paths: string[]) {
  let next = 0;
  return [{ setupRequest: (req: Request) => ({ ...req, path: paths[next++ % paths.length] }) }];
}

/** autocannon over the paths: for DURATION_S seconds, or for exactly `amount` requests. */
async function load(url: string, paths: string[], connections: number, amount?: number): Promise<Result> {
  return autocannon({
    url,
    connections,
    ...(amount ? { amount } : { duration: DURATION_S }),
    // autocannon notices the end of an \`amount\` run only at its next sample: sample often, or
    // a short run's duration (and so its rate) is off by up to a second.
    sampleInt: 20,
    // What MapLibre's fetch sends: cached tiles above 1 KB go out as their stored gzip.
    headers: { 'accept-encoding': 'gzip, deflate, br' },
    requests: inTurn(paths),
  });
}

interface Rate {
  perS: number;
  mbPerS: number;
  failed: number;
  latencyMs: number;
}

/** Tiles answered per second by a load run, and how many were not 200/204. */
function rate(result: Result): Rate {
  return {
    perS: result['2xx'] / result.duration,
    mbPerS: result.throughput.total / result.duration / 2 ** 20,
    failed: result.non2xx + result.errors + result.timeouts,
    latencyMs: result.latency.mean,
  };
}

/** Runs `render` over every tile once, `workers` at a time, taking tiles in turn. */
async function rawPass(requests: TileRequest[], workers: number, render: (r: TileRequest) => Promise<unknown>): Promise<Rate> {
  const total = requests.length;
  let next = 0;
  let busyMs = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (next < total) {
        const request = requests[next++ % requests.length];
        const start = performance.now();
        await render(request);
        busyMs += performance.now() - start;
      }
    }),
  );
  return { perS: total / ((performance.now() - t0) / 1000), mbPerS: 0, failed: 0, latencyMs: busyMs / total };
}

/**
 * Asks for every tile once with Node's own HTTP client, `workers` in flight, tiles in turn: a
 * lighter client than autocannon's, whose parsing of large bodies costs more CPU than the
 * server's answer on a two-core machine.
 */
async function nodeHttpPass(url: string, paths: string[], workers: number): Promise<{ seconds: number; failed: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: workers });
  const get = (p: string) =>
    new Promise<number>((resolve, reject) => {
      http.get(`${url}${p}`, { agent, headers: { 'accept-encoding': 'gzip, deflate, br' } }, (res) => {
        res.on('data', () => {});
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      }).on('error', reject);
    });
  let next = 0;
  let failed = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (next < paths.length) {
        const status = await get(paths[next++]);
        if (status !== 200 && status !== 204) failed++;
      }
    }),
  );
  agent.destroy();
  return { seconds: (performance.now() - t0) / 1000, failed };
}

/**
 * Raw query and uncached HTTP over the same tiles, `workers` at a time, in alternating passes
 * (raw, HTTP, raw, HTTP...) so that both see the same share of the shared machine's load.
 */
async function rawAndUncached(url: string, requests: TileRequest[], workers: number, render: (r: TileRequest) => Promise<unknown>) {
  const paths = requests.map(tilePath);
  let [rawS, httpS, httpTiles, failed, nodeS] = [0, 0, 0, 0, 0];
  for (let pass = 0; pass < PASSES; pass++) {
    rawS += requests.length / (await rawPass(requests, workers, render)).perS;
    const cannon = await load(url, paths, workers, paths.length);
    httpS += cannon.duration;
    httpTiles += cannon['2xx'];
    failed += rate(cannon).failed;
    const node = await nodeHttpPass(url, paths, workers);
    nodeS += node.seconds;
    failed += node.failed;
  }
  const total = requests.length * PASSES;
  return { raw: total / rawS, uncached: httpTiles / httpS, nodeClient: total / nodeS, failed };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

// --- set-up ---------------------------------------------------------------------------------
const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' });
if (!config.databaseUrl) throw new Error('Set DATABASE_URL to a PostGIS server database of its own (bash scripts/postgis-server.sh tessera_bench_web).');
const databaseUrl = config.databaseUrl;
const db = await openDatabase(config);
await migrate(db.pool);
const country = await ensureCountry(db.pool, BENCH_COUNTRY);
console.error(`country: ${country.villages} villages, ${country.areas} areas${country.builtMs === null ? ' (already stored)' : `, built in ${(country.builtMs / 1000).toFixed(1)} s`}`);
if (!fs.existsSync(path.join(config.webDist, 'index.html'))) {
  execSync('npx vite build --config web/vite.config.ts', { cwd: PROJECT_ROOT, stdio: 'inherit' });
}
fs.mkdirSync(ARTIFACTS, { recursive: true });

// --- first render, cold server cache --------------------------------------------------------
const renders: FirstRender[] = [];
for (let run = 1; run <= RUNS; run++) {
  const server = await startServer('app', databaseUrl);
  try {
    const render = await measureFirstRender(`${server.url}/`, run === RUNS ? path.join(ARTIFACTS, 'web-first-render.png') : undefined);
    renders.push(render);
    console.error(`first render ${run}: ${render.ms.toFixed(0)} ms (ready ${render.readyMs.toFixed(0)} ms, areas ${render.areasMs.toFixed(0)} ms, last tile ${render.lastTileMs.toFixed(0)} ms, long tasks ${render.longTasksMs.toFixed(0)} ms, longest ${render.longestTaskMs.toFixed(0)} ms), ${render.tileRequests} tile requests, zoom ${render.zoom.toFixed(2)}, ${render.villagesDrawn} villages in tiles`);
  } finally {
    await server.stop();
  }
}

// --- tiles ----------------------------------------------------------------------------------
if (FIRST_RENDER_ONLY) {
  await db.close();
  process.exit(0);
}
const { rows } = await db.pool.query<{ box: number[] }>(
  `SELECT ARRAY[ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)] AS box
   FROM (SELECT ST_Extent(geom)::geometry AS e FROM area WHERE level = 'ban') s`,
);
const requests = pickTiles(rows[0].box);
const paths = requests.map(tilePath);

// Cached: the real server, the URLs asked once to fill its cache, then the load.
const app = await startServer('app', databaseUrl);
let sizes: number[] = [];
let cached: Rate;
let cachedSmall: Rate;
/** Tiles this size or smaller, for the cached rate without the few whole-country village tiles. */
const SMALL_BYTES = 100 * 1024;
let smallPaths: string[] = [];
try {
  sizes = await Promise.all(paths.map(async (p) => (await (await fetch(`${app.url}${p}`)).arrayBuffer()).byteLength));
  smallPaths = paths.filter((_, k) => sizes[k] <= SMALL_BYTES);
  await new Promise((resolve) => setTimeout(resolve, 1000)); // lets the server store the gzip copies
  cached = rate(await load(app.url, paths, CONCURRENCY));
  cachedSmall = rate(await load(app.url, smallPaths, CONCURRENCY));
} finally {
  await app.stop();
}
console.error(`cached: ${cached.perS.toFixed(0)} tiles/s`);

// Uncached and raw, alternated in one stretch so both see the same machine load.
const service = await createTileService(db);
const renderRaw = ({ layer, tile }: TileRequest) => service.renderUncached(layer, tile);
for (const r of requests) await renderRaw(r); // prepares the statements on the pool's connections
const uncachedServer = await startServer('tiles-uncached', databaseUrl);
let one, many;
try {
  one = await rawAndUncached(uncachedServer.url, requests, 1, renderRaw);
  many = await rawAndUncached(uncachedServer.url, requests, UNCACHED_CONCURRENCY, renderRaw);
} finally {
  await uncachedServer.stop();
}
await db.close();

// --- report ---------------------------------------------------------------------------------
const f = (n: number, d = 0) => n.toLocaleString('en-GB', { minimumFractionDigits: d, maximumFractionDigits: d });
const met = (ok: boolean) => (ok ? 'met' : 'not met');
const firstMs = median(renders.map((r) => r.ms));
const middle = renders.find((r) => r.ms === firstMs)!;
const zoomsUsed = [...new Set(requests.map((r) => r.tile.z))].join(', ');
const oneRatio = one.raw / one.uncached;
const manyRatio = many.raw / many.uncached;
const oneNodeRatio = one.raw / one.nodeClient;
const manyNodeRatio = many.raw / many.nodeClient;
const cpu = os.cpus()[0]?.model ?? 'unknown CPU';

console.log(`## Web and tiles

Method: \`DATABASE_URL=... npx tsx scripts/bench/web.ts\` on a PostgreSQL 15 + PostGIS 3.3 server
database holding only a synthetic country (scripts/bench/country.ts): ${f(country.villages)} villages
tiling a 100 x 100 grid of 0.05° cells (~30 km² each, ~97 vertices each, jittered corners and
wiggling shared edges, no gaps or overlaps) under 400 kumbans, 25 districts and 4 provinces,
all unions of their children; romanised Lao names, ~70% with a Lao name too; mixed statuses.
The server runs in its own process (scripts/bench/serve.ts: the real app as server/main.ts
builds it, with the built web page). Machine: ${os.cpus().length} x ${cpu}, ${f(os.totalmem() / 2 ** 30)} GB,
shared with other work, so absolute times are noisy; ratios are measured in the same run.

- First render: ${RUNS} runs, each on a freshly started server (empty tile cache) and a fresh
  headless Chromium (\`/usr/bin/chromium --headless --no-sandbox --disable-gpu\`, software
  WebGL) at 1366x768; time from navigation start to the page's \`data-ready\` flag with
  MapLibre idle and every tile loaded, read from the page's clock.
- Cached tiles: ${requests.length} URLs (village, kumban and district layers and the page's zoning bundle at z${zoomsUsed}, with the
  page's \`?v=0\`; ${f(sizes.reduce((a, b) => a + b, 0) / sizes.length / 1024, 1)} KB per tile on average uncompressed, largest
  ${f(Math.max(...sizes) / 1024)} KB, ${sizes.filter((n) => n === 0).length} empty) asked once to
  fill the cache, then autocannon with ${CONCURRENCY} connections for ${DURATION_S} s, \`accept-encoding: gzip\`.
- Uncached tiles: the same URLs on the real tile routes with a cache that keeps nothing (a new
  \`?v=\` does not bypass the cache: it is keyed on the data version), autocannon with 1 and
  ${UNCACHED_CONCURRENCY} connections, and again with Node's own http client (lighter: autocannon's parsing
  of large bodies competes with the server for the 2 cores); raw: the store's \`ST_AsMVT\` prepared statement for the same tiles,
  called in process with no HTTP, 1 and ${UNCACHED_CONCURRENCY} at a time. ${PASSES} passes over the tiles each, raw and
  the two HTTP passes alternating (same share of the machine's load), tiles handed out in turn so no
  two requests in flight are for the same tile; compared as time per tile.

| measure | result | target |
|---|---|---|
| first render of the country, median of ${RUNS} | ${f(firstMs)} ms (runs: ${renders.map((r) => f(r.ms)).join(', ')} ms; ready flag at ${f(middle.readyMs)} ms) | < 2,000 ms: ${met(firstMs < 2000)} |
| where the median run's time went | area lists in at ${f(middle.areasMs)} ms, last tile in at ${f(middle.lastTileMs)} ms; main-thread tasks over 50 ms: ${f(middle.longTasksMs)} ms in all, longest ${f(middle.longestTaskMs)} ms | - |
| tile requests of the first render | ${middle.tileRequests} (${Object.entries(middle.tileStatuses).map(([s, n]) => `${n} x ${s}`).join(', ')}), ${middle.requests} requests in all, zoom ${middle.zoom.toFixed(1)}, ${f(middle.villagesDrawn)} villages in the tiles | - |
| cached tiles, ${CONCURRENCY} connections | ${f(cached.perS)} tiles/s, ${f(cached.mbPerS, 1)} MB/s (${cached.failed} failed, mean latency ${cached.latencyMs.toFixed(1)} ms) | >= 2,000/s: ${met(cached.perS >= 2000)} |
| cached, only the ${smallPaths.length} tiles of ${f(SMALL_BYTES / 1024)} KB or less | ${f(cachedSmall.perS)} tiles/s, ${f(cachedSmall.mbPerS, 1)} MB/s (${cachedSmall.failed} failed) | (not the target's set) |
| raw \`ST_AsMVT\` query, one at a time | ${(1000 / one.raw).toFixed(1)} ms per tile (${f(one.raw, 1)} tiles/s) | - |
| uncached tile over HTTP, one at a time, autocannon | ${(1000 / one.uncached).toFixed(1)} ms per tile (${f(one.uncached, 1)} tiles/s, ${one.failed} failed): ${oneRatio.toFixed(2)}x raw | <= 1.25x: ${met(oneRatio <= 1.25)} |
| uncached tile over HTTP, one at a time, Node http client | ${(1000 / one.nodeClient).toFixed(1)} ms per tile: ${oneNodeRatio.toFixed(2)}x raw | <= 1.25x: ${met(oneNodeRatio <= 1.25)} |
| raw query, ${UNCACHED_CONCURRENCY} at a time | ${(1000 / many.raw).toFixed(1)} ms per tile (${f(many.raw, 1)} tiles/s) | - |
| uncached tiles over HTTP, ${UNCACHED_CONCURRENCY} connections, autocannon | ${(1000 / many.uncached).toFixed(1)} ms per tile (${f(many.uncached, 1)} tiles/s, ${many.failed} failed): ${manyRatio.toFixed(2)}x raw | <= 1.25x: ${met(manyRatio <= 1.25)} |
| uncached tiles over HTTP, ${UNCACHED_CONCURRENCY} in flight, Node http client | ${(1000 / many.nodeClient).toFixed(1)} ms per tile: ${manyNodeRatio.toFixed(2)}x raw | <= 1.25x: ${met(manyNodeRatio <= 1.25)} |
${middle.consoleErrors.length ? `\nBrowser console errors: ${middle.consoleErrors.slice(0, 3).join('; ')}\n` : ''}`);
