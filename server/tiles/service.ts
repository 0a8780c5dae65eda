import crypto from 'node:crypto';
import type { Database } from '../db/database.js';
import { TileCache } from './cache.js';
import { encodeTile } from './encode.js';
import { dataVersion, mvtTile, supportsMvt, tileFeatures } from './store.js';
import type { TileAddress, TileLayer } from './tile.js';

/** How a tile is encoded: by PostGIS (`ST_AsMVT`) or in Node from GeoJSON (geojson-vt + vt-pbf). */
export type TileEncoder = 'postgis' | 'geojson-vt';

export interface TileServiceOptions {
  /** Force an encoder; by default PostGIS when the database has `ST_AsMVT`. */
  encoder?: TileEncoder;
  /**
   * How long a read data version is trusted, in ms. Asking for it costs a query; within this
   * window a cached tile is answered without touching the database.
   */
  versionTtlMs?: number;
  cache?: TileCache;
}

/** One rendered tile: its bytes (null = empty) and the ETag of the data it was made from. */
export interface RenderedTile {
  body: Buffer | null;
  etag: string;
  cached: boolean;
}

export interface TileService {
  readonly encoder: TileEncoder;
  readonly cache: TileCache;
  /** The ETag of the current data, for answering `If-None-Match` before rendering. */
  etag(): Promise<string>;
  /**
   * `freshness` is the page's `v` parameter: a value not seen before means the page has just
   * made an edit, so the data version is read anew instead of trusted from the last second.
   */
  render(layer: TileLayer, tile: TileAddress, freshness?: string): Promise<RenderedTile>;
  /** Encodes without the cache: what one uncached request costs. */
  renderUncached(layer: TileLayer, tile: TileAddress): Promise<Buffer | null>;
}

function etagOf(version: string): string {
  return `"${crypto.createHash('sha1').update(version).digest('base64url').slice(0, 16)}"`;
}

/**
 * Renders, caches and versions tiles. The encoder is chosen once, at start, by asking the
 * database to encode an empty row set. Identical requests that arrive while a tile is being
 * rendered share that one rendering instead of each running the query.
 */
export async function createTileService(db: Database, options: TileServiceOptions = {}): Promise<TileService> {
  const encoder: TileEncoder = options.encoder ?? ((await supportsMvt(db.pool)) ? 'postgis' : 'geojson-vt');
  const cache = options.cache ?? new TileCache();
  const ttl = options.versionTtlMs ?? 1000;
  const pending = new Map<string, Promise<Buffer | null>>();
  let version: { value: string; readAt: number } | null = null;
  let versionRead: Promise<string> | null = null;
  let lastFreshness: string | undefined;

  async function currentVersion(freshness?: string): Promise<string> {
    const forced = freshness !== undefined && freshness !== lastFreshness;
    if (forced) {
      lastFreshness = freshness;
      version = null;
    }
    if (version && Date.now() - version.readAt < ttl) return version.value;
    versionRead ??= dataVersion(db.pool)
      .then((value) => {
        version = { value, readAt: Date.now() };
        return value;
      })
      .finally(() => {
        versionRead = null;
      });
    return versionRead;
  }

  async function renderUncached(layer: TileLayer, tile: TileAddress): Promise<Buffer | null> {
    if (encoder === 'postgis') return mvtTile(db.pool, layer, tile);
    return encodeTile(layer, await tileFeatures(db.pool, layer, tile), tile);
  }

  return {
    encoder,
    cache,
    async etag() {
      return etagOf(await currentVersion());
    },
    async render(layer, tile, freshness) {
      const current = await currentVersion(freshness);
      const key = `${current}|${layer}/${tile.z}/${tile.x}/${tile.y}`;
      const hit = cache.get(key);
      if (hit !== undefined) return { body: hit, etag: etagOf(current), cached: true };
      let rendering = pending.get(key);
      if (!rendering) {
        rendering = renderUncached(layer, tile).finally(() => pending.delete(key));
        pending.set(key, rendering);
      }
      const body = await rendering;
      cache.set(key, body);
      return { body, etag: etagOf(current), cached: false };
    },
    renderUncached,
  };
}
