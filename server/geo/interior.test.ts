import { describe, expect, it } from 'vitest';
import * as turf from '@turf/turf';
import { interiorPointOfRings } from './interior.js';

const flat = (...xy: number[]) => xy;
const inside = (p: [number, number] | null, rings: number[][]) => {
  const positions = rings.map((r) => Array.from({ length: r.length / 2 }, (_, i) => [r[2 * i], r[2 * i + 1]]));
  return p !== null && turf.booleanPointInPolygon(turf.point(p), turf.polygon(positions), { ignoreBoundary: true });
};

describe('interiorPointOfRings', () => {
  it('finds a point inside a ring whose centroid lies outside, and outside its holes', () => {
    // A "C" open to the east, and the same with a hole in its back: the hole takes the middle
    // of the back's stretch, so the point goes to the wider side of it.
    const c = flat(0, 0, 100, 0, 100, 10, 10, 10, 10, 90, 100, 90, 100, 100, 0, 100, 0, 0);
    const hole = flat(2, 40, 2, 60, 5, 60, 5, 40, 2, 40);
    expect(interiorPointOfRings([c])).toEqual([5, 50]);
    const withHole = interiorPointOfRings([c, hole]);
    expect(withHole).toEqual([7.5, 50]);
    expect(inside(withHole, [c, hole])).toBe(true);
  });

  it('takes the line between vertices, never through one', () => {
    // The middle height (5) is a vertex's: the line runs between it and the next one up.
    const diamond = flat(0, 5, 5, 0, 10, 5, 5, 10, 0, 5);
    const p = interiorPointOfRings([diamond]);
    expect(p).toEqual([5, 7.5]);
    expect(inside(p, [diamond])).toBe(true);
  });

  it('gives null where no line crosses: no rings, no height, an open ring', () => {
    expect(interiorPointOfRings([])).toBeNull();
    expect(interiorPointOfRings([flat(0, 0, 10, 0, 5, 0, 0, 0)])).toBeNull();
    expect(interiorPointOfRings([flat(0, 0, 10, 0, 10, 10)])).toBeNull();
  });
});
