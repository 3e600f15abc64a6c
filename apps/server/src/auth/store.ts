/** SQL for the auth domain (API tokens, sessions, password links): rows in, rows out. No permission checks here. */
import type { Tx } from '../context.js';

// ---- API tokens ----

/** A user's team roles (team_members.access), for their actor. */
export async function teamAccessOf(db: Tx, userId: string): Promise<{ team_id: string; access: string }[]> {
  const rows = await db.selectFrom('team_members').select(['team_id', 'access']).where('user_id', '=', userId).where('access', 'is not', null).$narrowType<{ access: string }>().execute();
  return rows;
}

/** Inserts an API token (its secret only as a hash). */
export async function insertToken(
  db: Tx,
  row: {
    id: string;
    user_id: string;
    name: string;
    token_hash: string;
    created_at: number;
    last_used_at: null;
    revoked_at: null;
    read_only: number;
    team_id: string | null;
    expires_at: number | null;
  },
): Promise<void> {
  await db.insertInto('api_tokens').values(row).execute();
}

/** A user's token rows, oldest first. */
export async function tokenRows(db: Tx, userId: string) {
  return db.selectFrom('api_tokens').selectAll().where('user_id', '=', userId).orderBy('created_at').execute();
}

/** The user of a token. */
export async function tokenOwner(db: Tx, id: string): Promise<{ user_id: string; name: string } | undefined> {
  return db.selectFrom('api_tokens').select(['user_id', 'name']).where('id', '=', id).executeTakeFirst();
}

/** Revokes a token. */
export async function revokeTokenRow(db: Tx, id: string, now: number): Promise<void> {
  await db.updateTable('api_tokens').set({ revoked_at: now }).where('id', '=', id).execute();
}

/** The token with this hash and its user. */
export async function tokenByHash(db: Tx, tokenHash: string) {
  return db
    .selectFrom('api_tokens')
    .innerJoin('users', 'users.id', 'api_tokens.user_id')
    .select([
      'api_tokens.id as tokenId',
      'api_tokens.revoked_at',
      'api_tokens.last_used_at',
      'api_tokens.read_only',
      'api_tokens.team_id',
      'api_tokens.expires_at',
      'users.deactivated_at',
      'users.id',
      'users.name',
      'users.role',
    ])
    .where('token_hash', '=', tokenHash)
    .executeTakeFirst();
}

/** Records when a token was last used. */
export async function touchToken(db: Tx, id: string, now: number): Promise<void> {
  await db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', id).execute();
}

// ---- Sessions ----

/** Deletes the sessions that expired before `now`. */
export async function deleteExpiredSessions(db: Tx, now: number): Promise<void> {
  await db.deleteFrom('sessions').where('expires_at', '<', now).execute();
}

/** Inserts a session (its cookie value only as a hash). */
export async function insertSession(db: Tx, row: { id: string; user_id: string; csrf_token: string; created_at: number; expires_at: number; last_seen_at: number }): Promise<void> {
  await db.insertInto('sessions').values(row).execute();
}

/** A session by id, with its user. */
export async function sessionWithUser(db: Tx, id: string) {
  return db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select(['sessions.csrf_token', 'sessions.expires_at', 'sessions.last_seen_at', 'users.id', 'users.name', 'users.role'])
    .where('sessions.id', '=', id)
    .executeTakeFirst();
}

/** Slides a session's expiry. */
export async function slideSession(db: Tx, id: string, now: number, expiresAt: number): Promise<void> {
  await db.updateTable('sessions').set({ last_seen_at: now, expires_at: expiresAt }).where('id', '=', id).execute();
}

/** Deletes a session. */
export async function deleteSession(db: Tx, id: string): Promise<void> {
  await db.deleteFrom('sessions').where('id', '=', id).execute();
}

/** Deletes every session of a user. */
export async function deleteUserSessions(db: Tx, userId: string): Promise<void> {
  await db.deleteFrom('sessions').where('user_id', '=', userId).execute();
}

// ---- Password links ----

/** Inserts a password link (its secret only as a hash, the id). */
export async function insertPasswordLink(db: Tx, row: { id: string; user_id: string; purpose: string; created_at: number; expires_at: number; used_at: null }): Promise<void> {
  await db.insertInto('password_links').values(row).execute();
}

/** A password link by id (the hash of its secret). */
export async function passwordLink(db: Tx, id: string) {
  return db.selectFrom('password_links').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Uses up every unused link of a user. */
export async function useUpPasswordLinks(db: Tx, userId: string, now: number): Promise<void> {
  await db.updateTable('password_links').set({ used_at: now }).where('user_id', '=', userId).where('used_at', 'is', null).execute();
}

// ---- Single sign-on ----

/** Records a sign-in under way at an identity provider; sweeps expired ones. */
export async function insertSsoRequest(db: Tx, row: { id: string; kind: string; nonce: string; code_verifier: string; return_to: string; created_at: number; expires_at: number }): Promise<void> {
  await db.deleteFrom('sso_requests').where('expires_at', '<', row.created_at).execute();
  await db.insertInto('sso_requests').values(row).execute();
}

/** Takes (reads and deletes) a sign-in under way: each is used once. */
export async function takeSsoRequest(db: Tx, id: string) {
  const row = await db.selectFrom('sso_requests').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) return undefined;
  const r = await db.deleteFrom('sso_requests').where('id', '=', id).executeTakeFirst();
  // Two callbacks racing with the same state: only the one whose delete removed the row goes on.
  return r.numDeletedRows ? row : undefined;
}

/** Remembers an accepted assertion ID until it expires; false when it was seen already (a replay). */
export async function rememberAssertion(db: Tx, id: string, expiresAt: number, now: number): Promise<boolean> {
  await db.deleteFrom('sso_seen_assertions').where('expires_at', '<', now).execute();
  const r = await db
    .insertInto('sso_seen_assertions')
    .values({ id, expires_at: expiresAt })
    .onConflict((oc) => oc.column('id').doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** Revokes every API token of a user still in use; the number revoked. */
export async function revokeUserTokens(db: Tx, userId: string, now: number): Promise<number> {
  const r = await db.updateTable('api_tokens').set({ revoked_at: now }).where('user_id', '=', userId).where('revoked_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows ?? 0);
}

/** A sign-in under way, without taking it. */
export async function ssoRequest(db: Tx, id: string): Promise<{ nonce: string; expires_at: number } | undefined> {
  return db.selectFrom('sso_requests').select(['nonce', 'expires_at']).where('id', '=', id).executeTakeFirst();
}
