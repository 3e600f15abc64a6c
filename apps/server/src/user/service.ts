import { randomBytes, randomInt } from 'node:crypto';
import { IANAZone } from 'luxon';
import { requirePermission, requireSelfOr, type Actor, type Origin } from '../auth/actor.js';
import { teamRolesOf } from '../auth/tokens.js';
import { hashPassword, verifyPassword } from '../auth/password.js';
import { inTransaction, type Ctx, type Tx } from '../context.js';
import { defaultEgress, requireEgressUrlResolved } from '../lib/egress.js';
import { AppError, conflict, invalid, notFound, type FieldError } from '../lib/errors.js';
import { newId, safeEqual, sha256 } from '../lib/ids.js';
import { parse } from '../lib/validate.js';
import { enqueueMessage } from '../notify/outbox.js';
import { formatNtfyAddress, parseNtfyAddress } from '../notify/providers/ntfy/render.js';
import type { Channel } from '../notify/types.js';
import { audit } from '../audit.js';
import * as store from './store.js';
import { deleteUserSessions } from '../auth/store.js';
import { insertSettingIfAbsent, updateSetting } from '../store.js';
import { ContactMethodInput, NotificationRuleInput, UserInput, UserPatch, type ContactMethod, type NotificationRule, type User } from './types.js';
import { must } from '../lib/must.js';

const VERIFY_TTL_MS = 15 * 60_000;
const VERIFY_MAX_ATTEMPTS = 5;

/** Checks an IANA time zone name. */
export function isValidTimeZone(tz: string): boolean {
  return IANAZone.isValidZone(tz);
}

/**
 * A Google Chat contact address: `users/<digits>` (a person: direct pages with the Chat API, and the
 * link for buttons and commands), `spaces/<id>` (a space, through the Chat API) or an incoming-webhook
 * URL (https://chat.googleapis.com/v1/spaces/<space>/messages?key=...&token=...).
 */
function googleChatAddress(a: string): { value: string } | { error: string } {
  if (/^users\/\d{1,30}$/.test(a) || /^spaces\/[A-Za-z0-9_-]{1,100}$/.test(a)) return { value: a };
  try {
    const u = new URL(a);
    if ((u.protocol === 'https:' || u.protocol === 'http:') && /^\/v1\/spaces\/[A-Za-z0-9_-]{1,100}\/messages$/.test(u.pathname) && u.searchParams.get('key') && u.searchParams.get('token'))
      return { value: u.toString() };
  } catch {
    // not a URL: the error below
  }
  return { error: "must be a Google Chat user (users/<id>), a space (spaces/<id>) or a space's incoming-webhook URL (https://chat.googleapis.com/v1/spaces/.../messages?key=...&token=...)" };
}

