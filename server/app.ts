import fs from 'node:fs';
import path from 'node:path';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import multipart from '@fastify/multipart';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fastifyStatic from '@fastify/static';
import type { Config } from './config.js';
import type { Database } from './db/database.js';
import { UserError, errorBody, isUserError } from './errors.js';
import { ErrorReply } from './schemas.js';
import { authPlugin } from './auth/plugin.js';
import { areaRoutes } from './areas/routes.js';
import { healthRoutes } from './health.js';
import { ingestRoutes } from './ingest/routes.js';
import { deriveRoutes } from './derive/routes.js';
import { disputeRoutes } from './disputes/routes.js';
import { printRoutes } from './print/routes.js';
import { trackRoutes } from './ingest/tracks-routes.js';
import { tileRoutes } from './tiles/routes.js';
import { exportRoutes } from './export/routes.js';
import { topologyRoutes } from './topology/routes.js';

export interface AppDeps {
  db: Database;
  config: Config;
}

/** Fastify's own 4xx errors, in the contract's shape. */
function frameworkError(err: FastifyError): UserError | null {
  if (err.validation) {
    const where = err.validationContext ?? 'request';
    const details = err.validation.map((v) => ({ path: `${where}${v.instancePath}`, message: v.message, params: v.params }));
    return new UserError('INVALID_REQUEST', `Invalid ${where}: ${err.validation.map((v) => `${v.instancePath || where} ${v.message}`).join('; ')}.`, details);
  }
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new UserError('JSON_MALFORMED', `The request body is not valid JSON: ${err.message}`);
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
    case 'FST_REQ_FILE_TOO_LARGE':
      return new UserError('BODY_TOO_LARGE', err.message);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return new UserError('UNSUPPORTED_MEDIA_TYPE', err.message);
    case 'FST_PARTS_LIMIT':
    case 'FST_FILES_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return new UserError('TOO_MANY_FILES', err.message);
  }
  if (err instanceof SyntaxError || (err.statusCode === 400 && /JSON/.test(err.message))) {
    return new UserError('JSON_MALFORMED', `The request body is not valid JSON: ${err.message}`);
  }
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
    return new UserError('BAD_REQUEST', err.message);
  }
  return null;
}

function databaseDown(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === '57P01' || code === '57P03' ||
    /timeout exceeded when trying to connect|Connection terminated/.test(String((err as Error).message));
}

export async function buildApp({ db, config }: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: config.logLevel === 'silent' ? false : { level: config.logLevel },
    bodyLimit: 5 * 1024 * 1024,
    // Unknown fields are an error the client must hear about, not something silently dropped.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
    requestTimeout: 300_000,
  });

  app.setErrorHandler((err: FastifyError, req, reply) => {
    const user = isUserError(err) ? err : frameworkError(err);
    if (user) return reply.code(user.status).send(errorBody(user));
    if (databaseDown(err)) {
      req.log.error({ err }, 'database unavailable');
      return reply.code(503).header('retry-after', '5').send({ error: 'DATABASE_UNAVAILABLE', message: 'The database is not reachable; try again shortly.', details: [] });
    }
    req.log.error({ err }, 'unhandled error');
    return reply.code(500).send({ error: 'INTERNAL', message: 'Something went wrong on the server; it has been logged.', details: [] });
  });
  app.setNotFoundHandler((req, reply) => {
    reply.code(404).send({ error: 'NOT_FOUND', message: `No route ${req.method} ${req.url.split('?')[0]}.`, details: [] });
  });

  app.addSchema(ErrorReply);
  await app.register(swagger, {
    openapi: {
      info: { title: 'Tessera API', version: '0.1.0', description: 'Village boundaries from field GPS to printed maps.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await app.register(multipart, {
    limits: { fileSize: config.limits.uploadBytes, files: config.limits.uploadFiles, fields: 20, parts: config.limits.uploadFiles + 20, fieldSize: 64 * 1024 },
  });
  await app.register(authPlugin, { db });

  await app.register(healthRoutes, { db });
  await app.register(areaRoutes, { db });
  await app.register(ingestRoutes, { db, config });
  await app.register(trackRoutes, { db });
  await app.register(deriveRoutes, { db });
  await app.register(disputeRoutes, { db });
  await app.register(printRoutes, { db, config });
  await app.register(tileRoutes, { db });
  await app.register(exportRoutes, { db });
  await app.register(topologyRoutes, { db });

  if (fs.existsSync(path.join(config.webDist, 'index.html'))) {
    const assets = path.join(config.webDist, 'assets') + path.sep;
    await app.register(fastifyStatic, {
      root: config.webDist,
      prefix: '/',
      index: ['index.html'],
      cacheControl: false,
      // Vite names each asset after a hash of its content, so a browser may keep them for good:
      // a second visit over a district office's slow link fetches only the page itself, which
      // is always revalidated so a new build is picked up at once.
      setHeaders: (res, filePath) => {
        res.setHeader('cache-control', filePath.startsWith(assets) ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
  } else {
    app.get('/', async (_req, reply) =>
      reply.type('text/html').send('<!doctype html><title>Tessera</title><p>The web app is not built yet: run <code>npm run build</code>.</p>'));
  }
  return app;
}
