import * as turf from '@turf/turf';
import type { Feature, MultiPolygon, Polygon, Position } from 'geojson';
import { UserError } from '../errors.js';
import { fromLocal, localFrame, toLocal, type LocalFrame } from './local.js';

export interface PerimeterOptions {
  /** Largest gap between the walk's end and its start that is closed automatically, in metres. */
  closeGapM: number;
  /** Douglas-Peucker tolerance in metres: smooths GPS scatter, keeps corners longer than this. */
  simplifyM: number;
  /** Loops cut off by a self-crossing smaller than this share of the polygon are noise. */
  minPieceShare: number;
}

export const PERIMETER_DEFAULTS: PerimeterOptions = { closeGapM: 100, simplifyM: 8, minPieceShare: 0.02 };

function dist(a: Position, b: Position): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1]);
}

/**
 * Chain several walked lines into one: start from the longest, then repeatedly attach the line
 * whose nearer end is closest to the chain's end (reversed when walked the other way).
 */
export function chainLines(lines: Position[][]): Position[] {
  const pending = lines.filter((l) => l.length >= 2).map((l) => [...l]);
  if (pending.length === 0) return [];
  pending.sort((a, b) => b.length - a.length);
  const chain = pending.shift()!;
  while (pending.length) {
    const end = chain[chain.length - 1];
    let best = 0;
    let reverse = false;
    let bestD = Infinity;
    pending.forEach((l, i) => {
      const dStart = dist(end, l[0]);
      const dEnd = dist(end, l[l.length - 1]);
      if (dStart < bestD) [bestD, best, reverse] = [dStart, i, false];
      if (dEnd < bestD) [bestD, best, reverse] = [dEnd, i, true];
    });
    const next = pending.splice(best, 1)[0];
    chain.push(...(reverse ? next.reverse() : next));
  }
  return chain;
}

function ringArea(ring: Position[]): number {
  let s = 0;
  for (let i = 0, n = ring.length; i < n - 1; i++) s += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1];
  return Math.abs(s) / 2;
}

/**
 * The polygon a perimeter walk encloses. Works in a local metric frame so every tolerance is
 * in metres; closes the ring when the walker ended near the start; simplifies away GPS
 * scatter; and resolves self-crossings, keeping the real body and dropping noise loops.
 * Input lines are WGS84 [lon, lat]; the result is a WGS84 MultiPolygon.
 */
export function perimeterPolygon(lines: Position[][], options: Partial<PerimeterOptions> = {}): MultiPolygon {
  const opts = { ...PERIMETER_DEFAULTS, ...options };
  const all = lines.flat();
  if (all.length < 4) throw new UserError('NOT_ENOUGH_DATA', `A perimeter needs at least 4 kept readings; the walk has ${all.length}.`);
  const frame: LocalFrame = localFrame(all);
  const chain = chainLines(lines.map((l) => l.map((p) => toLocal(frame, p))));
  const gap = dist(chain[0], chain[chain.length - 1]);
  if (gap > opts.closeGapM) {
    throw new UserError(
      'TRACK_NOT_CLOSED',
      `The walked boundary ends ${Math.round(gap)} m from its start (at most ${opts.closeGapM} m is closed automatically). Upload the missing stretch, or derive from boundary segments.`,
      [{ gap_m: Math.round(gap), close_gap_m: opts.closeGapM }],
    );
  }
  const ring = [...chain, chain[0]];
  const simplified = turf.simplify(turf.polygon([ring]), { tolerance: opts.simplifyM, highQuality: true, mutate: false });
  const pieces = turf.unkinkPolygon(simplified as Feature<Polygon>).features.map((f) => f.geometry.coordinates);
  const areas = pieces.map((p) => ringArea(p[0]));
  const largest = Math.max(...areas);
  if (!(largest > 0)) throw new UserError('DEGENERATE_POLYGON', 'The walk encloses no area (all readings lie on a line).');
  const kept = pieces.filter((_, i) => areas[i] >= largest * opts.minPieceShare);
  let body: Feature<Polygon | MultiPolygon> = turf.polygon(kept[0]);
  for (const p of kept.slice(1)) body = turf.union(turf.featureCollection([body, turf.polygon(p)])) as Feature<Polygon | MultiPolygon>;
  const polys = body.geometry.type === 'Polygon' ? [body.geometry.coordinates] : body.geometry.coordinates;
  const out: MultiPolygon = {
    type: 'MultiPolygon',
    coordinates: polys.map((poly) => poly.map((r) => r.map((p) => fromLocal(frame, p)))),
  };
  return turf.rewind(out, { reverse: false }) as MultiPolygon;
}

/** Metrics every derived polygon carries. */
export interface PolygonMetrics {
  area_ha: number;
  perimeter_km: number;
  vertices: number;
}

export function polygonMetrics(geometry: MultiPolygon): PolygonMetrics {
  const area = turf.area(geometry);
  let length = 0;
  for (const poly of geometry.coordinates) for (const ring of poly) length += turf.length(turf.lineString(ring), { units: 'kilometers' });
  const vertices = geometry.coordinates.reduce((n, poly) => n + poly.reduce((m, r) => m + r.length - 1, 0), 0);
  return { area_ha: round(area / 10_000, 4), perimeter_km: round(length, 4), vertices };
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
