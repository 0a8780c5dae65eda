import * as turf from '@turf/turf';
import type { MultiPolygon, Polygon, Position } from 'geojson';
import { localFrame, toLocal } from './local.js';

/**
 * Accuracy measures of a derived polygon against a reference one (the demo's truth), in metres
 * in a local frame: used by the tests and the benchmark, and kept apart from the derivation.
 */

type Polygonal = Polygon | MultiPolygon;

function ringsOf(g: Polygonal): Position[][] {
  return g.type === 'Polygon' ? g.coordinates : g.coordinates.flat();
}

function distToSegment(p: Position, a: Position, b: Position): number {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2));
  return Math.hypot(a[0] + dx * t - p[0], a[1] + dy * t - p[1]);
}

/** Points every `stepM` metres along the rings, vertices included. */
function sample(rings: Position[][], stepM: number): Position[] {
  const out: Position[] = [];
  for (const r of rings) {
    for (let i = 0; i < r.length - 1; i++) {
      const [a, b] = [r[i], r[i + 1]];
      const n = Math.max(1, Math.ceil(Math.hypot(b[0] - a[0], b[1] - a[1]) / stepM));
      for (let k = 0; k < n; k++) out.push([a[0] + ((b[0] - a[0]) * k) / n, a[1] + ((b[1] - a[1]) * k) / n]);
    }
  }
  return out;
}

/** Largest distance from a point of `from` to the boundary of `to` (one direction). */
function directed(from: Position[], to: Position[][]): { d: number; at: Position } {
  let worst = { d: 0, at: from[0] };
  for (const p of from) {
    let best = Infinity;
    for (const r of to) for (let i = 0; i < r.length - 1 && best > worst.d; i++) best = Math.min(best, distToSegment(p, r[i], r[i + 1]));
    if (best > worst.d && best !== Infinity) worst = { d: best, at: p };
  }
  return worst;
}

/**
 * Hausdorff distance between the boundaries of two polygons, in metres (sampled every
 * `stepM`): the furthest any point of either boundary lies from the other boundary.
 */
export function boundaryHausdorffM(a: Polygonal, b: Polygonal, stepM = 2): number {
  const frame = localFrame(ringsOf(a).flat());
  const ra = ringsOf(a).map((r) => r.map((p) => toLocal(frame, p)));
  const rb = ringsOf(b).map((r) => r.map((p) => toLocal(frame, p)));
  return Math.max(directed(sample(ra, stepM), rb).d, directed(sample(rb, stepM), ra).d);
}

/** Intersection over union of two polygons' areas. */
export function iou(a: Polygonal, b: Polygonal): number {
  const pair = turf.featureCollection([turf.feature(a), turf.feature(b)]);
  const inter = turf.intersect(pair);
  const union = turf.union(pair);
  return inter && union ? turf.area(inter) / turf.area(union) : 0;
}
