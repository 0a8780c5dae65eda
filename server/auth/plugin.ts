import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { UserError } from '../errors.js';
import type { Database } from '../db/database.js';
import { findToken, type Principal, type Role } from './tokens.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyInstance {
    /** onRequest hook factory: the caller must hold one of `roles` (any role when empty). */
    requireRole(...roles: Role[]): (req: FastifyRequest) => Promise<void>;
  }
}

function bearer(req: FastifyRequest): string | null {
  const header = req.headers.authorization;
  if (!header) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match ? match[1] : null;
}

/**
 * Token authentication. It runs in `onRequest`, before the body is read, so an anonymous
 * 200 MB upload is refused after its headers.
 */
export const authPlugin = fp(async (app: FastifyInstance, opts: { db: Database }) => {
  app.decorateRequest('principal', null);
  app.decorate('requireRole', (...roles: Role[]) => async (req: FastifyRequest) => {
    const secret = bearer(req);
    if (!secret) {
      throw new UserError('UNAUTHENTICATED', 'This request changes data: send Authorization: Bearer <token>.');
    }
    const principal = await findToken(opts.db.pool, secret);
    if (!principal) throw new UserError('TOKEN_INVALID', 'The bearer token is unknown or revoked.');
    if (roles.length > 0 && principal.role !== 'admin' && !roles.includes(principal.role)) {
      throw new UserError('FORBIDDEN_ROLE', `Role '${principal.role}' cannot do this; it needs ${roles.join(' or ')}.`);
    }
    req.principal = principal;
  });
});
