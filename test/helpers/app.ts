import pg from 'pg';
import { afterAll, beforeAll, inject } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../server/app.js';
import { loadConfig } from '../../server/config.js';
import type { Database } from '../../server/db/database.js';

/** The suite's database (see test/global-setup.ts), as the app sees it. */
export function testDatabase(): Database {
  const url = inject('databaseUrl');
  // The embedded database takes one connection at a time (see server/db/database.ts).
  const pool = new pg.Pool({ connectionString: url, max: inject('databaseKind') === 'embedded' ? 1 : 4 });
  return { pool, kind: inject('databaseKind'), url, close: () => pool.end() };
}

export const adminAuth = () => ({ authorization: `Bearer ${inject('adminToken')}` });

/** The real app on the suite's database, for `app.inject()`; nothing listens on a port. */
export async function testApp(env: Record<string, string> = {}): Promise<{ app: FastifyInstance; db: Database }> {
  const db = testDatabase();
  const config = loadConfig({ ...process.env, LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', ...env });
  const app = await buildApp({ db, config: { ...config, databaseUrl: db.url } });
  return { app, db };
}

/**
 * Builds the real app before a test file's tests and closes it after them, handing it to
 * `use` (typically `useTestApp((t) => ({ app, db } = t))`).
 */
export function useTestApp(use: (t: { app: FastifyInstance; db: Database }) => void, env: Record<string, string> = {}): void {
  let built: { app: FastifyInstance; db: Database } | null = null;
  beforeAll(async () => {
    built = await testApp(env);
    use(built);
  });
  afterAll(async () => {
    await built?.app.close();
    await built?.db.close();
  });
}

/** Row counts of the named tables, keyed by table: taken before and after a refused upload to show it left nothing. */
export async function tableCounts(db: Database, tables: readonly string[]): Promise<Record<string, number>> {
  const { rows } = await db.pool.query<Record<string, number>>(
    `SELECT ${tables.map((t) => `(SELECT count(*) FROM ${pg.escapeIdentifier(t)})::int AS ${pg.escapeIdentifier(t)}`).join(', ')}`,
  );
  return rows[0];
}

/** What a GPS upload writes. */
export const GPS_TABLES = ['upload', 'track', 'reading', 'marker'] as const;
