import * as turf from '@turf/turf';
import type { Position } from 'geojson';
import { describe, expect, it } from 'vitest';
import { UserError } from '../errors.js';
import { chainLines, perimeterPolygon, polygonMetrics } from './perimeter.js';

// A 1 km x 1 km square walked anticlockwise near 15.4 N, one fix every ~10 m.
const LON_M = 111_320 * Math.cos((15.4 * Math.PI) / 180);
const LAT_M = 110_574;
function squareWalk(sizeM = 1000, stepM = 10, jitterM = 0): Position[] {
  const pts: Position[] = [];
  const corners = [[0, 0], [sizeM, 0], [sizeM, sizeM], [0, sizeM], [0, 0]];
  let k = 0;
  for (let i = 0; i < 4; i++) {
    const [x0, y0] = corners[i];
    const [x1, y1] = corners[i + 1];
    for (let d = 0; d < sizeM; d += stepM) {
      // deterministic zig-zag jitter, alternating sides of the line
      const j = jitterM * (k++ % 2 === 0 ? 1 : -1);
      const t = d / sizeM;
      const x = x0 + (x1 - x0) * t + (y1 !== y0 ? j : 0);
      const y = y0 + (y1 - y0) * t + (x1 !== x0 ? j : 0);
      pts.push([106.7 + x / LON_M, 15.4 + y / LAT_M]);
    }
  }
  return pts;
}

describe('perimeterPolygon', () => {
  it('encloses a walked square with its true area', () => {
    const poly = perimeterPolygon([squareWalk()]);
    expect(turf.area(poly) / 1e6).toBeCloseTo(1.0, 2);
    expect(poly.coordinates).toHaveLength(1);
    expect(turf.booleanValid(poly)).toBe(true);
  });

  it('smooths GPS scatter but keeps the corners', () => {
    const noisy = perimeterPolygon([squareWalk(1000, 10, 4)]);
    const m = polygonMetrics(noisy);
    expect(m.area_ha).toBeGreaterThan(99);
    expect(m.area_ha).toBeLessThan(101);
    // Simplification at 8 m removes the 4 m zig-zag: a few vertices, not hundreds.
    expect(m.vertices).toBeLessThan(40);
    expect(m.perimeter_km).toBeGreaterThan(3.95);
    expect(m.perimeter_km).toBeLessThan(4.1);
  });

  it('chains a walk done in two pieces, one walked backwards', () => {
    const walk = squareWalk();
    const half = Math.floor(walk.length / 2);
    const poly = perimeterPolygon([walk.slice(0, half), walk.slice(half).reverse()]);
    expect(turf.area(poly) / 1e6).toBeCloseTo(1.0, 2);
  });

  it('refuses a walk that ends far from its start, saying how far', () => {
    const open = squareWalk().slice(0, -30); // stops 310 m short of its start
    try {
      perimeterPolygon([open]);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(UserError);
      expect((e as UserError).code).toBe('TRACK_NOT_CLOSED');
      expect((e as UserError).message).toMatch(/ends 310 m from its start/);
    }
  });

  it('drops a small loop where the walker crossed their own path', () => {
    const walk = squareWalk();
    // a 30 m loop out and back across the line on the south side
    const loop: Position[] = [[106.7 + 500 / LON_M, 15.4 - 15 / LAT_M], [106.7 + 470 / LON_M, 15.4 + 15 / LAT_M]];
    const withLoop = [...walk.slice(0, 48), ...loop, ...walk.slice(48)];
    const poly = perimeterPolygon([withLoop]);
    expect(turf.booleanValid(poly)).toBe(true);
    expect(turf.area(poly) / 1e6).toBeCloseTo(1.0, 2);
  });

  it('does not mutate its input', () => {
    const walk = squareWalk();
    const copy = JSON.parse(JSON.stringify(walk));
    perimeterPolygon([walk]);
    expect(walk).toEqual(copy);
  });
});

describe('chainLines', () => {
  it('attaches the nearest line end first', () => {
    expect(chainLines([[[0, 0], [1, 0], [2, 0]], [[5, 0], [4, 0]], [[2.1, 0], [3, 0]]])).toEqual([
      [0, 0], [1, 0], [2, 0], [2.1, 0], [3, 0], [4, 0], [5, 0],
    ]);
  });
});
