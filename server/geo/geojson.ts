import type { MultiPolygon, Point, Polygon, Position } from 'geojson';
import { UserError } from '../errors.js';

/**
 * Structural checks on GeoJSON geometry from a request, done in JS before any SQL: GEOS must
 * never see NaN or Infinity, and strings must never be coerced into coordinates.
 * Topological validity (self-intersections and so on) is PostGIS's job, afterwards.
 */
function checkPosition(p: unknown, where: string): Position {
  if (!Array.isArray(p) || p.length < 2 || p.length > 4) {
    throw new UserError('VALIDATION_FAILED', `${where}: a position must be an array [lon, lat] (optionally with elevation).`);
  }
  for (const v of p) {
    if (typeof v !== 'number') throw new UserError('VALIDATION_FAILED', `${where}: coordinates must be numbers, got ${JSON.stringify(v)}.`);
    if (!Number.isFinite(v)) throw new UserError('NON_FINITE_COORDINATE', `${where}: coordinate ${v} is not finite.`);
  }
  const [lon, lat] = p as number[];
  if (lon < -180 || lon > 180 || lat < -90 || lat > 90) {
    throw new UserError('COORDINATE_OUT_OF_RANGE', `${where}: [${lon}, ${lat}] is outside lon [-180, 180] / lat [-90, 90]; is it projected, or lat/lon swapped?`);
  }
  return [lon, lat];
}

function checkRing(ring: unknown, where: string): Position[] {
  if (!Array.isArray(ring)) throw new UserError('VALIDATION_FAILED', `${where}: a ring must be an array of positions.`);
  const positions = ring.map((p, i) => checkPosition(p, `${where}, position ${i}`));
  if (positions.length < 4) throw new UserError('DEGENERATE_POLYGON', `${where}: a ring needs at least 4 positions, got ${positions.length}.`);
  const [a, b] = [positions[0], positions[positions.length - 1]];
  if (a[0] !== b[0] || a[1] !== b[1]) {
    throw new UserError('GEOMETRY_INVALID', `${where}: the ring is not closed (first and last positions differ).`);
  }
  return positions;
}

function checkPolygon(coords: unknown, where: string): Position[][] {
  if (!Array.isArray(coords) || coords.length === 0) throw new UserError('VALIDATION_FAILED', `${where}: a polygon needs at least one ring.`);
  return coords.map((ring, i) => checkRing(ring, `${where}, ring ${i}`));
}

/** A Polygon or MultiPolygon from user input, as a 2D MultiPolygon. */
export function toMultiPolygon(geometry: unknown, where = 'geometry'): MultiPolygon {
  const g = geometry as { type?: unknown; coordinates?: unknown };
  if (!g || typeof g !== 'object') throw new UserError('VALIDATION_FAILED', `${where} must be a GeoJSON object.`);
  if (g.type === 'Polygon') return { type: 'MultiPolygon', coordinates: [checkPolygon(g.coordinates, where)] };
  if (g.type === 'MultiPolygon') {
    if (!Array.isArray(g.coordinates) || g.coordinates.length === 0) {
      throw new UserError('VALIDATION_FAILED', `${where}: a MultiPolygon needs at least one polygon.`);
    }
    return { type: 'MultiPolygon', coordinates: g.coordinates.map((p, i) => checkPolygon(p, `${where}, polygon ${i}`)) };
  }
  throw new UserError('WRONG_GEOMETRY_TYPE', `${where} must be a Polygon or MultiPolygon, got ${JSON.stringify(g.type)}.`);
}

export function toPoint(geometry: unknown, where = 'centre'): Point {
  const g = geometry as { type?: unknown; coordinates?: unknown };
  if (!g || typeof g !== 'object' || g.type !== 'Point') {
    throw new UserError('WRONG_GEOMETRY_TYPE', `${where} must be a GeoJSON Point.`);
  }
  return { type: 'Point', coordinates: checkPosition(g.coordinates, where) };
}

export type { MultiPolygon, Point, Polygon };
