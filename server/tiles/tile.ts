import { UserError } from '../errors.js';

/** The layers served as vector tiles; the name is also the MVT layer name inside the tile. */
export const TILE_LAYERS = ['districts', 'kumbans', 'villages', 'tracks', 'markers', 'disputes', 'labels'] as const;
export type TileLayer = (typeof TILE_LAYERS)[number];

/** Deepest zoom served: ~2.4 cm per tile unit, finer than any GPS fix. */
export const MAX_ZOOM = 22;
/** Tile coordinate space of every encoded tile (the MVT default). */
export const EXTENT = 4096;
/** Tile units drawn beyond each edge, so outlines and casings do not stop at tile seams. */
export const BUFFER = 64;

/**
 * Zoom from which village tiles carry names. Further out the map labels districts and kumbans
 * only, and the names of a country's villages would be most of the bytes of its few tiles
 * (a third of a 670 KB z6 tile) for nothing drawn; code and status still identify and colour
 * each village. Matches the web map's VILLAGE_LABEL_MIN_ZOOM.
 */
export const VILLAGE_NAMES_MIN_ZOOM = 9;

export interface TileAddress {
  z: number;
  x: number;
  y: number;
}

/** A lon/lat box: west, south, east, north. */
export type LonLatBox = [number, number, number, number];

export function isTileLayer(name: string): name is TileLayer {
  return (TILE_LAYERS as readonly string[]).includes(name);
}

/**
 * Tiles that carry several layers in one answer, each still under its own layer name, so a
 * map that draws them together asks once per tile instead of once per layer. `zoning` is what
 * the web map draws of the areas, names included: a country's first view is 6 requests instead of 24, and
 * MapLibre keeps one source (one set of tile clipping masks per frame) instead of four.
 * Concatenated MVT tiles are a valid MVT: a tile is a list of layers.
 */
export const TILE_BUNDLES = {
  zoning: ['villages', 'kumbans', 'districts', 'disputes', 'labels'],
} as const satisfies Record<string, readonly TileLayer[]>;
export type TileBundle = keyof typeof TILE_BUNDLES;
/** What a tile URL may name: one layer or a bundle of layers. */
export type TileName = TileLayer | TileBundle;
export const TILE_NAMES: readonly TileName[] = [...TILE_LAYERS, ...(Object.keys(TILE_BUNDLES) as TileBundle[])];

export function isTileName(name: string): name is TileName {
  return (TILE_NAMES as readonly string[]).includes(name);
}

/** The layers a tile name stands for, in the order they are put in the tile. */
export function layersOf(name: TileName): readonly TileLayer[] {
  return isTileLayer(name) ? [name] : TILE_BUNDLES[name];
}

function tileInteger(name: string, raw: string, max: number, address: string): number {
  if (!/^\d{1,10}$/.test(raw) || Number(raw) > max) {
    throw new UserError('TILE_OUT_OF_RANGE', `Tile ${address}: ${name} must be a whole number from 0 to ${max}, got '${raw}'.`, [
      { field: name, value: raw, min: 0, max },
    ]);
  }
  return Number(raw);
}

/**
 * Reads `z/x/y` from the URL and checks it names a real tile: 0 ≤ z ≤ MAX_ZOOM and
 * 0 ≤ x, y < 2^z. Checked here, before any SQL, because `ST_TileEnvelope` answers an
 * impossible tile with an error that would otherwise surface as a 500.
 */
export function parseTileAddress(z: string, x: string, y: string): TileAddress {
  const address = `${z}/${x}/${y}`;
  const zoom = tileInteger('z', z, MAX_ZOOM, address);
  const last = 2 ** zoom - 1;
  return { z: zoom, x: tileInteger('x', x, last, address), y: tileInteger('y', y, last, address) };
}

const MERCATOR_MAX_LAT = 85.0511287798066;

function tileXToLon(x: number, z: number): number {
  return (x / 2 ** z) * 360 - 180;
}

function tileYToLat(y: number, z: number): number {
  const n = Math.PI - (2 * Math.PI * y) / 2 ** z;
  return (180 / Math.PI) * Math.atan(Math.sinh(n));
}

/**
 * The tile's footprint in lon/lat, widened by `bufferUnits` tile units on each side (clamped
 * to the Web Mercator world). Web Mercator keeps meridians and parallels straight, so a tile is
 * an exact lon/lat rectangle: a constant box that lets `geom && box` use the GiST index.
 */
export function tileLonLatBox({ z, x, y }: TileAddress, bufferUnits = 0): LonLatBox {
  const pad = bufferUnits / EXTENT;
  const west = Math.max(-180, tileXToLon(x - pad, z));
  const east = Math.min(180, tileXToLon(x + 1 + pad, z));
  const north = Math.min(MERCATOR_MAX_LAT, tileYToLat(y - pad, z));
  const south = Math.max(-MERCATOR_MAX_LAT, tileYToLat(y + 1 + pad, z));
  return [west, south, east, north];
}

/**
 * Simplification tolerance in degrees for a zoom: a quarter of a 512-px screen pixel at the
 * equator, so simplified outlines are indistinguishable from the originals on screen while a
 * province-wide tile carries a fraction of the vertices. Zero at the deepest zooms, where
 * the field geometry is shown as walked.
 */
export function simplifyToleranceDegrees(z: number): number {
  if (z >= 16) return 0;
  return 360 / 2 ** z / 512 / 4;
}

/** The tile at zoom `z` that contains a lon/lat point. */
export function tileContaining(lon: number, lat: number, z: number): TileAddress {
  const n = 2 ** z;
  const clampedLat = Math.max(-MERCATOR_MAX_LAT, Math.min(MERCATOR_MAX_LAT, lat));
  const rad = (clampedLat * Math.PI) / 180;
  const x = Math.floor(((lon + 180) / 360) * n);
  const y = Math.floor(((1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2) * n);
  return { z, x: Math.min(n - 1, Math.max(0, x)), y: Math.min(n - 1, Math.max(0, y)) };
}
