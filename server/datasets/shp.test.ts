import { describe, expect, it } from 'vitest';
import { writeDbf, type DbfField } from '../export/dbf.js';
import { DbfReader } from './shp.js';

describe('DbfReader', () => {
  it('reads text cells padded with NUL bytes, as some writers pad them, without the NULs', () => {
    const fields: DbfField[] = [{ name: 'CODE', type: 'C', length: 12 }, { name: 'NAME', type: 'C', length: 20 }, { name: 'POP', type: 'N', length: 8 }];
    const dbf = writeDbf(fields, [['SK-01', 'Ban Nong', 412], ['SK-02', '', null]], new Date(Date.UTC(2026, 0, 1)));
    // Every space of the records a NUL: the padding, the deletion flags and the one inside "Ban Nong".
    for (let i = dbf.readUInt16LE(8); i < dbf.length - 1; i++) if (dbf[i] === 0x20) dbf[i] = 0;
    const reader = new DbfReader(dbf, 'utf-8', 'villages.dbf');
    const records = [reader.next(), reader.next(), reader.next()];
    expect(records).toEqual([{ CODE: 'SK-01', NAME: 'BanNong', POP: 412 }, { CODE: 'SK-02', NAME: null, POP: null }, undefined]);
  });
});
