import { describe, expect, it } from 'vitest';
import type { Area, AreaSummary, DeriveResult } from '../api/types.js';
import { methodsFor, previewFeatures, problemText } from './derive.js';

const summary = (code: string, level: AreaSummary['level']) => ({ code, level }) as AreaSummary;
const polygon = (x: number) => ({ type: 'MultiPolygon' as const, coordinates: [[[[x, 0], [x + 1, 0], [x + 1, 1], [x, 0]]]] });

describe('derive panel', () => {
  it('offers a village its own methods and a kumban or district the ones over all its villages', () => {
    expect(methodsFor(summary('V', 'ban'))).toEqual(['perimeter', 'markers']);
    expect(methodsFor(summary('K', 'kumban'))).toEqual(['segments', 'voronoi', 'dissolve']);
    expect(methodsFor(summary('D', 'district'))).toEqual(['segments', 'voronoi', 'dissolve']);
    expect(methodsFor(summary('P', 'province'))).toEqual([]);
    expect(methodsFor(null)).toEqual([]);
  });

  it('draws every derived village and the rebuilt parent', () => {
    const result: DeriveResult = {
      area: { code: 'K' } as Area,
      villages: [
        { area: summary('V1', 'ban'), geometry: polygon(0), metrics: null },
        { area: summary('V2', 'ban'), geometry: null, metrics: null },
      ],
      parent: { geometry: polygon(5), metrics: null },
      committed: false,
    };
    expect(previewFeatures(result).features.map((f) => [f.properties!.role, f.properties!.code])).toEqual([
      ['village', 'V1'],
      ['parent', 'K'],
    ]);
  });

  it('puts a problem in words', () => {
    expect(problemText({ kind: 'gap', area_m2: 1234.4 })).toBe('gap (1,234 m²)');
    expect(problemText({ kind: 'no_face', code: 'V2' })).toBe('no_face V2');
    expect(problemText({ kind: 'gap', message: 'A gap of 2 ha west of V1' })).toBe('A gap of 2 ha west of V1');
  });
});
