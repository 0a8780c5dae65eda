import { describe, expect, it } from 'vitest';
import {
  chooseScale,
  formatDistance,
  formatScale,
  gridInterval,
  gridValues,
  mapTransform,
  mm,
  paddedExtent,
  roundDownNice,
  roundUpNice,
  scaleBarSpec,
} from './layout.js';

const frame = { width: 180, height: 160 };

describe('chooseScale', () => {
  it.each([
    [600, 500, 5_000],
    [900, 800, 5_000],
    [1_500, 1_200, 10_000],
    [4_000, 3_500, 25_000],
    [8_000, 6_000, 50_000],
  ])('a %i × %i m village on a 180 × 160 mm frame prints at 1:%i', (width, height, denominator) => {
    expect(chooseScale({ width, height }, frame)).toEqual({ denominator, standard: true });
  });

  it('is limited by the tighter axis', () => {
    expect(chooseScale({ width: 800, height: 1_000 }, frame).denominator).toBe(10_000);
  });

  it('falls back to a round non-standard scale for very large areas', () => {
    expect(chooseScale({ width: 15_000, height: 12_000 }, frame)).toEqual({ denominator: 100_000, standard: false });
    expect(chooseScale({ width: 30_000, height: 20_000 }, frame)).toEqual({ denominator: 250_000, standard: false });
    expect(chooseScale({ width: 900_000, height: 100 }, frame)).toEqual({ denominator: 5_000_000, standard: false });
  });
});

describe('paddedExtent', () => {
  it('adds a share of the larger side, at least the minimum margin', () => {
    expect(paddedExtent({ minE: 0, minN: 0, maxE: 1000, maxN: 500 })).toEqual({ minE: -80, minN: -80, maxE: 1080, maxN: 580 });
    expect(paddedExtent({ minE: 0, minN: 0, maxE: 100, maxN: 100 })).toEqual({ minE: -50, minN: -50, maxE: 150, maxN: 150 });
  });
});

describe('gridInterval', () => {
  it.each([
    [5_000, 200],
    [10_000, 500],
    [25_000, 1_000],
    [50_000, 2_000],
    [100_000, 5_000],
  ])('at 1:%i the grid is every %i m', (denominator, interval) => {
    expect(gridInterval(denominator)).toBe(interval);
  });
});

describe('gridValues', () => {
  it('lists multiples strictly inside the range', () => {
    expect(gridValues(681_234, 684_000, 1_000)).toEqual([682_000, 683_000]);
    expect(gridValues(1_000, 1_500, 1_000)).toEqual([]);
  });
});

describe('scale bar', () => {
  it('uses round lengths that fit', () => {
    expect(scaleBarSpec(25_000, 50)).toEqual({ segmentM: 200, segments: 5, totalM: 1_000, lengthMm: 40 });
    expect(scaleBarSpec(10_000, 50)).toEqual({ segmentM: 100, segments: 5, totalM: 500, lengthMm: 50 });
    expect(scaleBarSpec(50_000, 50)).toEqual({ segmentM: 500, segments: 4, totalM: 2_000, lengthMm: 40 });
  });

  it('labels metres and kilometres', () => {
    expect(formatDistance(0)).toBe('0');
    expect(formatDistance(200)).toBe('200 m');
    expect(formatDistance(2_500)).toBe('2.5 km');
    expect(formatScale(25_000)).toBe('1:25,000');
    expect(formatScale(100_000)).toBe('1:100,000');
  });

  it('rounds to 1-2-5 steps', () => {
    expect(roundUpNice(130)).toBe(200);
    expect(roundUpNice(501)).toBe(1_000);
    expect(roundDownNice(1_150)).toBe(1_000);
    expect(roundDownNice(4_999)).toBe(2_000);
  });
});

describe('mapTransform', () => {
  it('puts the centre in the middle of the frame and flips northings', () => {
    const t = mapTransform({ x: 10, y: 20, width: mm(100), height: mm(50) }, [500_000, 1_700_000], 10_000);
    const [x, y] = t.toPage(500_000, 1_700_000);
    expect(x).toBeCloseTo(10 + mm(50), 6);
    expect(y).toBeCloseTo(20 + mm(25), 6);
    expect(t.toPage(500_000, 1_700_100)[1]).toBeLessThan(y);
    expect(t.extent.maxE - t.extent.minE).toBeCloseTo(1_000, 6);
    const [e, n] = t.toGround(...t.toPage(500_321, 1_699_876));
    expect(e).toBeCloseTo(500_321, 6);
    expect(n).toBeCloseTo(1_699_876, 6);
  });
});
