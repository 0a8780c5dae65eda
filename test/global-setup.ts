import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { startEmbedded, type EmbeddedServer } from '../server/db/embedded.js';
import { migrate } from '../server/db/migrate.js';
import { saveToken } from '../server/auth/tokens.js';
import { loadDemo } from '../server/demo/load.js';
import { openDatabase, withTransaction } from '../server/db/database.js';
import { createArea } from '../server/areas/store.js';
import { SANDBOX_KUMBAN } from './helpers/sandbox.js';
import { PROJECT_ROOT } from '../server/config.js';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    databaseKind: 'embedded' | 'server';
    adminToken: string;
  }
}

export const TEST_ADMIN_TOKEN = 'tsr_test_admin_token_for_the_suite';


let embedded: EmbeddedServer | null = null;
let tmp: string | null = null;

/**
 * One database for the whole run: the PostGIS server named by DATABASE_URL (wiped first, so
 * it must be a database whose name says it is for tests), or a fresh embedded PGlite.
 * Migrations and the demo province are loaded once; tests add what they need on top.
 */
export async function setup(project: TestProject) {
  let url = process.env.DATABASE_URL;
  let kind: 'embedded' | 'server' = 'server';
  if (url) {
    const name = new URL(url).pathname.slice(1);
    if (!/test/i.test(name)) {
      throw new Error(`Refusing to run tests against database '${name}': the suite wipes it. Point DATABASE_URL at a database whose name contains 'test'.`);
    }
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query('DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public; CREATE EXTENSION postgis');
    await client.end();
  } else {
    kind = 'embedded';
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'tessera-test-'));
    embedded = await startEmbedded(tmp);
    url = embedded.url;
  }
  const db = await openDatabase({ databaseUrl: url, dataDir: tmp ?? '' });
  try {
    await migrate(db.pool);
    await saveToken(db.pool, 'test admin', 'admin', TEST_ADMIN_TOKEN);
    await loadDemo({ ...db, kind }, process.env.TESSERA_FIXTURES ? path.resolve(process.env.TESSERA_FIXTURES) : path.join(PROJECT_ROOT, 'fixtures'));
    await withTransaction(db.pool, (client) =>
      createArea(client, {
        level: 'kumban', parent: 'SK-04', code: SANDBOX_KUMBAN, name: 'Test sandbox', status: 'planned',
        centre: { type: 'Point', coordinates: [106.9, 15.45] },
      }, 'test setup'));
  } finally {
    await db.pool.end();
  }
  project.provide('databaseUrl', url);
  project.provide('databaseKind', kind);
  project.provide('adminToken', TEST_ADMIN_TOKEN);
}

export async function teardown() {
  await embedded?.stop();
  if (tmp) await fs.rm(tmp, { recursive: true, force: true });
}
