import type { FeatureCollection } from 'geojson';
import { describe, expect, it } from 'vitest';
import { featureBounds, orderedProblems, problemAreas } from './topology.js';

const square = (x: number, y: number, d: number) => ({ type: 'Polygon' as const, coordinates: [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]] });

describe('topology problems', () => {
  const problems: FeatureCollection = {
    type: 'FeatureCollection',
    features: [
      { type: 'Feature', geometry: square(0, 0, 1), properties: { kind: 'sliver', areas: ['A', 'B'], area_m2: 5 } },
      { type: 'Feature', geometry: square(2, 2, 1), properties: { kind: 'gap', areas: [], area_m2: 900 } },
      { type: 'Feature', geometry: square(1, 1, 0.5), properties: { kind: 'overlap', areas: ['A', 'C'], area_m2: 120 } },
      { type: 'Feature', geometry: square(3, 1, 0.5), properties: { kind: 'overlap', areas: ['B', 'C'], area_m2: 4000 } },
      { type: 'Feature', geometry: null as never, properties: { kind: 'invalid', area: 'D', reason: 'no geometry' } },
    ],
  };

  it('lists overlaps first, largest first, then gaps, and slivers last', () => {
    expect(orderedProblems(problems).map((f) => `${f.properties!.kind}:${f.properties!.area_m2 ?? '-'}`)).toEqual([
      'overlap:4000',
      'overlap:120',
      'gap:900',
      'invalid:-',
      'sliver:5',
    ]);
  });

  it('names the areas of a problem whichever way the report gives them', () => {
    expect(problemAreas(problems.features[2])).toEqual(['A', 'C']);
    expect(problemAreas(problems.features[4])).toEqual(['D']);
  });

  it('frames a problem by its geometry, and nothing without one', () => {
    expect(featureBounds(problems.features[1])).toEqual([2, 2, 3, 3]);
    expect(featureBounds(problems.features[4])).toBeNull();
  });
});
