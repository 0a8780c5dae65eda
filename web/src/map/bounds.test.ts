import { describe, expect, it } from 'vitest';
import { linesBounds, unionBounds } from './bounds.js';

describe('unionBounds', () => {
  it('covers every box and skips areas without one', () => {
    expect(
      unionBounds([{ bbox: [102, 18, 102.5, 18.4] }, { bbox: null }, { bbox: [101.8, 18.2, 102.2, 18.9] }]),
    ).toEqual([101.8, 18, 102.5, 18.9]);
  });

  it('is null when nothing has a box', () => {
    expect(unionBounds([{ bbox: null }])).toBeNull();
    expect(unionBounds([])).toBeNull();
  });
});

describe('linesBounds', () => {
  it('covers every vertex of every line', () => {
    const tracks = {
      type: 'FeatureCollection' as const,
      features: [
        { type: 'Feature' as const, properties: {}, geometry: { type: 'LineString' as const, coordinates: [[106.7, 15.7], [106.8, 15.75]] } },
        { type: 'Feature' as const, properties: {}, geometry: { type: 'MultiLineString' as const, coordinates: [[[106.65, 15.8]]] } },
      ],
    };
    expect(linesBounds(tracks)).toEqual([106.65, 15.7, 106.8, 15.8]);
    expect(linesBounds({ type: 'FeatureCollection', features: [] })).toBeNull();
  });
});
