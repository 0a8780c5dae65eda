import { afterAll, describe, expect, it } from 'vitest';
import { testDatabase } from '../../test/helpers/app.js';
import { loadConfig } from '../config.js';
import { COUNTRY_LEVEL_NAMES, levelNamesFor } from './levels.js';
import { listLevels, nameLevels } from './store.js';

describe('level names by country', () => {
  it("takes the country's names, or TESSERA_LEVEL_NAMES top down with optional local labels", () => {
    expect(levelNamesFor('KH', undefined).map((n) => n.label)).toEqual(['Province', 'District', 'Commune', 'Village']);
    expect(levelNamesFor('KH', undefined)[2].label_local).toBe('ឃុំ');
    expect(levelNamesFor('LA', '  ')).toBe(COUNTRY_LEVEL_NAMES.LA);
    expect(levelNamesFor('LA', 'Region|Région, Cercle ,Commune|Commune,Village')).toEqual([
      { label: 'Region', label_local: 'Région' },
      { label: 'Cercle', label_local: null },
      { label: 'Commune', label_local: 'Commune' },
      { label: 'Village', label_local: null },
    ]);
    expect(loadConfig({ TESSERA_COUNTRY: 'ml' }).levelNames.map((n) => n.label)).toEqual(['Region', 'Cercle', 'Commune', 'Village']);
  });

  it('refuses a list it cannot read, naming the setting and the entry', () => {
    expect(() => levelNamesFor('LA', 'Region,,Commune,Village')).toThrow("TESSERA_LEVEL_NAMES: level 2 ('') must be 'Label' or 'Label|local label'");
    expect(() => levelNamesFor('LA', 'Region|Région|x')).toThrow('level 1');
    expect(() => levelNamesFor('LA', 'Region|')).toThrow('level 1');
    expect(() => loadConfig({ TESSERA_COUNTRY: 'FR' })).toThrow("TESSERA_COUNTRY 'FR' has no level names");
  });
});

describe('naming the stored levels', () => {
  const db = testDatabase();
  afterAll(() => db.close());

  it('renames the levels by rank, keys unchanged, and only where a name differs', async () => {
    const client = await db.pool.connect();
    try {
      await client.query('BEGIN');
      expect(await nameLevels(client, COUNTRY_LEVEL_NAMES.LA)).toBe(0);
      expect(await nameLevels(client, COUNTRY_LEVEL_NAMES.TM)).toBe(4);
      const levels = await listLevels(client);
      expect(levels.map((l) => [l.key, l.label, l.label_local])).toEqual([
        ['province', 'Velayat', 'Welaýat'],
        ['district', 'Etrap', 'Etrap'],
        ['kumban', 'Gengeshi', 'Geňeşlik'],
        ['ban', 'Village', 'Oba'],
      ]);
      expect(await nameLevels(client, COUNTRY_LEVEL_NAMES.TM)).toBe(0);
      await expect(nameLevels(client, COUNTRY_LEVEL_NAMES.TM.slice(0, 3))).rejects.toThrow('3 level names were given for 4 levels (province, district, kumban, ban)');
      expect((await listLevels(client))[0].label).toBe('Velayat');
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });
});
