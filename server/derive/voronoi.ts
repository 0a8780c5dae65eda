import * as turf from '@turf/turf';
import type { Feature, MultiPolygon, Polygon, Position } from 'geojson';
import { fromLocal, localFrame, toLocal } from './local.js';

type Polygonal = Polygon | MultiPolygon;

export interface VoronoiSite {
  code: string;
  centre: Position;
}

export interface VoronoiResult {
  villages: { code: string; geometry: MultiPolygon }[];
  /** What of the parent was left for the unwalked villages, after the walked ones. */
  remaining: MultiPolygon | null;
  problems: { kind: 'NO_FACE' | 'NOTHING_LEFT'; message: string; villages?: string[] }[];
}

function asMulti(g: Polygonal): MultiPolygon {
  return g.type === 'Polygon' ? { type: 'MultiPolygon', coordinates: [g.coordinates] } : g;
}

/**
 * Provisional polygons for villages nobody has walked: the parent's land not yet taken by a
 * walked (fixed) village is shared out by nearest village centre (Voronoi cells, computed in
 * metres in a local frame so the bisectors are true perpendicular bisectors on the ground).
 * Fixed villages keep their polygons exactly; the cells only fill what remains.
 */
export function voronoiFill(input: { sites: VoronoiSite[]; parent: MultiPolygon; fixed: Polygonal[] }): VoronoiResult {
  const problems: VoronoiResult['problems'] = [];
  let remaining: Feature<Polygonal> | null = turf.feature(input.parent);
  if (input.fixed.length > 0) {
    const taken = input.fixed.length === 1 ? turf.feature(input.fixed[0]) : turf.union(turf.featureCollection(input.fixed.map((g) => turf.feature(g))));
    if (taken) remaining = turf.difference(turf.featureCollection([remaining, taken]));
  }
  if (!remaining || turf.area(remaining) < 1) {
    return { villages: [], remaining: null, problems: [{ kind: 'NOTHING_LEFT', message: 'The walked villages already cover the whole parent: there is no land left to share out.' }] };
  }
  const all = input.parent.coordinates.flat(2).concat(input.sites.map((s) => s.centre));
  const frame = localFrame(all);
  const local = input.parent.coordinates.flat(2).map((p) => toLocal(frame, p));
  const xs = local.map((p) => p[0]).concat(input.sites.map((s) => toLocal(frame, s.centre)[0]));
  const ys = local.map((p) => p[1]).concat(input.sites.map((s) => toLocal(frame, s.centre)[1]));
  const pad = 1000;
  const bbox: [number, number, number, number] = [Math.min(...xs) - pad, Math.min(...ys) - pad, Math.max(...xs) + pad, Math.max(...ys) + pad];
  // Two villages at one point would share a cell: the first keeps it, the other is reported.
  const seen = new Map<string, string>();
  const sites = input.sites.filter((s) => {
    const k = toLocal(frame, s.centre).map((v) => v.toFixed(2)).join(',');
    if (seen.has(k)) {
      problems.push({ kind: 'NO_FACE', message: `${s.code} has the same centre point as ${seen.get(k)}: move one of them.`, villages: [s.code] });
      return false;
    }
    seen.set(k, s.code);
    return true;
  });
  const cells = turf.voronoi(turf.featureCollection(sites.map((s) => turf.point(toLocal(frame, s.centre)))), { bbox });
  const villages: VoronoiResult['villages'] = [];
  sites.forEach((s, i) => {
    const cell = cells.features[i];
    if (!cell) return;
    const ring = cell.geometry.coordinates[0].map((p) => fromLocal(frame, p));
    const clipped = turf.intersect(turf.featureCollection([turf.polygon([ring]), remaining as Feature<Polygonal>]));
    if (!clipped || turf.area(clipped) < 1) {
      problems.push({ kind: 'NO_FACE', message: `No land is left around the centre of ${s.code}: its walked neighbours cover it.`, villages: [s.code] });
      return;
    }
    villages.push({ code: s.code, geometry: turf.rewind(asMulti(clipped.geometry), { reverse: false }) as MultiPolygon });
  });
  return { villages, remaining: asMulti(remaining.geometry), problems };
}
