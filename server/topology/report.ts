import type { Feature, FeatureCollection, Geometry } from 'geojson';
import type { Queryable } from '../db/database.js';
import { requireArea } from '../areas/store.js';
import * as store from './store.js';

export interface TopologyOptions {
  /** Pieces smaller than this are noise and not reported, in m². */
  minM2: number;
  /** Overlaps and gaps whose mean width is below this are slivers (digitising, not disagreement), in metres. */
  sliverWidthM: number;
}

export const TOPOLOGY_DEFAULTS: TopologyOptions = { minM2: 1, sliverWidthM: 2 };

export type ProblemKind = 'overlap' | 'gap' | 'sliver' | 'outside' | 'invalid';

export interface Overlap {
  areas: [string, string];
  area_m2: number;
  width_m: number;
  geometry: Geometry;
}

export interface Gap {
  area_m2: number;
  width_m: number;
  /** Children without a polygon whose centre is in this gap: the land is theirs, not yet mapped. */
  centres_of: string[];
  geometry: Geometry;
}

export interface Sliver {
  of: 'overlap' | 'gap';
  areas: string[];
  area_m2: number;
  width_m: number;
  geometry: Geometry;
}

export interface Outside {
  area: string;
  area_m2: number;
  geometry: Geometry;
}

export interface Invalid {
  area: string;
  reason: string;
  geometry: Geometry | null;
}

export interface TopologyReport {
  parent: { id: number; code: string; name: string; level: string; has_geometry: boolean };
  thresholds: { min_m2: number; sliver_width_m: number };
  children: { total: number; with_geometry: number };
  overlaps: Overlap[];
  gaps: Gap[];
  slivers: Sliver[];
  outside: Outside[];
  invalid: Invalid[];
  totals: { overlap_m2: number; gap_m2: number; sliver_m2: number; outside_m2: number };
}

/**
 * Where a parent's children do not tile it: overlaps between siblings, gaps inside the parent,
 * slivers (thin overlaps or gaps), children sticking out of the parent, and children whose
 * geometry is missing, empty or invalid. `key` is the parent's id or code (404 when unknown).
 */
export async function topologyReport(db: Queryable, key: string | number, options: Partial<TopologyOptions> = {}): Promise<TopologyReport> {
  const o = { ...TOPOLOGY_DEFAULTS, ...options };
  const parent = await requireArea(db, key);
  const kids = await store.children(db, parent.id);
  const overlapPieces = await store.overlaps(db, parent.id, o.minM2);
  const hasGeometry = parent.area_m2 !== null;
  const gapPieces = hasGeometry ? await store.gaps(db, parent.id, o.minM2) : [];
  const outsidePieces = hasGeometry ? await store.outside(db, parent.id, o.minM2) : [];

  const thin = (p: store.Piece) => p.width_m < o.sliverWidthM;
  const overlaps = overlapPieces.filter((p) => !thin(p)).map((p) => ({ areas: [p.a, p.b] as [string, string], area_m2: p.area_m2, width_m: p.width_m, geometry: p.geometry }));
  const gaps = gapPieces.filter((p) => !thin(p)).map((p) => ({ area_m2: p.area_m2, width_m: p.width_m, centres_of: p.centres_of, geometry: p.geometry }));
  const slivers: Sliver[] = [
    ...overlapPieces.filter(thin).map((p) => ({ of: 'overlap' as const, areas: [p.a, p.b], area_m2: p.area_m2, width_m: p.width_m, geometry: p.geometry })),
    ...gapPieces.filter(thin).map((p) => ({ of: 'gap' as const, areas: p.centres_of, area_m2: p.area_m2, width_m: p.width_m, geometry: p.geometry })),
  ];
  const outside = outsidePieces.map((p) => ({ area: p.area, area_m2: p.area_m2, geometry: p.geometry }));
  const invalid = kids.filter((k) => !k.has_geometry || !k.valid).map((k) => ({ area: k.code, reason: k.reason ?? 'invalid', geometry: k.geometry }));
  const sum = (xs: { area_m2: number }[]) => xs.reduce((s, x) => s + x.area_m2, 0);
  return {
    parent: { id: parent.id, code: parent.code, name: parent.name, level: parent.level, has_geometry: hasGeometry },
    thresholds: { min_m2: o.minM2, sliver_width_m: o.sliverWidthM },
    children: { total: kids.length, with_geometry: kids.filter((k) => k.has_geometry).length },
    overlaps,
    gaps,
    slivers,
    outside,
    invalid,
    totals: { overlap_m2: sum(overlaps), gap_m2: sum(gaps), sliver_m2: sum(slivers), outside_m2: sum(outside) },
  };
}

/**
 * The report as features for a map, `properties.kind` one of overlap | gap | sliver | outside |
 * invalid. A child without any geometry is listed with a null geometry (nothing to draw).
 */
export function reportFeatures(r: TopologyReport): FeatureCollection<Geometry | null> {
  const f = (kind: ProblemKind, geometry: Geometry | null, props: Record<string, unknown>): Feature<Geometry | null> => ({
    type: 'Feature',
    geometry,
    properties: { kind, parent: r.parent.code, ...props },
  });
  return {
    type: 'FeatureCollection',
    features: [
      ...r.overlaps.map((x) => f('overlap', x.geometry, { areas: x.areas, area_m2: x.area_m2, width_m: x.width_m })),
      ...r.gaps.map((x) => f('gap', x.geometry, { area_m2: x.area_m2, width_m: x.width_m, centres_of: x.centres_of })),
      ...r.slivers.map((x) => f('sliver', x.geometry, { of: x.of, areas: x.areas, area_m2: x.area_m2, width_m: x.width_m })),
      ...r.outside.map((x) => f('outside', x.geometry, { areas: [x.area], area_m2: x.area_m2 })),
      ...r.invalid.map((x) => f('invalid', x.geometry, { areas: [x.area], reason: x.reason })),
    ],
  };
}
