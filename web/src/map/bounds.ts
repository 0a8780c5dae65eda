import type { FeatureCollection, Position } from 'geojson';
import type { AreaSummary } from '../api/types.js';

/** Bounds as `[west, south, east, north]`, the order of the API's `bbox`. */
export type Bounds = [number, number, number, number];

/**
 * The box around every area that has one: what the page shows when a link carries no view.
 * Null when no area has a box yet (an empty database).
 */
export function unionBounds(areas: readonly Pick<AreaSummary, 'bbox'>[]): Bounds | null {
  let result: Bounds | null = null;
  for (const { bbox } of areas) {
    if (!bbox || !bbox.every(Number.isFinite)) continue;
    result = result
      ? [Math.min(result[0], bbox[0]), Math.min(result[1], bbox[1]), Math.max(result[2], bbox[2]), Math.max(result[3], bbox[3])]
      : [bbox[0], bbox[1], bbox[2], bbox[3]];
  }
  return result;
}

/**
 * The box around the lines of a collection (GPS tracks): a village still to be surveyed has no
 * boundary yet, so its walks are what there is to frame. Null for an empty collection.
 */
export function linesBounds(collection: FeatureCollection): Bounds | null {
  let result: Bounds | null = null;
  const extend = ([lon, lat]: Position) => {
    result = result
      ? [Math.min(result[0], lon), Math.min(result[1], lat), Math.max(result[2], lon), Math.max(result[3], lat)]
      : [lon, lat, lon, lat];
  };
  for (const feature of collection.features) {
    const geometry = feature.geometry;
    if (geometry?.type === 'LineString') geometry.coordinates.forEach(extend);
    else if (geometry?.type === 'MultiLineString') geometry.coordinates.flat().forEach(extend);
  }
  return result;
}
