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
