/**
 * One-time links to set a password (issue 20, the admin's first hour): an administrator invites a
 * person by email (the link works for 7 days), and anyone can ask for a "forgot password" link for
 * their email (1 hour). The link carries a random secret; only its SHA-256 is stored. Using a link
 * sets the password, uses up every other link of that person and ends their sessions.
 */
import { requirePermission, type Actor } from './actor.js';
import { hashPassword } from './password.js';
import { inTransaction, type Ctx, type Tx } from '../context.js';
import { AppError, invalid, notFound } from '../lib/errors.js';
import { newSecret, sha256 } from '../lib/ids.js';
import { enqueueMessage } from '../notify/outbox.js';
import { audit } from '../audit.js';
import { setPasswordHash, userContact, userContactByEmail } from '../user/store.js';
import { deleteUserSessions, insertPasswordLink, passwordLink, useUpPasswordLinks } from './store.js';

export const INVITE_TTL_MS = 7 * 24 * 3600_000;
export const RESET_TTL_MS = 3600_000;

/** The URL of the web app's set-password page for a secret (in the fragment: never sent to a server or a log). */
export function setPasswordUrl(ctx: Ctx, secret: string): string {
  return `${ctx.publicUrl.replace(/\/+$/, '')}/set-password#token=${encodeURIComponent(secret)}`;
}

async function issue(ctx: Ctx, trx: Tx, user: { id: string; email: string; name: string }, purpose: 'invite' | 'password-reset', now: number): Promise<void> {
  const secret = newSecret();
  const ttl = purpose === 'invite' ? INVITE_TTL_MS : RESET_TTL_MS;
  await insertPasswordLink(trx, { id: sha256(secret), user_id: user.id, purpose, created_at: now, expires_at: now + ttl, used_at: null });
  await enqueueMessage(trx, now, {
    channel: 'email',
    destination: user.email,
    message: { kind: 'account', event: purpose, userName: user.name, url: setPasswordUrl(ctx, secret), validFor: purpose === 'invite' ? '7 days' : '1 hour' },
    userId: user.id,
    first: purpose === 'password-reset', // someone is at the sign-in page waiting for it
  });
}

/** Emails a user an invitation: a link to set their own password, good for 7 days. Admins only. */
export async function inviteUser(ctx: Ctx, actor: Actor, userId: string): Promise<void> {
  requirePermission(actor, 'admin');
  const now = ctx.clock.now();
  await inTransaction(ctx, async (trx) => {
    const user = await userContact(trx, userId);
    if (!user) throw notFound('User');
    await issue(ctx, trx, user, 'invite', now);
    await audit(trx, now, actor, 'user.invite', user.id, { email: user.email });
  });
  ctx.wake();
}

/** "Forgot password": emails a reset link (1 hour) when the email belongs to a user; says nothing either way. */
export async function requestPasswordReset(ctx: Ctx, email: string): Promise<void> {
  const now = ctx.clock.now();
  const sent = await inTransaction(ctx, async (trx) => {
    const user = await userContactByEmail(trx, email.trim().toLowerCase());
    if (!user) return false;
    await issue(ctx, trx, user, 'password-reset', now);
    return true;
  });
  if (sent) ctx.wake();
}

/** Sets the password of the link's user; the link (and every other of theirs) is used up, their sessions end. */
export async function setPasswordWithLink(ctx: Ctx, secret: string, password: string): Promise<void> {
  if (password.length < 8) throw invalid('password: must be at least 8 characters', [{ path: 'password', message: 'must be at least 8 characters' }]);
  const hash = await hashPassword(password);
  const now = ctx.clock.now();
  await inTransaction(ctx, async (trx) => {
    const link = await passwordLink(trx, sha256(secret));
    if (!link || link.used_at !== null || Number(link.expires_at) <= now) throw new AppError('invalid', 'This link is not valid: it was used already or has expired. Ask for a new one.');
    await setPasswordHash(trx, link.user_id, hash, now);
    await useUpPasswordLinks(trx, link.user_id, now);
    await deleteUserSessions(trx, link.user_id);
    await audit(trx, now, { type: 'system', name: `password link (${link.purpose})` }, 'user.password-set', link.user_id, { via: link.purpose });
  });
}
