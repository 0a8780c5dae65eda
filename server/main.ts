import { loadConfig } from './config.js';
import { openDatabase } from './db/database.js';
import { prepareDatabase } from './db/migrate.js';
import { ensureAdminToken } from './auth/tokens.js';
import { isEmpty, loadDemo } from './demo/load.js';
import { buildApp } from './app.js';

/** Start the service: configuration, database, migrations, demo data, then listen. */
async function main() {
  const config = loadConfig();
  const started = Date.now();
  const db = await openDatabase(config);
  console.log(`database: ${db.kind}${db.kind === 'embedded' ? ` (${config.dataDir})` : ''}`);
  const { applied, renamed } = await prepareDatabase(db.pool, config.levelNames);
  if (applied.length) console.log(`migrations applied: ${applied.join(', ')}`);
  if (renamed) console.log(`levels named: ${config.levelNames.map((n) => n.label).join(' > ')}`);
  const firstToken = await ensureAdminToken(db.pool, config.adminToken);
  if (firstToken) {
    console.log(`\nNo API token existed, so an admin token was created. It is shown only this once:\n\n  ${firstToken}\n`);
  }
  if (config.loadDemo && (await isEmpty(db))) {
    const demo = await loadDemo(db, config.fixturesDir);
    console.log(`demo province loaded: ${demo.areas} areas, ${demo.walks} perimeter walks`);
  }
  const app = await buildApp({ db, config });
  const shutdown = async (signal: string) => {
    console.log(`${signal}: shutting down`);
    await app.close();
    await db.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  await app.listen({ port: config.port, host: config.host });
  console.log(`Tessera is up at http://${config.host}:${config.port}/ after ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
