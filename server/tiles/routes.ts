import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Database } from '../db/database.js';
import { UserError } from '../errors.js';
import { errors } from '../schemas.js';
import { progressRoutes } from './progress.js';
import { readingRoutes } from './readings.js';
import { createTileService, type TileServiceOptions } from './service.js';
import { isTileName, parseTileAddress, TILE_BUNDLES, TILE_LAYERS, TILE_NAMES } from './tile.js';

/**
 * Browsers revalidate every tile (cheap: a 304 from the ETag) instead of trusting a copy for a
 * while, so a committed boundary shows on the next pan rather than after an expiry.
 */
const CACHE_CONTROL = 'public, max-age=0, must-revalidate';

function acceptsGzip(header: string | undefined): boolean {
  return header !== undefined && /\bgzip\b/.test(header);
}

/** Vector tiles, plus the map's other read routes: readings and zoning progress. */
export async function tileRoutes(app: FastifyInstance, { db, tiles }: { db: Database; tiles?: TileServiceOptions }) {
  const service = await createTileService(db, tiles);
  app.log.info({ encoder: service.encoder }, 'vector tiles encoded by %s', service.encoder);

  app.get('/tiles/:layer/:z/:x/:y.mvt', {
    // A map view asks for dozens of tiles at a time: a log line each would drown the log and
    // cost more than answering a cached tile. Errors are still logged.
    logLevel: 'warn',
    schema: {
      tags: ['tiles'],
      summary: `Mapbox Vector Tile of one layer (${TILE_LAYERS.join(', ')}) or of a bundle of layers (${Object.entries(TILE_BUNDLES)
        .map(([name, layers]) => `${name}: ${layers.join(', ')}`)
        .join('; ')}); 204 when empty; gzipped once cached`,
      params: Type.Object({
        layer: Type.String({ maxLength: 32 }),
        z: Type.String({ maxLength: 12 }),
        x: Type.String({ maxLength: 12 }),
        y: Type.String({ maxLength: 12 }),
      }),
      // `v` lets the page ask for fresh tiles after an edit; the server keys on the data itself.
      querystring: Type.Object({ v: Type.Optional(Type.String({ maxLength: 64 })) }, { additionalProperties: false }),
      response: { 200: Type.Any(), 204: Type.Null(), 304: Type.Null(), ...errors(400, 404) },
    },
  }, async (req, reply) => {
    const p = req.params as { layer: string; z: string; x: string; y: string };
    if (!isTileName(p.layer)) {
      throw new UserError('NOT_FOUND', `No tile layer '${p.layer}'; the layers are ${TILE_NAMES.join(', ')}.`);
    }
    const tile = parseTileAddress(p.z, p.x, p.y);
    reply.header('cache-control', CACHE_CONTROL).header('vary', 'accept-encoding');
    const known = req.headers['if-none-match'];
    if (known) {
      const etag = await service.etag();
      if (known.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag)) {
        return reply.code(304).header('etag', etag).send();
      }
    }
    const rendered = await service.render(p.layer, tile, (req.query as { v?: string }).v);
    reply.header('etag', rendered.etag).header('x-tile-cache', rendered.cached ? 'hit' : 'miss');
    if (!rendered.tile) return reply.code(204).send();
    reply.type('application/vnd.mapbox-vector-tile');
    const { body, gzip } = rendered.tile;
    if (gzip && acceptsGzip(req.headers['accept-encoding'])) return reply.header('content-encoding', 'gzip').send(gzip);
    return reply.send(body);
  });

  await app.register(readingRoutes, { db });
  await app.register(progressRoutes, { db });
}
