import { afterAll, describe, expect, it } from 'vitest';
import { testDatabase } from '../../test/helpers/app.js';
import { migrate, MigrationStateError, readMigrations } from './migrate.js';

const db = testDatabase();
afterAll(() => db.close());

describe('migration runner', () => {
  it('has applied every migration once, in order, and finds nothing left to do', async () => {
    const files = await readMigrations();
    const { rows } = await db.pool.query<{ name: string }>('SELECT name FROM schema_migration ORDER BY name');
    expect(rows.map((r) => r.name)).toEqual(files.map((f) => f.name));
    expect(await migrate(db.pool)).toEqual([]);
  });

  it('refuses to start on a database that has a migration this code does not know', async () => {
    await db.pool.query("INSERT INTO schema_migration (name, checksum) VALUES ('999_from_the_future.sql', 'x')");
    try {
      await expect(migrate(db.pool)).rejects.toThrow(MigrationStateError);
      await expect(migrate(db.pool)).rejects.toThrow(/999_from_the_future\.sql.*does not know/);
    } finally {
      await db.pool.query("DELETE FROM schema_migration WHERE name = '999_from_the_future.sql'");
    }
  });

  it('refuses to start when an applied migration file was edited', async () => {
    const { rows } = await db.pool.query<{ checksum: string }>("SELECT checksum FROM schema_migration WHERE name = '001_schema.sql'");
    await db.pool.query("UPDATE schema_migration SET checksum = 'edited' WHERE name = '001_schema.sql'");
    try {
      await expect(migrate(db.pool)).rejects.toThrow(/001_schema\.sql was changed after it was applied/);
    } finally {
      await db.pool.query("UPDATE schema_migration SET checksum = $1 WHERE name = '001_schema.sql'", [rows[0].checksum]);
    }
  });

  it('enforces the schema constraints in the database itself', async () => {
    // A parent two levels up is refused by the trigger even when the API is bypassed.
    await expect(
      db.pool.query(`INSERT INTO area (level, parent_id, code, name) SELECT 'ban', id, 'RAW-1', 'x' FROM area WHERE code = 'SK'`),
    ).rejects.toThrow(/one level above/);
    // An invalid (self-intersecting) polygon never reaches the table.
    await expect(
      db.pool.query(`INSERT INTO area (level, code, name, geom) VALUES ('province', 'RAW-2', 'x',
        ST_Multi(ST_GeomFromText('POLYGON((0 0, 0 1, 1 0, 1 1, 0 0))', 4326)))`),
    ).rejects.toThrow(/area_geom_check|check constraint/);
  });
});

describe('area keys (checked per statement, migration 010)', () => {
  /** Run `work` in a transaction that is always rolled back; returns the error it raised, if any. */
  async function inRolledBack(work: (q: (sql: string) => Promise<unknown>) => Promise<unknown>): Promise<{ code?: string; constraint?: string; message?: string } | null> {
    const client = await db.pool.connect();
    try {
      await client.query('BEGIN');
      await work((sql) => client.query(sql));
      return null;
    } catch (e) {
      return e as { code?: string; constraint?: string };
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  }

  it('refuses an unknown level, a missing parent and a version of a missing area, as the foreign keys did', async () => {
    expect(await inRolledBack((q) => q(`INSERT INTO area (level, code, name) VALUES ('hamlet', 'RAW-K1', 'x')`)))
      .toMatchObject({ code: '23503', constraint: 'area_level_fkey' });
    expect(await inRolledBack((q) => q(`INSERT INTO area (level, parent_id, code, name) VALUES ('district', -5, 'RAW-K2', 'x')`)))
      .toMatchObject({ code: '23503', constraint: 'area_parent_id_fkey' });
    // Among many rows of one statement, one bad parent is enough.
    expect(await inRolledBack((q) => q(`INSERT INTO area (level, parent_id, code, name)
      SELECT 'district', CASE WHEN i = 77 THEN -5 ELSE (SELECT id FROM area WHERE code = 'SK') END, 'RAW-K3-' || i, 'x' FROM generate_series(1, 100) i`)))
      .toMatchObject({ code: '23503', constraint: 'area_parent_id_fkey' });
    expect(await inRolledBack((q) => q(`INSERT INTO area_version (area_id, version, status, name) VALUES (-5, 1, 'planned', 'x')`)))
      .toMatchObject({ code: '23503', constraint: 'area_version_area_id_fkey' });
    expect(await inRolledBack((q) => q(`UPDATE area SET parent_id = -5 WHERE code = 'SK-01'`)))
      .toMatchObject({ code: '23503', constraint: 'area_parent_id_fkey' });
    // Right rows still go in.
    expect(await inRolledBack(async (q) => {
      await q(`INSERT INTO area (level, parent_id, code, name) SELECT 'district', id, 'RAW-K4', 'x' FROM area WHERE code = 'SK'`);
      // A version of an area this transaction wrote, and one of an area written before (locked).
      await q(`INSERT INTO area_version (area_id, version, status, name) SELECT id, 1, 'planned', 'x' FROM area WHERE code = 'RAW-K4'`);
      await q(`INSERT INTO area_version (area_id, version, status, name) SELECT id, 1000, 'planned', 'x' FROM area WHERE code = 'SK'`);
    })).toBeNull();
  });

  it('keeps areas that have children and levels in use, and deletes an area with its versions', async () => {
    expect(await inRolledBack((q) => q(`DELETE FROM area WHERE code = 'SK'`)))
      .toMatchObject({ code: '23503', constraint: 'area_parent_id_fkey' });
    expect(await inRolledBack((q) => q(`DELETE FROM admin_level WHERE key = 'province'`)))
      .toMatchObject({ code: '23503', constraint: 'area_level_fkey' });
    expect(await inRolledBack((q) => q(`UPDATE admin_level SET key = 'prov' WHERE key = 'province'`)))
      .toMatchObject({ code: '23503', constraint: 'area_level_fkey' });
    const left: unknown[] = [];
    expect(await inRolledBack(async (q) => {
      await q(`INSERT INTO area (level, parent_id, code, name) SELECT 'district', id, 'RAW-K5', 'x' FROM area WHERE code = 'SK'`);
      await q(`INSERT INTO area_version (area_id, version, status, name) SELECT id, v, 'planned', 'x' FROM area, generate_series(1, 3) v WHERE code = 'RAW-K5'`);
      const id = ((await q(`SELECT id FROM area WHERE code = 'RAW-K5'`)) as { rows: { id: string }[] }).rows[0].id;
      await q(`DELETE FROM area WHERE code = 'RAW-K5'`);
      left.push(...((await q(`SELECT version FROM area_version WHERE area_id = ${Number(id)}`)) as { rows: unknown[] }).rows);
    })).toBeNull();
    expect(left).toEqual([]);
  });
});
