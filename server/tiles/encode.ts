import type { Feature, Geometry } from 'geojson';
import geojsonvt from 'geojson-vt';
import vtpbf from 'vt-pbf';
import { BUFFER, EXTENT, type TileAddress } from './tile.js';

/**
 * Encodes one layer's features (lon/lat GeoJSON, already clipped to the buffered tile) as a
 * Mapbox Vector Tile, the way `ST_AsMVT` would: same extent, buffer and layer name. For
 * databases without `ST_AsMVT`. Null when nothing of the features falls in the tile.
 *
 * geojson-vt's index starts from z0 and splits down to the tile asked for; `indexMaxZoom: 0`
 * keeps it from pre-building any other tile, so the work is one path of splits.
 */
export function encodeTile(layer: string, features: readonly Feature<Geometry>[], { z, x, y }: TileAddress): Buffer | null {
  if (features.length === 0) return null;
  const index = geojsonvt(
    { type: 'FeatureCollection', features: [...features] },
    { maxZoom: z, indexMaxZoom: 0, indexMaxPoints: 0, extent: EXTENT, buffer: BUFFER, tolerance: 1 },
  );
  const tile = index.getTile(z, x, y);
  if (!tile || tile.features.length === 0) return null;
  return Buffer.from(vtpbf.fromGeojsonVt({ [layer]: tile }, { version: 2, extent: EXTENT }));
}
