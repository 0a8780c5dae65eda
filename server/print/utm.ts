import proj4 from 'proj4';
import type { Geometry, Position } from 'geojson';

/** A WGS84 UTM zone: the projected CRS a surveyor reads coordinates from on a printed sheet. */
export interface UtmZone {
  zone: number;
  hemisphere: 'N' | 'S';
  /** EPSG code (326zz north, 327zz south), printed so GIS users can match the sheet. */
  epsg: number;
  /** Human name as EPSG spells it, e.g. "WGS 84 / UTM zone 48N". */
  name: string;
}

/**
 * The UTM zone a point falls in, including the Norway and Svalbard exceptions, so a village is
 * printed in the same zone that national survey sheets and handheld GPS units use.
 */
export function utmZoneFor(lon: number, lat: number): UtmZone {
  if (!Number.isFinite(lon) || !Number.isFinite(lat) || lat < -80 || lat > 84) {
    throw new RangeError(`no UTM zone for lon ${lon}, lat ${lat} (UTM covers 80°S to 84°N)`);
  }
  const normalisedLon = ((((lon + 180) % 360) + 360) % 360) - 180;
  let zone = Math.min(60, Math.floor((normalisedLon + 180) / 6) + 1);
  if (lat >= 56 && lat < 64 && normalisedLon >= 3 && normalisedLon < 12) zone = 32;
  if (lat >= 72) {
    if (normalisedLon >= 0 && normalisedLon < 9) zone = 31;
    else if (normalisedLon >= 9 && normalisedLon < 21) zone = 33;
    else if (normalisedLon >= 21 && normalisedLon < 33) zone = 35;
    else if (normalisedLon >= 33 && normalisedLon < 42) zone = 37;
  }
  const hemisphere = lat >= 0 ? 'N' : 'S';
  return {
    zone,
    hemisphere,
    epsg: (hemisphere === 'N' ? 32600 : 32700) + zone,
    name: `WGS 84 / UTM zone ${zone}${hemisphere}`,
  };
}

/** Forward and inverse transforms between WGS84 lon/lat and one UTM zone (metres). */
export interface UtmProjection {
  zone: UtmZone;
  forward(lonLat: Position): [number, number];
  inverse(eastNorth: Position): [number, number];
}

/** Builds the proj4 transform for a zone; proj4 runs locally, no definition is fetched. */
export function utmProjection(zone: UtmZone): UtmProjection {
  const definition = `+proj=utm +zone=${zone.zone}${zone.hemisphere === 'S' ? ' +south' : ''} +datum=WGS84 +units=m +no_defs`;
  const converter = proj4('EPSG:4326', definition);
  return {
    zone,
    forward: (p) => {
      const [e, n] = converter.forward([p[0], p[1]]);
      return [e, n];
    },
    inverse: (p) => {
      const [lon, lat] = converter.inverse([p[0], p[1]]);
      return [lon, lat];
    },
  };
}

/**
 * Applies a coordinate transform to every position of a geometry, returning a new geometry
 * (the input is not mutated) so lon/lat inputs can be drawn in metres or page points.
 */
export function mapPositions<G extends Geometry>(geometry: G, transform: (p: Position) => Position): G {
  const ring = (positions: Position[]) => positions.map(transform);
  switch (geometry.type) {
    case 'Point':
      return { ...geometry, coordinates: transform(geometry.coordinates) };
    case 'MultiPoint':
    case 'LineString':
      return { ...geometry, coordinates: ring(geometry.coordinates) };
    case 'MultiLineString':
    case 'Polygon':
      return { ...geometry, coordinates: geometry.coordinates.map(ring) };
    case 'MultiPolygon':
      return { ...geometry, coordinates: geometry.coordinates.map((polygon) => polygon.map(ring)) };
    case 'GeometryCollection':
      return { ...geometry, geometries: geometry.geometries.map((g) => mapPositions(g, transform)) };
  }
}

/**
 * Angle in degrees from grid north to true north at a point (positive when true north lies
 * east of grid north), printed beside the north arrow because the two differ away from the
 * central meridian.
 */
export function gridConvergenceDeg(projection: UtmProjection, lon: number, lat: number): number {
  const [e0, n0] = projection.forward([lon, lat]);
  const [e1, n1] = projection.forward([lon, lat + 0.01]);
  return (Math.atan2(e1 - e0, n1 - n0) * 180) / Math.PI;
}
