/**
 * The server under benchmark, in a process of its own so the load generator and the browser do
 * not share its event loop. Prints `listening <url>` once it accepts requests.
 *   DATABASE_URL=... node --import tsx scripts/bench/serve.ts [app|tiles-uncached]
 * `app` is the real app as server/main.ts builds it (without the demo load or token set-up):
 * every route, the tile cache and the built web page. `tiles-uncached` serves only the real tile
 * routes with a cache that keeps nothing, so every request runs the tile query: `?v=` cannot
 * force that, because the cache is keyed on the data's version, not on the URL.
 */
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { buildApp } from '../../server/app.js';
import { loadConfig } from '../../server/config.js';
import { openDatabase } from '../../server/db/database.js';
import { ErrorReply } from '../../server/schemas.js';
import { TileCache } from '../../server/tiles/cache.js';
import { tileRoutes } from '../../server/tiles/routes.js';

const mode = process.argv[2] ?? 'app';
if (mode !== 'app' && mode !== 'tiles-uncached') throw new Error(`Unknown mode '${mode}': app or tiles-uncached.`);

const config = loadConfig({ ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' });
if (!config.databaseUrl) throw new Error('Set DATABASE_URL to the benchmark database.');
const db = await openDatabase(config);

let app: FastifyInstance;
if (mode === 'app') {
  app = await buildApp({ db, config });
} else {
  app = Fastify({ logger: false });
  app.addSchema(ErrorReply);
  await app.register(tileRoutes, { db, tiles: { cache: new TileCache(0, 0) } });
}
await app.listen({ port: 0, host: '127.0.0.1' });
console.log(`listening http://127.0.0.1:${(app.server.address() as AddressInfo).port}`);

const shutdown = async () => {
  await app.close();
  await db.close();
  process.exit(0);
};
process.once('SIGTERM', () => void shutdown());
process.once('SIGINT', () => void shutdown());
