import type { Feature, FeatureCollection, MultiPolygon } from 'geojson';
import type { ExportArea, ExportData } from './model.js';
import { orientRings, roundCoordinate } from './rings.js';

/** The attributes every area carries in GeoJSON, in a fixed order so files diff cleanly. */
export function areaProperties(area: ExportArea): Record<string, string | number | null> {
  return {
    code: area.code,
    name: area.name,
    name_local: area.name_local,
    level: area.level,
    parent: area.parent_code,
    status: area.status,
    version: area.version,
    area_m2: area.area_m2 === null ? null : Math.round(area.area_m2 * 100) / 100,
    perimeter_m: area.perimeter_m === null ? null : Math.round(area.perimeter_m * 100) / 100,
    population: area.population,
    households: area.households,
    updated_at: area.updated_at,
  };
}

/** RFC 7946 geometry: exterior rings counter-clockwise, holes clockwise, 7 decimals. */
export function rfc7946Geometry(geometry: MultiPolygon): MultiPolygon {
  const oriented = orientRings(geometry, 'ccw');
  return {
    type: 'MultiPolygon',
    coordinates: oriented.coordinates.map((polygon) => polygon.map((ring) => ring.map((p) => [roundCoordinate(p[0]), roundCoordinate(p[1])]))),
  };
}

/**
 * A GeoJSON FeatureCollection (RFC 7946, WGS84 lon/lat, no `crs` member) of the exported areas.
 * Areas without a boundary keep their place with a null geometry, as the RFC allows.
 */
export function writeGeoJson(data: ExportData): Buffer {
  const features: Feature<MultiPolygon | null>[] = data.areas.map((area) => ({
    type: 'Feature',
    id: area.code,
    geometry: area.geometry ? rfc7946Geometry(area.geometry) : null,
    properties: areaProperties(area),
  }));
  const collection: FeatureCollection<MultiPolygon | null> = { type: 'FeatureCollection', features };
  return Buffer.from(JSON.stringify(collection), 'utf8');
}
