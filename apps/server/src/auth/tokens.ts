import { requirePermission, requireSelfOr, type Actor, type Role } from './actor.js';
import { inTransaction, type Ctx } from '../context.js';
import { audit } from '../audit.js';
import { invalid, notFound } from '../lib/errors.js';
import { newId, newSecret, sha256 } from '../lib/ids.js';
import { userIdIfExists } from '../user/store.js';
import { insertToken, revokeTokenRow, tokenByHash, tokenOwner, tokenRows, touchToken } from './store.js';

/** A token as listed (never with its secret). */
export interface ApiToken {
  id: string;
  userId: string;
  name: string;
  createdAt: number;
  lastUsedAt: number | null;
  revoked: boolean;
}

/** Creates an API token for a user. The secret is returned once and stored only as a hash. */
export async function createToken(ctx: Ctx, actor: Actor, userId: string, name: string): Promise<{ token: string; apiToken: ApiToken }> {
  requireSelfOr(actor, userId, 'admin');
  if (!name || name.length > 100) throw invalid('name: must be 1 to 100 characters', [{ path: 'name', message: 'must be 1 to 100 characters' }]);
  const token = newSecret('klx_', 32);
  const now = ctx.clock.now();
  const apiToken: ApiToken = { id: newId(), userId, name, createdAt: now, lastUsedAt: null, revoked: false };
  await inTransaction(ctx, async (trx) => {
    const u = await userIdIfExists(trx, userId);
    if (!u) throw notFound('User');
    await insertToken(trx, { id: apiToken.id, user_id: userId, name, token_hash: sha256(token), created_at: now, last_used_at: null, revoked_at: null });
    await audit(trx, now, actor, 'token.create', apiToken.id, { userId, name });
  });
  return { token, apiToken };
}

/** A user's tokens. */
export async function listTokens(ctx: Ctx, actor: Actor, userId: string): Promise<ApiToken[]> {
  requireSelfOr(actor, userId, 'admin');
  const rows = await tokenRows(ctx.db.kysely, userId);
  return rows.map((r) => ({ id: r.id, userId: r.user_id, name: r.name, createdAt: r.created_at, lastUsedAt: r.last_used_at, revoked: r.revoked_at !== null }));
}

/** Revokes a token. */
export async function revokeToken(ctx: Ctx, actor: Actor, tokenId: string): Promise<void> {
  requirePermission(actor, 'self.manage');
  const row = await tokenOwner(ctx.db.kysely, tokenId);
  if (!row) throw notFound('Token');
  requireSelfOr(actor, row.user_id, 'admin');
  const now = ctx.clock.now();
  await inTransaction(ctx, async (trx) => {
    await revokeTokenRow(trx, tokenId, now);
    await audit(trx, now, actor, 'token.revoke', tokenId, {});
  });
}

/** The user actor a bearer token stands for, or null if it is unknown or revoked. */
export async function authenticateToken(ctx: Ctx, token: string): Promise<Actor | null> {
  const row = await tokenByHash(ctx.db.kysely, sha256(token));
  if (!row || row.revoked_at !== null) return null;
  const now = ctx.clock.now();
  // Record use at most once a minute, so reads do not turn into writes on every request.
  if (!row.last_used_at || now - row.last_used_at > 60_000) {
    await touchToken(ctx.db.kysely, row.tokenId, now);
  }
  return { type: 'user', id: row.id, name: row.name, role: row.role as Role };
}
