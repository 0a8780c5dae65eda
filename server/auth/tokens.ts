import crypto from 'node:crypto';
import type { Queryable } from '../db/database.js';

export const ROLES = ['admin', 'mapper', 'planner', 'staff'] as const;
export type Role = (typeof ROLES)[number];

/** Who made a request, as far as the API cares. */
export interface Principal {
  tokenId: number;
  name: string;
  role: Role;
}

export function hashToken(secret: string): string {
  return crypto.createHash('sha256').update(secret).digest('hex');
}

export function newSecret(): string {
  return 'tsr_' + crypto.randomBytes(24).toString('base64url');
}

/** Store a token for `secret` (idempotent on the same secret). */
export async function saveToken(db: Queryable, name: string, role: Role, secret: string): Promise<number> {
  const { rows } = await db.query<{ id: number }>(
    `INSERT INTO api_token (name, role, token_hash) VALUES ($1, $2, $3)
     ON CONFLICT (token_hash) DO UPDATE SET revoked_at = NULL, role = EXCLUDED.role
     RETURNING id`,
    [name, role, hashToken(secret)],
  );
  return rows[0].id;
}

export async function findToken(db: Queryable, secret: string): Promise<Principal | null> {
  const { rows } = await db.query<{ id: number; name: string; role: Role }>(
    `UPDATE api_token SET last_used_at = now()
     WHERE token_hash = $1 AND revoked_at IS NULL
     RETURNING id, name, role`,
    [hashToken(secret)],
  );
  return rows[0] ? { tokenId: rows[0].id, name: rows[0].name, role: rows[0].role } : null;
}

/**
 * Make sure an admin can get in: the configured `TESSERA_ADMIN_TOKEN` is registered, or, on a
 * database with no token at all, a fresh one is created and returned so it can be shown once.
 */
export async function ensureAdminToken(db: Queryable, configured: string | null): Promise<string | null> {
  if (configured) {
    await saveToken(db, 'admin (TESSERA_ADMIN_TOKEN)', 'admin', configured);
    return null;
  }
  const { rows } = await db.query<{ n: number }>('SELECT count(*) AS n FROM api_token');
  if (rows[0].n > 0) return null;
  const secret = newSecret();
  await saveToken(db, 'admin (first start)', 'admin', secret);
  return secret;
}
