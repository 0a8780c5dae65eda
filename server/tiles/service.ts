import crypto from 'node:crypto';
import zlib from 'node:zlib';
import type { Database } from '../db/database.js';
import { TileCache, type EncodedTile } from './cache.js';
import { encodeTile } from './encode.js';
import { dataVersion, mvtTile, supportsMvt, tileFeatures } from './store.js';
import { layersOf, type TileAddress, type TileLayer, type TileName } from './tile.js';

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

/**
 * Tiles smaller than this are not gzipped: they fit in one packet either way, and the gzip
 * header and the client's inflating would outweigh the bytes saved.
 */
export const GZIP_MIN_BYTES = 1024;

/** One rendered tile: its bytes (null = empty) and the ETag of the data it was made from. */
export interface RenderedTile {
  tile: EncodedTile | null;
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
  render(name: TileName, tile: TileAddress, freshness?: string): Promise<RenderedTile>;
  /** Encodes without the cache: what one uncached request costs. */
  renderUncached(name: TileName, tile: TileAddress): Promise<Buffer | null>;
}

function etagOf(version: string): string {
  return `"${crypto.createHash('sha1').update(version).digest('base64url').slice(0, 16)}"`;
}

/** `etagOf`, hashed once per data version rather than once per request. */
function memoisedEtag(): (version: string) => string {
  let last: { version: string; etag: string } | null = null;
  return (version) => {
    if (last?.version !== version) last = { version, etag: etagOf(version) };
    return last.etag;
  };
}

/**
 * Renders, caches and versions tiles. The encoder is chosen once, at start, by asking the
 * database to encode an empty row set. Identical requests that arrive while a tile is being
 * rendered share that one rendering instead of each running the query.
 *
 * A tile is gzipped once, after its first answer has gone out (in zlib's thread pool, off the
 * request's path): the first request gets the plain bytes without waiting for compression,
 * later ones the stored gzip.
 */
export async function createTileService(db: Database, options: TileServiceOptions = {}): Promise<TileService> {
  const encoder: TileEncoder = options.encoder ?? ((await supportsMvt(db.pool)) ? 'postgis' : 'geojson-vt');
  const cache = options.cache ?? new TileCache();
  const ttl = options.versionTtlMs ?? 1000;
  const pending = new Map<string, Promise<Buffer | null>>();
  let version: { value: string; readAt: number } | null = null;
  let versionRead: Promise<string> | null = null;
  let lastFreshness: string | undefined;
  const etagFor = memoisedEtag();

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

  async function renderLayer(layer: TileLayer, tile: TileAddress): Promise<Buffer | null> {
    if (encoder === 'postgis') return mvtTile(db.pool, layer, tile);
    return encodeTile(layer, await tileFeatures(db.pool, layer, tile), tile);
  }

  /** A bundle's layers are made side by side and their tiles joined; null when all are empty. */
  async function renderUncached(name: TileName, tile: TileAddress): Promise<Buffer | null> {
    const layers = layersOf(name);
    if (layers.length === 1) return renderLayer(layers[0], tile);
    const parts = (await Promise.all(layers.map((layer) => renderLayer(layer, tile)))).filter((part) => part !== null);
    return parts.length ? Buffer.concat(parts) : null;
  }

  function compressLater(key: string, body: Buffer): void {
    // Nothing to compress for when the cache did not keep the tile (too big, or a cache that
    // keeps nothing): the work would only compete with the next tile's query.
    if (body.length < GZIP_MIN_BYTES || cache.get(key)?.body !== body) return;
    zlib.gzip(body, (err, gzip) => {
      // The entry may have been replaced or evicted meanwhile; only the same bytes get the copy.
      const entry = cache.get(key);
      if (!err && entry?.body === body) cache.set(key, { body, gzip });
    });
  }

  return {
    encoder,
    cache,
    async etag() {
      return etagFor(await currentVersion());
    },
    async render(name, tile, freshness) {
      const current = await currentVersion(freshness);
      const key = `${current}|${name}/${tile.z}/${tile.x}/${tile.y}`;
      const hit = cache.get(key);
      if (hit !== undefined) return { tile: hit, etag: etagFor(current), cached: true };
      let rendering = pending.get(key);
      if (!rendering) {
        rendering = renderUncached(name, tile).then((body) => {
          const encoded = body ? { body, gzip: null } : null;
          cache.set(key, encoded);
          if (body) compressLater(key, body);
          return body;
        }).finally(() => pending.delete(key));
        pending.set(key, rendering);
      }
      const body = await rendering;
      return { tile: body ? { body, gzip: null } : null, etag: etagFor(current), cached: false };
    },
    renderUncached,
  };
}
