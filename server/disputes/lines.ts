import type { LineString, Position } from 'geojson';
import { UserError } from '../errors.js';

/**
 * A claimed or agreed boundary line from a request, checked in JS before any SQL: a GeoJSON
 * LineString of at least two distinct [lon, lat] positions (elevation dropped).
 */
export function toLineString(geometry: unknown, where: string): LineString {
  const g = geometry as { type?: unknown; coordinates?: unknown };
  if (!g || typeof g !== 'object' || g.type !== 'LineString') {
    throw new UserError('WRONG_GEOMETRY_TYPE', `${where} must be a GeoJSON LineString, got ${JSON.stringify(g?.type ?? null)}.`);
  }
  if (!Array.isArray(g.coordinates)) throw new UserError('VALIDATION_FAILED', `${where}: coordinates must be an array of positions.`);
  const coordinates = g.coordinates.map((p: unknown, i: number): Position => {
    if (!Array.isArray(p) || p.length < 2 || p.length > 3 || p.some((v) => typeof v !== 'number' || !Number.isFinite(v))) {
      throw new UserError('VALIDATION_FAILED', `${where}, position ${i}: a position is [lon, lat] in numbers.`);
    }
    const [lon, lat] = p as number[];
    if (lon < -180 || lon > 180 || lat < -90 || lat > 90) {
      throw new UserError('COORDINATE_OUT_OF_RANGE', `${where}, position ${i}: [${lon}, ${lat}] is outside lon [-180, 180] / lat [-90, 90].`);
    }
    return [lon, lat];
  });
  const distinct = new Set(coordinates.map((p) => `${p[0]},${p[1]}`));
  if (distinct.size < 2) throw new UserError('VALIDATION_FAILED', `${where}: a line needs at least two distinct positions.`);
  return { type: 'LineString', coordinates };
}