/** Normalizes a contact address for its channel, or returns a field error. */
export function normalizeAddress(type: Channel, address: string): { value: string } | { error: string } {
  const a = address.trim();
  switch (type) {
    case 'email':
      return /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(a) ? { value: a.toLowerCase() } : { error: 'must be an email address' };
    case 'sms':
    case 'whatsapp':
    case 'voice': {
      const digits = a.replace(/[\s\-().]/g, '');
      return /^\+[1-9]\d{6,14}$/.test(digits) ? { value: digits } : { error: 'must be a phone number in E.164 form, e.g. +14155550100' };
    }
    case 'slack':
      return /^[UWCG][A-Z0-9]{2,}$/.test(a) ? { value: a } : { error: 'must be a Slack user or channel id, e.g. U024BE7LH' };
    case 'mattermost':
      // A user id (26 lower-case letters and digits) gets a direct message; #<channel id> posts in a channel.
      return /^#?[a-z0-9]{26}$/.test(a) ? { value: a } : { error: 'must be a Mattermost user id (26 letters and digits, e.g. rnina9994bde8mua79zqcg5hmo) or #<channel id>' };
    case 'discord':
      // A user id (a snowflake, 17 to 20 digits) gets a direct message; #<channel id> posts in a channel.
      return /^#?\d{17,20}$/.test(a) ? { value: a } : { error: 'must be a Discord user id (17 to 20 digits, e.g. 80351110224678912) or #<channel id>' };
    case 'matrix':
      // A user id (@name:server) gets a direct room; #<room id> (#!opaque:server) posts in a room.
      return /^(@[^:\s]{1,200}|#![^:\s]{1,200}):[^\s]{1,200}$/.test(a) ? { value: a } : { error: 'must be a Matrix user id (@ada:example.org) or #<room id> (#!abc123:example.org)' };
    case 'googlechat':
      // users/<id> links a Google Chat user (who acts on cards; direct pages with the Chat API); spaces/<id> (Chat API) and a space's incoming-webhook URL get pages.
      return googleChatAddress(a);
    case 'teams': {
      // A Workflows (Power Automate) webhook URL gets pages as Adaptive Cards; an Entra ID (AAD) object id
      // or a Teams user id (29:...) links that Teams user to this person for the bot's buttons and commands.
      if (/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(a)) return { value: a.toLowerCase() };
      if (/^29:[A-Za-z0-9_-]{1,300}$/.test(a)) return { value: a };
      try {
        const u = new URL(a);
        if (u.protocol === 'https:' || u.protocol === 'http:') return { value: u.toString() };
      } catch {
        /* fall through */
      }
      return { error: 'must be a Workflows webhook URL (https://...), or a Microsoft Entra object id (00000000-0000-0000-0000-000000000000) or Teams user id (29:...) to link your Teams user' };
    }
    case 'webhook':
      try {
        const u = new URL(a);
        if (u.protocol !== 'https:' && u.protocol !== 'http:') return { error: 'must be an http(s) URL' };
        return { value: u.toString() };
      } catch {
        return { error: 'must be an http(s) URL' };
      }
    case 'push':
      try {
        const s = JSON.parse(a) as { endpoint?: unknown; keys?: { p256dh?: unknown; auth?: unknown } };
        if (typeof s.endpoint === 'string' && typeof s.keys?.p256dh === 'string' && typeof s.keys?.auth === 'string') return { value: a };
      } catch {
        /* fall through */
      }
      return { error: 'must be a Web Push subscription JSON {endpoint, keys:{p256dh, auth}}' };
    case 'telegram':
      return /^-?\d{1,20}$/.test(a) ? { value: a } : { error: 'must be a Telegram chat id (digits); link a chat with a code from the contact methods screen instead' };
    case 'pushover':
      return /^[A-Za-z0-9]{30}$/.test(a) ? { value: a } : { error: 'must be a Pushover user key: 30 letters and digits, from the Pushover dashboard' };
    case 'ntfy': {
      const n = parseNtfyAddress(a);
      return 'error' in n ? n : { value: formatNtfyAddress(n) };
    }
  }
}

function checkZone(tz: string | undefined, errors: FieldError[]): void {
  if (tz !== undefined && !isValidTimeZone(tz)) errors.push({ path: 'timeZone', message: `unknown IANA time zone "${tz}"` });
}

/** Creates a user. Admins only. */
export async function createUser(ctx: Ctx, actor: Actor, input: unknown): Promise<User> {
  requirePermission(actor, 'admin');
  const v = parse(UserInput, input, 'user');
  const errors: FieldError[] = [];
  checkZone(v.timeZone, errors);
  if (errors.length) throw invalid(errors.map((e) => `${e.path}: ${e.message}`).join('; '), errors);
  const passwordHash = v.password ? await hashPassword(v.password) : null;
  const now = ctx.clock.now();
  return inTransaction(ctx, async (trx) => {
    if (await store.findUserByEmail(trx, v.email)) throw conflict(`A user with email ${v.email} already exists`);
    const user: User = {
      id: newId(),
      email: v.email.toLowerCase(),
      name: v.name,
      timeZone: v.timeZone ?? 'UTC',
      role: v.role ?? 'responder',
      createdAt: now,
    };
    await store.insertUser(trx, { id: user.id, email: user.email, name: user.name, time_zone: user.timeZone, role: user.role, password_hash: passwordHash, created_at: now, updated_at: now });
    await audit(trx, now, actor, 'user.create', user.id, { email: user.email, role: user.role });
    return user;
  });
}

/** Updates a user. Users may change their own name, zone and password; only admins change roles or others. */
export async function updateUser(ctx: Ctx, actor: Actor, id: string, patch: unknown): Promise<User> {
  requireSelfOr(actor, id, 'admin');
  const v = parse(UserPatch, patch, 'user update');
  if (v.role !== undefined) requirePermission(actor, 'admin');
  const errors: FieldError[] = [];
  checkZone(v.timeZone, errors);
  if (errors.length) throw invalid(errors.map((e) => `${e.path}: ${e.message}`).join('; '), errors);
  // Users changing their own password prove they know the current one: a session left open on a
  // shared screen, or a stolen session cookie, must not be enough to take the account over.
  // (Admins setting another user's password need not know it.)
  if (v.password && actor.type === 'user' && actor.id === id) {
    const row = await store.passwordHashOf(ctx.db.kysely, id);
    if (row?.password_hash) {
      if (!v.currentPassword) throw invalid('currentPassword: is required to change your password', [{ path: 'currentPassword', message: 'is required to change your password' }]);
      if (!(await verifyPassword(row.password_hash, v.currentPassword)))
        throw new AppError('forbidden', 'currentPassword: is not your current password', [{ path: 'currentPassword', message: 'is not your current password' }]);
    }
  }
  const passwordHash = v.password ? await hashPassword(v.password) : undefined;
  const now = ctx.clock.now();
  return inTransaction(ctx, async (trx) => {
    const existing = await store.findUser(trx, id);
    if (!existing) throw notFound('User');
    await store.updateUserRow(trx, id, {
      ...(v.name !== undefined && { name: v.name }),
      ...(v.timeZone !== undefined && { time_zone: v.timeZone }),
      ...(v.role !== undefined && { role: v.role }),
      ...(passwordHash !== undefined && { password_hash: passwordHash }),
      updated_at: now,
    });
    const after = must(await store.findUser(trx, id), 'the user');
    await audit(trx, now, actor, 'user.update', id, { ...v, password: v.password ? '(changed)' : undefined, currentPassword: undefined }, { before: existing, after });
    // Role changes and password changes are sensitive actions of their own on the trail.
    if (v.role !== undefined && v.role !== existing.role)
      await audit(trx, now, actor, 'user.role.change', id, { before: existing.role, after: v.role }, { before: { role: existing.role }, after: { role: v.role } });
    if (passwordHash !== undefined) await audit(trx, now, actor, 'user.password.change', id, {});
    // A new password signs the user out everywhere else (a stolen session ends with the password).
    if (passwordHash !== undefined) await deleteUserSessions(trx, id);
    return after;
  });
}

/** Deletes a user. Admins only. */
export async function deleteUser(ctx: Ctx, actor: Actor, id: string): Promise<void> {
  requirePermission(actor, 'admin');
  const self = selfDeletionProblem(actor, id);
  if (self) throw conflict(self);
  await inTransaction(ctx, async (trx) => {
    await refuseIfReferenced(trx, id, 'user');
    if (!(await store.deleteUserRow(trx, id))) throw notFound('User');
    await audit(trx, ctx.clock.now(), actor, 'user.delete', id, {});
  });
}

/** Why `actor` may not delete user `id` (themselves: nobody would be left signed in to undo it), or undefined. */
export function selfDeletionProblem(actor: Actor, id: string): string | undefined {
  return actor.type === 'user' && actor.id === id ? 'You cannot delete yourself: another admin can' : undefined;
}

/**
 * Refuses to delete a user or team that an escalation policy still targets: removing them silently
 * could leave a level with nobody to page. The policies must be changed first.
 */
export async function refuseIfReferenced(trx: Tx, id: string, what: 'user' | 'team'): Promise<void> {
  const policies = await store.policyTargets(trx);
  const using = policies.filter((p) => (JSON.parse(p.levels) as { targets: { type: string; id: string }[] }[]).some((l) => l.targets.some((t) => t.type === what && t.id === id)));
  if (using.length)
    throw conflict(`This ${what} is a target of escalation polic${using.length > 1 ? 'ies' : 'y'} ${using.map((p) => `"${p.name}"`).join(', ')}: change ${using.length > 1 ? 'them' : 'it'} first`);
}

/** Every user. */
export async function listUsers(ctx: Ctx, actor: Actor, ids?: readonly string[]): Promise<User[]> {
  requirePermission(actor, 'read');
  return store.listUsers(ctx.db.kysely, ids);
}

/** One user by id or email. */
export async function getUser(ctx: Ctx, actor: Actor, idOrEmail: string): Promise<User> {
  requirePermission(actor, 'read');
  const u = idOrEmail.includes('@') ? await store.findUserByEmail(ctx.db.kysely, idOrEmail) : await store.findUser(ctx.db.kysely, idOrEmail);
  if (!u) throw notFound('User');
  return u;
}

/** Checks an email and password; returns the user or null. Used by sign-in. */
export async function checkPassword(ctx: Ctx, email: string, password: string): Promise<User | null> {
  const row = await store.userRowByEmail(ctx.db.kysely, email.toLowerCase());
  if (!row?.password_hash) return null;
  return (await verifyPassword(row.password_hash, password)) ? store.userFromRow(row) : null;
}

/** A user's contact methods. */
export async function listContactMethods(ctx: Ctx, actor: Actor, userId: string): Promise<ContactMethod[]> {
  requireSelfOr(actor, userId, 'read');
  return store.listContactMethods(ctx.db.kysely, userId);
}

/**
 * Adds a contact method and sends it a verification code; it is not paged until verified. `trustedBy` (admins only: an import with
 * --trust-contacts) marks it verified at once instead, and says so on the audit trail.
 */
export async function addContactMethod(ctx: Ctx, actor: Actor, userId: string, input: unknown, opts: { trustedBy?: string } = {}): Promise<ContactMethod> {
  requireSelfOr(actor, userId, 'admin');
  if (opts.trustedBy) requirePermission(actor, 'admin');
  const v = parse(ContactMethodInput, input, 'contact method');
  const addr = normalizeAddress(v.type, v.address);
  if ('error' in addr) throw invalid(`address: ${addr.error}`, [{ path: 'address', message: addr.error }]);
  if (v.repeatIfUnanswered && v.type !== 'voice')
    throw invalid('repeatIfUnanswered: is for voice contact methods only', [{ path: 'repeatIfUnanswered', message: 'is for voice contact methods only' }]);
  // A webhook URL or push endpoint is a request made on the user's behalf: the egress policy decides (400 with the reason).
  if (v.type === 'webhook') addr.value = await requireEgressUrlResolved(ctx.egress ?? defaultEgress(), addr.value, 'address');
  if (v.type === 'ntfy') {
    const server = (JSON.parse(addr.value) as { server?: string }).server;
    if (server) await requireEgressUrlResolved(ctx.egress ?? defaultEgress(), server, 'address.server');
  }
  if (v.type === 'push') await requireEgressUrlResolved(ctx.egress ?? defaultEgress(), (JSON.parse(addr.value) as { endpoint: string }).endpoint, 'address.endpoint');
  const now = ctx.clock.now();
  const cm = await inTransaction(ctx, async (trx) => {
    const user = await store.findUser(trx, userId);
    if (!user) throw notFound('User');
    const dup = await store.contactMethodIdByName(trx, userId, v.name);
    if (dup) throw conflict(`${user.name} already has a contact method named "${v.name}"`);
    const id = newId();
    await store.insertContactMethod(trx, {
      id,
      user_id: userId,
      name: v.name,
      type: v.type,
      address: addr.value,
      verified_at: null,
      verify_code_hash: null,
      verify_expires_at: null,
      verify_attempts: 0,
      disabled: 0,
      created_at: now,
      ...(v.repeatIfUnanswered && { repeat_unanswered: 1 }),
    });
    await audit(trx, now, actor, 'contact_method.create', id, { userId, type: v.type });
    if (opts.trustedBy) {
      await store.updateContactMethodRow(trx, id, { verified_at: now });
      await audit(trx, now, actor, 'contact_method.verify', id, { trustedBy: opts.trustedBy });
    } else await issueCode(ctx, trx, id, user.name, v.type, addr.value, now);
    const row = await store.contactMethodRowOrThrow(trx, id);
    return store.contactMethodFromRow(row);
  });
  ctx.wake();
  return cm;
}

function codeHash(ctx: Ctx, cmId: string, code: string): string {
  return sha256(`${ctx.linkSecret}:${cmId}:${code}`);
}

async function issueCode(ctx: Ctx, trx: Parameters<typeof store.findUser>[0], cmId: string, userName: string, type: Channel, address: string, now: number): Promise<void> {
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  await store.updateContactMethodRow(trx, cmId, { verify_code_hash: codeHash(ctx, cmId, code), verify_expires_at: now + VERIFY_TTL_MS, verify_attempts: 0 });
  await enqueueMessage(trx, now, { channel: type, destination: address, message: { kind: 'verification', code, userName }, contactMethodId: cmId, first: true });
}

async function loadOwnedMethod(ctx: Ctx, actor: Actor, cmId: string) {
  requirePermission(actor, 'self.manage');
  const row = await store.contactMethodRow(ctx.db.kysely, cmId);
  if (!row) throw notFound('Contact method');
  requireSelfOr(actor, row.user_id, 'admin');
  return row;
}

/** Sends a new verification code to a contact method. */
export async function sendVerification(ctx: Ctx, actor: Actor, cmId: string): Promise<void> {
  requirePermission(actor, 'self.manage');
  const row = await loadOwnedMethod(ctx, actor, cmId);
  const user = await store.findUser(ctx.db.kysely, row.user_id);
  await inTransaction(ctx, (trx) => issueCode(ctx, trx, cmId, user?.name ?? '', row.type as Channel, row.address, ctx.clock.now()));
  ctx.wake();
}

/**
 * When the current code of a contact method expires: VERIFY_TTL_MS after it was issued, or after the
 * message carrying it was actually sent, whichever is later. A code issued while no server ran
 * (`klaxon apply` against a stopped server) is sent when a server starts, maybe hours later, and
 * must not arrive already expired. The message is the verification enqueued with the code (same
 * instant). Looked up only for a code past its first expiry.
 */
async function codeExpiry(ctx: Ctx, cmId: string, expiresAt: number, now: number): Promise<number> {
  if (expiresAt >= now) return expiresAt;
  const sent = await store.verificationSentAt(ctx.db.kysely, cmId, expiresAt - VERIFY_TTL_MS);
  return sent?.sent_at == null ? expiresAt : Math.max(expiresAt, Number(sent.sent_at) + VERIFY_TTL_MS);
}

/** Verifies a contact method with the code it was sent. Five wrong tries void the code. */
export async function verifyContactMethod(ctx: Ctx, actor: Actor, cmId: string, code: unknown): Promise<ContactMethod> {
  requirePermission(actor, 'self.manage');
  const row = await loadOwnedMethod(ctx, actor, cmId);
  if (typeof code !== 'string' || !/^\d{6}$/.test(code.trim())) throw invalid('code: must be the 6-digit code that was sent', [{ path: 'code', message: 'must be 6 digits' }]);
  const now = ctx.clock.now();
  if (row.verified_at !== null) return store.contactMethodFromRow(row);
  if (!row.verify_code_hash || !row.verify_expires_at || (await codeExpiry(ctx, cmId, Number(row.verify_expires_at), now)) < now) throw invalid('The code has expired: ask for a new one');
  if (row.verify_attempts >= VERIFY_MAX_ATTEMPTS) throw new AppError('rate_limited', 'Too many wrong codes: ask for a new one');
  const ok = safeEqual(codeHash(ctx, cmId, code.trim()), row.verify_code_hash);
  if (!ok) {
    // Counted outside any transaction that could roll it back: five wrong codes void the code.
    await store.countWrongCode(ctx.db.kysely, cmId);
    throw invalid('code: that code is not right', [{ path: 'code', message: 'wrong code' }]);
  }
  return inTransaction(ctx, async (trx) => {
    await store.updateContactMethodRow(trx, cmId, { verified_at: now, verify_code_hash: null, verify_expires_at: null });
    await audit(trx, now, actor, 'contact_method.verify', cmId, {});
    const updated = await store.contactMethodRowOrThrow(trx, cmId);
    return store.contactMethodFromRow(updated);
  });
}

/**
 * An administrator marks someone's contact method verified without a code, recording how the person
 * consented (e.g. "Confirmed by phone with Nina, 2026-03-02") in the audit log. Admins only.
 */
export async function markContactMethodVerified(ctx: Ctx, actor: Actor, cmId: string, consent: string): Promise<ContactMethod> {
  requirePermission(actor, 'admin');
  const text = consent.trim();
  if (text.length < 3) throw invalid('consent: say how the person agreed (at least 3 characters)', [{ path: 'consent', message: 'required' }]);
  const now = ctx.clock.now();
  return inTransaction(ctx, async (trx) => {
    const row = await store.contactMethodRow(trx, cmId);
    if (!row) throw notFound('Contact method');
    if (row.verified_at === null) {
      await store.updateContactMethodRow(trx, cmId, { verified_at: now, verify_code_hash: null, verify_expires_at: null });
      await audit(trx, now, actor, 'contact_method.verify', cmId, { userId: row.user_id, markedBy: actor.type === 'user' ? actor.id : actor.name, consent: text.slice(0, 1000) });
    }
    return store.contactMethodFromRow(await store.contactMethodRowOrThrow(trx, cmId));
  });
}

/** Deletes a contact method (and its notification rules). */
export async function deleteContactMethod(ctx: Ctx, actor: Actor, cmId: string): Promise<void> {
  requirePermission(actor, 'self.manage');
  await loadOwnedMethod(ctx, actor, cmId);
  await inTransaction(ctx, async (trx) => {
    await store.deleteContactMethodRow(trx, cmId);
    await audit(trx, ctx.clock.now(), actor, 'contact_method.delete', cmId, {});
  });
}

/** Sends a test message to a verified contact method ("send me a test page"). */
export async function sendTestMessage(ctx: Ctx, actor: Actor, cmId: string): Promise<string> {
  requirePermission(actor, 'self.manage');
  const row = await loadOwnedMethod(ctx, actor, cmId);
  if (row.verified_at === null) throw invalid('Verify this contact method first');
  const user = await store.findUser(ctx.db.kysely, row.user_id);
  const id = await inTransaction(ctx, (trx) =>
    enqueueMessage(trx, ctx.clock.now(), { channel: row.type as Channel, destination: row.address, message: { kind: 'test', userName: user?.name ?? '' }, contactMethodId: cmId, userId: row.user_id }),
  );
  ctx.wake();
  return id;
}

/** A user's notification rules. */
export async function listNotificationRules(ctx: Ctx, actor: Actor, userId: string): Promise<NotificationRule[]> {
  requireSelfOr(actor, userId, 'read');
  return store.listRules(ctx.db.kysely, userId);
}

/** Adds a notification rule: notify through a contact method N minutes after being paged. */
export async function addNotificationRule(ctx: Ctx, actor: Actor, userId: string, input: unknown): Promise<NotificationRule> {
  requireSelfOr(actor, userId, 'admin');
  const v = parse(NotificationRuleInput, input, 'notification rule');
  return inTransaction(ctx, async (trx) => {
    const cm = await store.contactMethodOwner(trx, v.contactMethodId);
    if (!cm || cm.user_id !== userId) throw invalid('contactMethodId: no such contact method for this user', [{ path: 'contactMethodId', message: 'not found for this user' }]);
    const dup = await store.ruleFor(trx, userId, v.contactMethodId, v.delayMinutes);
    const urgency = v.urgency ?? 'any';
    if (dup) {
      const existing = store.ruleFromRow(dup);
      if (existing.urgency === urgency) return existing;
      throw conflict(`A rule for this contact method after ${v.delayMinutes} min already exists for ${existing.urgency} urgency; one rule per contact method and delay (use urgency "any" for both)`);
    }
    const rule: NotificationRule = { id: newId(), userId, contactMethodId: v.contactMethodId, delayMinutes: v.delayMinutes, urgency };
    await store.insertRule(trx, { id: rule.id, user_id: userId, contact_method_id: rule.contactMethodId, delay_minutes: rule.delayMinutes, urgency });
    await audit(trx, ctx.clock.now(), actor, 'notification_rule.create', rule.id, { userId, delayMinutes: rule.delayMinutes, urgency });
    return rule;
  });
}

/** Deletes a notification rule. */
export async function deleteNotificationRule(ctx: Ctx, actor: Actor, ruleId: string): Promise<void> {
  requirePermission(actor, 'self.manage');
  const row = await store.ruleRow(ctx.db.kysely, ruleId);
  if (!row) throw notFound('Notification rule');
  requireSelfOr(actor, row.user_id, 'admin');
  await inTransaction(ctx, async (trx) => {
    await store.deleteRuleRow(trx, ruleId);
    await audit(trx, ctx.clock.now(), actor, 'notification_rule.delete', ruleId, {});
  });
}

/** The actor for a user id, with their team roles and where they acted from (for replies from channels: SMS, voice, Slack, email links), or undefined. */
export async function actorForUser(ctx: Ctx, userId: string, origin?: Origin): Promise<Actor | undefined> {
  const u = await store.findUser(ctx.db.kysely, userId);
  return u && { type: 'user', id: u.id, name: u.name, role: u.role, teams: await teamRolesOf(ctx.db.kysely, u.id), ...(origin && { origin }) };
}

/**
 * The user who owns a verified contact method of `type` at `address` (a phone number replying, a
 * Slack user clicking), as an actor whose origin (for the audit trail) is that channel and address.
 */
export async function userByContactAddress(ctx: Ctx, type: Channel, address: string): Promise<Actor | undefined> {
  const r = await store.ownerOfVerifiedAddress(ctx.db.kysely, type, address);
  return r ? actorForUser(ctx, r.user_id, { via: type, address }) : undefined;
}

/** True while no user exists: the first-run setup has not been done. */
export async function setupNeeded(ctx: Ctx): Promise<boolean> {
  return !(await store.anyUser(ctx.db.kysely));
}

/**
 * First-run setup: creates the first admin on an empty database, or a conflict once any user exists.
 * Race-safe across instances: the transaction first writes one settings row, which serializes
 * concurrent setups (a row lock on PostgreSQL, the write lock on SQLite), so only one sees no users.
 */
export async function createFirstAdmin(ctx: Ctx, input: unknown): Promise<User> {
  const v = parse(UserInput, { ...(input as object), role: 'admin' }, 'setup');
  const errors: FieldError[] = [];
  checkZone(v.timeZone, errors);
  if (!v.password) errors.push({ path: 'password', message: 'is required' });
  if (errors.length) throw invalid(errors.map((e) => `${e.path}: ${e.message}`).join('; '), errors);
  const passwordHash = await hashPassword(must(v.password, 'v.password'));
  const now = ctx.clock.now();
  await insertSettingIfAbsent(ctx.db.kysely, 'setup_lock', '');
  return inTransaction(ctx, async (trx) => {
    await updateSetting(trx, 'setup_lock', String(now));
    if (await store.anyUser(trx)) throw conflict('Klaxon is already set up: sign in instead');
    const user: User = { id: newId(), email: v.email.toLowerCase(), name: v.name, timeZone: v.timeZone ?? 'UTC', role: 'admin', createdAt: now };
    await store.insertUser(trx, { id: user.id, email: user.email, name: user.name, time_zone: user.timeZone, role: user.role, password_hash: passwordHash, created_at: now, updated_at: now });
    await audit(trx, now, { type: 'user', id: user.id, name: user.name, role: 'admin' }, 'setup.first_admin', user.id, { email: user.email });
    return user;
  });
}

/** How long a Telegram link code works. */
export const TELEGRAM_LINK_TTL_MS = 15 * 60_000;

/** A one-time code for `/start CODE` in Klaxon's Telegram bot (any earlier code of the person stops working). */
export async function createTelegramLinkCode(ctx: Ctx, actor: Actor, userId: string): Promise<{ code: string; expiresAt: number }> {
  requireSelfOr(actor, userId, 'admin');
  const now = ctx.clock.now();
  // 10 characters of A-Z and 2-9 (no 0/O, 1/I): about 49 bits, typed or sent by the deep link.
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const code = [...randomBytes(10)].map((b) => alphabet[b % alphabet.length]).join('');
  await inTransaction(ctx, async (trx) => {
    if (!(await store.findUser(trx, userId))) throw notFound('User');
    await store.insertTelegramLinkCode(trx, { code_hash: sha256(`telegram:${code}`), user_id: userId, expires_at: now + TELEGRAM_LINK_TTL_MS, created_at: now });
    await audit(trx, now, actor, 'telegram.link_code', userId, {});
  });
  return { code, expiresAt: now + TELEGRAM_LINK_TTL_MS };
}

/**
 * Links a Telegram chat to the person whose code was sent from it (`/start CODE`): the chat becomes a
 * verified `telegram` contact method (the code, shown only to that person, proves the chat is
 * theirs). Returns the person, or undefined for an unknown, used or expired code.
 */
export async function linkTelegramChat(ctx: Ctx, code: string, chatId: string): Promise<{ user: User; contactMethod: ContactMethod } | undefined> {
  if (!/^[A-Za-z0-9]{1,64}$/.test(code) || !/^-?\d{1,20}$/.test(chatId)) return undefined;
  const now = ctx.clock.now();
  return inTransaction(ctx, async (trx) => {
    const userId = await store.takeTelegramLinkCode(trx, sha256(`telegram:${code.toUpperCase()}`), now);
    const user = userId ? await store.findUser(trx, userId) : undefined;
    if (!user) return undefined;
    const existing = (await store.listContactMethods(trx, user.id)).find((m) => m.type === 'telegram' && m.address === chatId);
    let id = existing?.id;
    if (!id) {
      id = newId();
      let name = 'Telegram';
      for (let i = 2; await store.contactMethodIdByName(trx, user.id, name); i++) name = `Telegram ${i}`;
      await store.insertContactMethod(trx, {
        id,
        user_id: user.id,
        name,
        type: 'telegram',
        address: chatId,
        verified_at: now,
        verify_code_hash: null,
        verify_expires_at: null,
        verify_attempts: 0,
        disabled: 0,
        created_at: now,
      });
    } else await store.updateContactMethodRow(trx, id, { verified_at: now, disabled: 0 });
    const actor: Actor = { type: 'user', id: user.id, name: user.name, role: user.role };
    await audit(trx, now, actor, 'contact_method.create', id, { userId: user.id, type: 'telegram', linkedBy: 'telegram /start code' });
    return { user, contactMethod: store.contactMethodFromRow(await store.contactMethodRowOrThrow(trx, id)) };
  });
}
