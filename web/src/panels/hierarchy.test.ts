import { describe, expect, it } from 'vitest';
import type { AreaSummary } from '../api/types.js';
import { ancestorCodes, buildHierarchy } from './hierarchy.js';

function area(code: string, parent: string | null, name = code): AreaSummary {
  return { code, parent_code: parent, name } as AreaSummary;
}

const areas = [
  area('V2', 'K1', 'Ban Phon'),
  area('P', null),
  area('K1', 'D1'),
  area('V1', 'K1', 'Ban Don'),
  area('D1', 'P'),
];

describe('buildHierarchy', () => {
  it('nests areas under their parents, sorted by name', () => {
    const [province] = buildHierarchy(areas);
    expect(province.area.code).toBe('P');
    const kumban = province.children[0].children[0];
    expect(kumban.children.map((node) => node.area.name)).toEqual(['Ban Don', 'Ban Phon']);
  });

  it('makes an area whose parent is missing a root', () => {
    const roots = buildHierarchy([area('V9', 'GONE'), area('P', null)]);
    expect(roots.map((node) => node.area.code).sort()).toEqual(['P', 'V9']);
  });
});

describe('ancestorCodes', () => {
  const byCode = new Map(areas.map((a) => [a.code, a]));

  it('lists ancestors from the top down', () => {
    expect(ancestorCodes(byCode, 'V1')).toEqual(['P', 'D1', 'K1']);
    expect(ancestorCodes(byCode, 'P')).toEqual([]);
  });

  it('stops at a cycle in bad data', () => {
    const cyclic = new Map([
      ['A', area('A', 'B')],
      ['B', area('B', 'A')],
    ]);
    expect(ancestorCodes(cyclic, 'A')).toEqual(['B']);
  });
});
