import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import { nameLevels } from '../areas/store.js';
import type { LevelName } from '../areas/levels.js';
import { PROJECT_ROOT } from '../config.js';

export const MIGRATIONS_DIR = path.join(PROJECT_ROOT, 'migrations');

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

/** `NNN_name.sql` files in order. */
export async function readMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const names = (await fs.readdir(dir)).filter((n) => /^\d{3}_[a-z0-9_]+\.sql$/.test(n)).sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await fs.readFile(path.join(dir, name), 'utf8');
      return { name, sql, checksum: crypto.createHash('sha256').update(sql).digest('hex') };
    }),
  );
}

export class MigrationStateError extends Error {}

/**
 * The database as this code and its configuration expect it: pending migrations applied, then
 * the levels named for the country. What the server and the command-line tools do first.
 */
export async function prepareDatabase(pool: pg.Pool, levelNames: readonly LevelName[]): Promise<{ applied: string[]; renamed: number }> {
  const applied = await migrate(pool);
  return { applied, renamed: await nameLevels(pool, levelNames) };
}

/**
 * Apply pending migrations, each in its own transaction, recorded in `schema_migration`.
 * Refuses to run when the database records a migration this code does not have, or one whose
 * file has changed since it was applied: either means the code and the database disagree.
 */
export async function migrate(pool: pg.Pool, dir = MIGRATIONS_DIR): Promise<string[]> {
  const migrations = await readMigrations(dir);
  const client = await pool.connect();
  try {
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migration (
      name text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    // Two processes starting at once must not both apply the same migration.
    await client.query('SELECT pg_advisory_lock(7418001)');
    const { rows } = await client.query<{ name: string; checksum: string }>('SELECT name, checksum FROM schema_migration ORDER BY name');
    const known = new Map(migrations.map((m) => [m.name, m]));
    for (const row of rows) {
      const m = known.get(row.name);
      if (!m) {
        throw new MigrationStateError(
          `The database has migration ${row.name} applied, which this version of Tessera does not know. ` +
            'It was created by a newer or different version; run that version, or restore a matching backup.',
        );
      }
      if (m.checksum !== row.checksum) {
        throw new MigrationStateError(
          `Migration ${row.name} was changed after it was applied to this database (checksum differs). ` +
            'Applied migrations must never be edited: put the change in a new migration file.',
        );
      }
    }
    const applied = new Set(rows.map((r) => r.name));
    const done: string[] = [];
    for (const m of migrations) {
      if (applied.has(m.name)) continue;
      try {
        await client.query('BEGIN');
        await client.query(m.sql);
        await client.query('INSERT INTO schema_migration (name, checksum) VALUES ($1, $2)', [m.name, m.checksum]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw new MigrationStateError(`Migration ${m.name} failed and was rolled back: ${(err as Error).message}`);
      }
      done.push(m.name);
    }
    return done;
  } finally {
    await client.query('SELECT pg_advisory_unlock(7418001)').catch(() => undefined);
    client.release();
  }
}
