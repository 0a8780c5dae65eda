import * as turf from '@turf/turf';
import type { LineString, MultiLineString, MultiPolygon, Position } from 'geojson';
import type { Extent } from './layout.js';
import type { PrintArea, PrintDispute, PrintDisputedLine, VillageMapInput } from './model.js';
import { gridConvergenceDeg, mapPositions, utmProjection, utmZoneFor, type UtmProjection } from './utm.js';

/** A marker as printed: numbered in the map and the table, UTM coordinates rounded to metres. */
export interface SheetMarker {
  number: number;
  name: string;
  easting: number;
  northing: number;
}

/** An area with its geometry in UTM metres. */
export interface ProjectedArea {
  area: PrintArea;
  geometry: MultiPolygon | null;
}

/** The sheet's content projected to the village's UTM zone, ready to lay out. */
export interface SheetData {
  projection: UtmProjection;
  village: ProjectedArea;
  /** Where the village name goes (its stored centre, else its centre of mass), metres. */
  villageAnchor: [number, number];
  /** Bounding box of the village in metres. */
  villageExtent: Extent;
  neighbours: ProjectedArea[];
  /** The immediate parent (kumban), its boundary dashed on the map. */
  parent: ProjectedArea | null;
  /** The area shown in the inset locator: the district, else the nearest parent with a geometry. */
  insetArea: ProjectedArea | null;
  markers: SheetMarker[];
  tracks: LineString[];
  disputes: (PrintDispute & { projected: MultiPolygon })[];
  disputedLines: (PrintDisputedLine & { projected: MultiLineString })[];
  /** Grid north to true north at the village centre, degrees. */
  convergenceDeg: number;
}

/**
 * The last projected areas of an atlas, kept from page to page: the kumban and district of an
 * atlas are on every sheet, and a village is usually the neighbour of the villages printed just
 * before and after it. Bounded, so a long atlas holds a few dozen projected areas, never all.
 */
export class ProjectionCache {
  private readonly entries = new Map<string, MultiPolygon | null>();

  constructor(private readonly capacity = 32) {}

  /** The area's geometry in the zone, projected once per version while it stays in the cache. */
  projected(area: PrintArea, epsg: number, project: () => MultiPolygon | null): MultiPolygon | null {
    const key = `${area.code}@${area.version}/${epsg}`;
    if (this.entries.has(key)) {
      const hit = this.entries.get(key) ?? null;
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const geometry = project();
    this.entries.set(key, geometry);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
    return geometry;
  }
}

/**
 * Projects a village sheet's inputs into the UTM zone of the village centre. Pure: the same input
 * always gives the same numbers, which keeps the PDF bytes deterministic.
 */
export function prepareSheet(input: VillageMapInput, cache?: ProjectionCache): SheetData {
  const { village } = input;
  if (!village.geometry || village.geometry.coordinates.length === 0) {
    throw new RangeError(`village ${village.code} has no geometry to print`);
  }
  const [lonMin, latMin, lonMax, latMax] = turf.bbox(village.geometry);
  const centreLonLat = village.centre?.coordinates ?? [(lonMin + lonMax) / 2, (latMin + latMax) / 2];
  const projection = utmProjection(utmZoneFor(centreLonLat[0], centreLonLat[1]));
  const toUtm = (p: Position) => projection.forward(p);
  const project = (area: PrintArea) => (area.geometry ? mapPositions(area.geometry, toUtm) : null);
  const projectArea = (area: PrintArea): ProjectedArea => ({
    area,
    geometry: cache ? cache.projected(area, projection.zone.epsg, () => project(area)) : project(area),
  });

  const projectedVillage = projectArea(village);
  const villageGeometry = projectedVillage.geometry as MultiPolygon;
  const [minE, minN, maxE, maxN] = turf.bbox(villageGeometry);
  const villageAnchor = village.centre
    ? projection.forward(village.centre.coordinates)
    : (turf.centerOfMass(villageGeometry).geometry.coordinates as [number, number]);

  const insetSource = input.parents[1]?.geometry ? input.parents[1] : input.parents.find((p) => p.geometry);
  return {
    projection,
    village: projectedVillage,
    villageAnchor,
    villageExtent: { minE, minN, maxE, maxN },
    neighbours: input.neighbours.filter((n) => n.geometry).map(projectArea),
    parent: input.parents[0]?.geometry ? projectArea(input.parents[0]) : null,
    insetArea: insetSource ? projectArea(insetSource) : null,
    markers: input.markers.map((m, i) => {
      const [easting, northing] = projection.forward([m.lon, m.lat]);
      return { number: i + 1, name: m.name, easting: Math.round(easting), northing: Math.round(northing) };
    }),
    tracks: (input.tracks ?? []).map((t) => mapPositions(t, toUtm)),
    disputes: (input.disputes ?? []).map((d) => ({ ...d, projected: mapPositions(d.geometry, toUtm) })),
    disputedLines: (input.disputedLines ?? []).map((l) => ({ ...l, projected: mapPositions(l.geometry, toUtm) })),
    convergenceDeg: gridConvergenceDeg(projection, centreLonLat[0], centreLonLat[1]),
  };
}

/**
 * A point inside the part of a polygon that shows in the frame, for its label: the centre of
 * mass of the visible part when that lies inside it, else a point guaranteed on it. Null when
 * nothing of the area is in the frame.
 */
export function visibleLabelAnchor(geometry: MultiPolygon, frame: Extent): [number, number] | null {
  const clipped = turf.bboxClip(turf.feature(geometry), [frame.minE, frame.minN, frame.maxE, frame.maxN]);
  const polygons = (clipped.geometry as MultiPolygon).coordinates.filter((p) => p.length > 0 && p[0].length >= 4);
  if (polygons.length === 0) return null;
  const largest = polygons
    .map((p) => turf.polygon(p))
    .reduce((a, b) => (planarArea(a.geometry.coordinates[0]) >= planarArea(b.geometry.coordinates[0]) ? a : b));
  if (planarArea(largest.geometry.coordinates[0]) <= 0) return null;
  const centre = turf.centerOfMass(largest).geometry.coordinates as [number, number];
  if (turf.booleanPointInPolygon(centre, largest)) return centre;
  return turf.pointOnFeature(largest).geometry.coordinates as [number, number];
}

/** Absolute shoelace area of a ring in its own (planar) units. */
export function planarArea(ring: Position[]): number {
  let sum = 0;
  for (let i = 0; i < ring.length - 1; i++) sum += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1];
  return Math.abs(sum) / 2;
}

/**
 * Area in hectares and perimeter in kilometres as printed: the stored values when the store has
 * them (they are what was approved), else measured geodesically from the WGS84 geometry.
 */
export function villageMeasures(village: PrintArea): { areaHa: number; perimeterKm: number } {
  const geometry = village.geometry;
  const areaM2 = village.area_m2 ?? (geometry ? turf.area(geometry) : 0);
  const perimeterM =
    village.perimeter_m ??
    (geometry
      ? geometry.coordinates.flat().reduce((sum, ring) => sum + turf.length(turf.lineString(ring), { units: 'meters' }), 0)
      : 0);
  return { areaHa: areaM2 / 10_000, perimeterKm: perimeterM / 1000 };
}
