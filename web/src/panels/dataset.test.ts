import { describe, expect, it } from 'vitest';
import type { DatasetReport } from '../api/types.js';
import { initialMapping, mappingFields, mappingProblem } from './dataset.js';

const report = (over: Partial<DatasetReport> = {}): DatasetReport => ({
  file: 'villages.zip',
  layer: 'villages',
  layers: ['villages'],
  format: 'shapefile',
  crs: 'EPSG:32648',
  datum: 'WGS 84',
  crs_proposals: [],
  encoding: { encoding: 'utf-8', source: 'cpg' },
  features: 2,
  geometry_types: { Polygon: 2 },
  bbox: [106, 15, 107, 16],
  fields: [
    { name: 'VIL_CODE', type: 'C', samples: ['SK-01-01-001'] },
    { name: 'NAME_E', type: 'C', samples: ['Ban Kok Ling'] },
    { name: 'NAME_LO', type: 'C', samples: ['ບ້ານກົກລິ້ງ'] },
    { name: 'POP', type: 'N', samples: ['412'] },
  ],
  problems: [],
  repairs: [],
  created: 0,
  updated: 0,
  skipped: 0,
  warnings: [],
  ...over,
});

describe('dataset mapping', () => {
  it('starts from the field names a mapper would pick', () => {
    const mapping = initialMapping(report(), 'ban', 'SK-01-01');
    expect(mapping.fields).toEqual({ code: 'VIL_CODE', name: 'NAME_E', name_local: 'NAME_LO', population: 'POP' });
    expect(mapping).toMatchObject({ level: 'ban', parent: 'SK-01-01', parentByContainment: false, crs: '' });
  });

  it('prefers the server suggestion and takes the proposed CRS inside the target when the files have none', () => {
    const mapping = initialMapping(
      report({
        crs: null,
        suggested_fields: { name: 'NAME_LO' },
        crs_proposals: [
          { crs: 'EPSG:32647', datum: 'WGS 84', inTarget: false },
          { crs: 'EPSG:3148', datum: 'Indian 1960', inTarget: true },
        ],
      }),
      '',
      '',
    );
    expect(mapping.fields.name).toBe('NAME_LO');
    expect(mapping.fields.name_local).toBeUndefined();
    expect(mapping.crs).toBe('EPSG:3148');
    expect(mapping.parentByContainment).toBe(true);
  });

  it('writes the multipart fields of the API', () => {
    const mapping = initialMapping(report(), 'ban', 'SK-01-01');
    expect(mappingFields(mapping)).toEqual({
      level: 'ban',
      parent: 'SK-01-01',
      fields: 'code=VIL_CODE,name=NAME_E,name_local=NAME_LO,population=POP',
      crs: '',
      layer: 'villages',
    });
    expect(mappingFields({ ...mapping, parentByContainment: true }).parent).toBe('contains');
    expect(mappingFields({ ...mapping, fields: { ...mapping.fields, parent: 'KB_CODE' } }).parent).toBe('');
  });

  it('says what is missing before an import can run', () => {
    const base = initialMapping(report(), 'ban', '');
    expect(mappingProblem(base, report())).toBeNull();
    expect(mappingProblem({ ...base, level: '' }, report())).toBe('dataset.needLevel');
    expect(mappingProblem({ ...base, fields: { name: 'NAME_E' } }, report())).toBe('dataset.needCode');
    expect(mappingProblem(base, report({ crs: null }))).toBe('dataset.needCrs');
  });
});
