/**
 * Browser sessions. The `klaxon_session` cookie holds a random secret; the database keeps only its
 * SHA-256, so a leaked database does not hand out sessions, and every instance sees every session.
 * Each session has its own CSRF token, which the browser echoes in `X-CSRF-Token` on unsafe requests
 * (double submit against a value an attacker's page cannot read). Sessions last 30 days from the
 * last use (sliding); the expiry moves forward at most once a minute, so reads stay reads.
 */
import type { Role, UserActor } from './actor.js';
import { verifyNoPassword } from './password.js';
import type { Ctx } from '../context.js';
import { newSecret, safeEqual, sha256 } from '../lib/ids.js';
import { checkPassword } from '../user/service.js';
import type { User } from '../user/types.js';
import { deactivatedAt, passwordHashByEmail } from '../user/store.js';
import { teamRolesOf } from './tokens.js';
import { deleteExpiredSessions, deleteSession, deleteUserSessions, insertSession, sessionWithUser, slideSession } from './store.js';

export type { SessionTable } from './tables.js';

/** Name of the session cookie. */
export const SESSION_COOKIE = 'klaxon_session';
/** Header a cookie-authenticated unsafe request must carry, equal to the session's CSRF token. */
export const CSRF_HEADER = 'x-csrf-token';
/** Sessions end this long after their last use. */
export const SESSION_TTL_MS = 30 * 24 * 3600_000;
/** The expiry slides forward at most this often (ms). */
const SLIDE_EVERY_MS = 60_000;

/** A valid session: who it belongs to and its CSRF token. `slid` is true when this use moved the expiry. */
export interface Session {
  actor: UserActor;
  csrfToken: string;
  expiresAt: number;
  slid: boolean;
}

/** A new session's secrets: `token` goes in the cookie, `csrfToken` to the page. */
export interface NewSession {
  token: string;
  csrfToken: string;
  expiresAt: number;
}

/** Starts a session for a user. Also sweeps expired sessions (cheap, indexed). */
export async function createSession(ctx: Ctx, userId: string): Promise<NewSession> {
  const now = ctx.clock.now();
  const token = newSecret('', 32);
  const csrfToken = newSecret('', 24);
  const expiresAt = now + SESSION_TTL_MS;
  await deleteExpiredSessions(ctx.db.kysely, now);
  await insertSession(ctx.db.kysely, { id: sha256(token), user_id: userId, csrf_token: csrfToken, created_at: now, expires_at: expiresAt, last_seen_at: now });
  return { token, csrfToken, expiresAt };
}

/** The session a cookie value stands for, or null if unknown or expired. Slides the expiry. */
export async function authenticateSession(ctx: Ctx, token: string): Promise<Session | null> {
  if (!token || token.length > 200) return null;
  const id = sha256(token);
  const row = await sessionWithUser(ctx.db.kysely, id);
  const now = ctx.clock.now();
  if (!row || row.expires_at <= now) return null;
  let expiresAt = row.expires_at;
  let slid = false;
  if (now - row.last_seen_at >= SLIDE_EVERY_MS) {
    expiresAt = now + SESSION_TTL_MS;
    slid = true;
    await slideSession(ctx.db.kysely, id, now, expiresAt);
  }
  return { actor: { type: 'user', id: row.id, name: row.name, role: row.role as Role, teams: await teamRolesOf(ctx.db.kysely, row.id) }, csrfToken: row.csrf_token, expiresAt, slid };
}

/** True when `given` (the X-CSRF-Token header) matches the session's token. Constant-time. */
export function csrfMatches(session: Session, given: string | string[] | undefined): boolean {
  const v = Array.isArray(given) ? given[0] : given;
  return typeof v === 'string' && v.length > 0 && safeEqual(v, session.csrfToken);
}

/** Ends the session a cookie value stands for (no error if there is none). */
export async function endSession(ctx: Ctx, token: string): Promise<void> {
  if (!token || token.length > 200) return;
  await deleteSession(ctx.db.kysely, sha256(token));
}

/** Ends every session of a user (password change, user disabled). */
export async function endUserSessions(ctx: Ctx, userId: string): Promise<void> {
  await deleteUserSessions(ctx.db.kysely, userId);
}

/**
 * Checks an email and password. Returns the user, or null for an unknown email and a wrong password
 * alike; an unknown email still costs one argon2 verification, so timing does not tell them apart.
 */
export async function checkCredentials(ctx: Ctx, email: string, password: string): Promise<User | null> {
  const user = await checkPassword(ctx, email, password);
  // A person deactivated through SCIM cannot sign in (migration 0028).
  if (user) return (await deactivatedAt(ctx.db.kysely, user.id)) === null ? user : null;
  const row = await passwordHashByEmail(ctx.db.kysely, email.toLowerCase());
  if (!row?.password_hash) await verifyNoPassword(password);
  return null;
}
