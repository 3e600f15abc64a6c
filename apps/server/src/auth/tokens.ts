import { TokenInput } from '@klaxon/contract';
import { requirePermission, requireSelfOr, TEAM_ROLES, type Actor, type Role, type TeamRole, type UserActor } from './actor.js';
import { inTransaction, type Ctx, type Tx } from '../context.js';
import { audit } from '../audit.js';
import { conflict, invalid, notFound } from '../lib/errors.js';
import { newId, newSecret, sha256 } from '../lib/ids.js';
import { parse } from '../lib/validate.js';
import { teamIdByIdOrName } from '../team/store.js';
import { deactivatedAt, userIdIfExists } from '../user/store.js';
import { insertToken, revokeTokenRow, teamAccessOf, tokenByHash, tokenOwner, tokenRows, touchToken } from './store.js';

/** A token as listed (never with its secret). */
export interface ApiToken {
  id: string;
  userId: string;
  name: string;
  createdAt: number;
  lastUsedAt: number | null;
  revoked: boolean;
  readOnly: boolean;
  teamId: string | null;
  expiresAt: number | null;
}

type TokenRow = {
  id: string;
  user_id: string;
  name: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
  read_only?: number;
  team_id?: string | null;
  expires_at?: number | null;
};

function fromRow(r: TokenRow): ApiToken {
  return {
    id: r.id,
    userId: r.user_id,
    name: r.name,
    createdAt: Number(r.created_at),
    lastUsedAt: r.last_used_at === null ? null : Number(r.last_used_at),
    revoked: r.revoked_at !== null,
    readOnly: !!r.read_only,
    teamId: r.team_id ?? null,
    expiresAt: r.expires_at == null ? null : Number(r.expires_at),
  };
}

/**
 * Creates an API token for a user. The secret is returned once and stored only as a hash. `input` is
 * a name (older callers) or a TokenInput: read-only, limited to one team, with an expiry.
 */
export async function createToken(ctx: Ctx, actor: Actor, userId: string, input: string | unknown): Promise<{ token: string; apiToken: ApiToken }> {
  requireSelfOr(actor, userId, 'admin');
  const v: TokenInput = typeof input === 'string' ? { name: input } : parse(TokenInput, input, 'token');
  if (!v.name || v.name.length > 100) throw invalid('name: must be 1 to 100 characters', [{ path: 'name', message: 'must be 1 to 100 characters' }]);
  const now = ctx.clock.now();
  if (v.expiresAt != null && v.expiresInDays != null) throw invalid('expiresAt, expiresInDays: give one of them', [{ path: 'expiresAt', message: 'give expiresAt or expiresInDays, not both' }]);
  const expiresAt = v.expiresInDays != null ? now + v.expiresInDays * 86_400_000 : (v.expiresAt ?? null);
  if (expiresAt !== null && expiresAt <= now) throw invalid('expiresAt: must be in the future', [{ path: 'expiresAt', message: 'must be in the future' }]);
  const token = newSecret('klx_', 32);
  return inTransaction(ctx, async (trx) => {
    const u = await userIdIfExists(trx, userId);
    if (!u) throw notFound('User');
    if ((await deactivatedAt(trx, userId)) != null) throw conflict('This person is deactivated (SCIM): a deactivated person cannot be given API tokens');
    let teamId: string | null = null;
    if (v.teamId) {
      const t = await teamIdByIdOrName(trx, v.teamId);
      if (!t) throw invalid(`teamId: unknown team ${v.teamId}`, [{ path: 'teamId', message: 'unknown team' }]);
      teamId = t.id;
    }
    const apiToken: ApiToken = { id: newId(), userId, name: v.name, createdAt: now, lastUsedAt: null, revoked: false, readOnly: !!v.readOnly, teamId, expiresAt };
    await insertToken(trx, {
      id: apiToken.id,
      user_id: userId,
      name: v.name,
      token_hash: sha256(token),
      created_at: now,
      last_used_at: null,
      revoked_at: null,
      read_only: apiToken.readOnly ? 1 : 0,
      team_id: teamId,
      expires_at: expiresAt,
    });
    await audit(trx, now, actor, 'token.create', apiToken.id, { userId, name: v.name, readOnly: apiToken.readOnly, teamId, expiresAt });
    return { token, apiToken };
  });
}

/** A user's tokens. */
export async function listTokens(ctx: Ctx, actor: Actor, userId: string): Promise<ApiToken[]> {
  requireSelfOr(actor, userId, 'admin');
  const rows = await tokenRows(ctx.db.kysely, userId);
  return rows.map(fromRow);
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
    await audit(trx, now, actor, 'token.revoke', tokenId, { userId: row.user_id, name: row.name });
  });
}

/** A user's team roles, as the actor carries them. */
export async function teamRolesOf(db: Tx, userId: string): Promise<Record<string, TeamRole>> {
  const out: Record<string, TeamRole> = {};
  for (const r of await teamAccessOf(db, userId)) if ((TEAM_ROLES as readonly string[]).includes(r.access)) out[r.team_id] = r.access as TeamRole;
  return out;
}

/** Why a bearer token was refused: unknown (or revoked), expired, or its person is deactivated. */
export type TokenRefusal = 'unknown' | 'expired' | 'deactivated';

/** The user actor a bearer token stands for, or why not: unknown, revoked or expired. */
export async function authenticateTokenOrWhy(ctx: Ctx, token: string): Promise<UserActor | TokenRefusal> {
  const row = await tokenByHash(ctx.db.kysely, sha256(token));
  if (!row || row.revoked_at !== null) return 'unknown';
  const now = ctx.clock.now();
  if (row.expires_at != null && Number(row.expires_at) <= now) return 'expired';
  if (row.deactivated_at != null) return 'deactivated';
  // Record use at most once a minute, so reads do not turn into writes on every request.
  if (!row.last_used_at || now - row.last_used_at > 60_000) {
    await touchToken(ctx.db.kysely, row.tokenId, now);
  }
  return {
    type: 'user',
    id: row.id,
    name: row.name,
    role: row.role as Role,
    teams: await teamRolesOf(ctx.db.kysely, row.id),
    token: { tokenId: row.tokenId, readOnly: !!row.read_only, teamId: row.team_id ?? null },
  };
}

/** The user actor a bearer token stands for, or null if it is unknown, revoked or expired, or its person is deactivated. */
export async function authenticateToken(ctx: Ctx, token: string): Promise<Actor | null> {
  const a = await authenticateTokenOrWhy(ctx, token);
  return typeof a === 'string' ? null : a;
}
