import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import type { Database } from '../db/database.js';
import { createTileService } from './service.js';

const TILE = { z: 6, x: 50, y: 28 };

/**
 * A database that answers the tile service's three kinds of query: the MVT probe, the data
 * version (slow, as the scan of a country's area table is) and a layer's tile. It logs when
 * each starts and ends, so a test can tell what waited for what.
 */
function fakeDatabase(versionMs: number) {
  const log: string[] = [];
  let versionValue = 'v1';
  const query = async (text: string | pg.QueryConfig) => {
    const sql = typeof text === 'string' ? text : text.text;
    if (sql.includes("'probe'")) return { rows: [] };
    if (sql.includes('concat_ws')) {
      const value = versionValue;
      log.push(`version ${value} start`);
      await new Promise((resolve) => setTimeout(resolve, versionMs));
      log.push(`version ${value} end`);
      return { rows: [{ v: value }] };
    }
    log.push('tile');
    return { rows: [{ mvt: Buffer.from('tile'), n: 1 }] };
  };
  const db = { pool: { query } as unknown as pg.Pool, kind: 'server', url: 'fake', close: async () => undefined } satisfies Database;
  return { db, log, setVersion: (value: string) => (versionValue = value) };
}

describe('tile service', () => {
  it('renders a tile it has not cached beside the data version read, not after it', async () => {
    const { db, log } = fakeDatabase(50);
    const service = await createTileService(db, { encoder: 'postgis', versionTtlMs: 0 });
    const rendered = await service.render('villages', TILE);
    expect(rendered.cached).toBe(false);
    expect(rendered.tile?.body.toString()).toBe('tile');
    expect(log).toEqual(['version v1 start', 'tile', 'version v1 end']);
  });

  it('waits for the version before rendering a tile cached under the last one, and answers from the cache', async () => {
    const { db, log } = fakeDatabase(20);
    const service = await createTileService(db, { encoder: 'postgis', versionTtlMs: 0 });
    await service.render('villages', TILE);
    log.length = 0;
    const again = await service.render('villages', TILE);
    expect(again.cached).toBe(true);
    expect(log).toEqual(['version v1 start', 'version v1 end']);
  });

  it('files a tile under the version read that it started after, and renders anew when the data changed', async () => {
    const { db, log, setVersion } = fakeDatabase(20);
    const service = await createTileService(db, { encoder: 'postgis', versionTtlMs: 0 });
    const first = await service.render('villages', TILE);
    setVersion('v2');
    log.length = 0;
    const second = await service.render('villages', TILE);
    expect(second.cached).toBe(false);
    expect(second.etag).not.toBe(first.etag);
    // Cached under v1, so it waited for the read: a rendering begun before it would not be v2's.
    expect(log).toEqual(['version v2 start', 'version v2 end', 'tile']);
    expect((await service.render('villages', TILE)).cached).toBe(true);
  });
});
