import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Role } from '../auth/actor.js';
import type { Tx } from '../context.js';
import type { Channel } from '../notify/types.js';
import type { ContactMethodTable, NotificationRuleTable, UserTable } from './tables.js';
import type { ContactMethod, NotificationRule, User } from './types.js';

/** Maps a users row to a User. */
export function userFromRow(r: Selectable<UserTable>): User {
  return { id: r.id, email: r.email, name: r.name, timeZone: r.time_zone, role: r.role as Role, createdAt: r.created_at };
}

/** Maps a contact_methods row to a ContactMethod. */
export function contactMethodFromRow(r: Selectable<ContactMethodTable>): ContactMethod {
  return {
    id: r.id,
    userId: r.user_id,
    name: r.name,
    type: r.type as Channel,
    address: r.address,
    verified: r.verified_at !== null,
    disabled: r.disabled === 1,
    ...(r.repeat_unanswered === 1 && { repeatIfUnanswered: true }),
  };
}

/** Maps a notification_rules row to a NotificationRule. */
export function ruleFromRow(r: Selectable<NotificationRuleTable>): NotificationRule {
  return { id: r.id, userId: r.user_id, contactMethodId: r.contact_method_id, delayMinutes: r.delay_minutes, urgency: (r.urgency ?? 'any') as NotificationRule['urgency'] };
}

/** A user by id, or undefined. */
export async function findUser(db: Tx, id: string): Promise<User | undefined> {
  const r = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  return r && userFromRow(r);
}

/** A user by email (case-insensitive), or undefined. */
export async function findUserByEmail(db: Tx, email: string): Promise<User | undefined> {
  const r = await db.selectFrom('users').selectAll().where('email', '=', email.toLowerCase()).executeTakeFirst();
  return r && userFromRow(r);
}

/** Every user by name, or only those of `ids` (unknown ids are left out). */
export async function listUsers(db: Tx, ids?: readonly string[]): Promise<User[]> {
  if (ids && !ids.length) return [];
  const rows = await db
    .selectFrom('users')
    .selectAll()
    .$if(ids !== undefined, (q) => q.where('id', 'in', [...new Set(ids ?? [])]))
    .orderBy('name')
    .execute();
  return rows.map(userFromRow);
}

/** A user's contact methods. */
export async function listContactMethods(db: Tx, userId: string): Promise<ContactMethod[]> {
  const rows = await db.selectFrom('contact_methods').selectAll().where('user_id', '=', userId).orderBy('created_at').execute();
  return rows.map(contactMethodFromRow);
}

/** A user's notification rules, by delay. */
export async function listRules(db: Tx, userId: string): Promise<NotificationRule[]> {
  const rows = await db.selectFrom('notification_rules').selectAll().where('user_id', '=', userId).orderBy('delay_minutes').execute();
  return rows.map(ruleFromRow);
}

/** Disables the push contact methods of a Web Push subscription that is gone; the number disabled. */
export async function disablePushContactMethods(db: Tx, address: string): Promise<number> {
  const r = await db.updateTable('contact_methods').set({ disabled: 1 }).where('type', '=', 'push').where('address', '=', address).executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** The id, type and address of the contact methods with these ids. */
export async function contactMethodAddresses(db: Tx, ids: string[]): Promise<{ id: string; type: string; address: string }[]> {
  return db.selectFrom('contact_methods').select(['id', 'type', 'address']).where('id', 'in', ids).execute();
}

/** The id and name of the users with these ids. */
export async function userNames(db: Tx, ids: string[]): Promise<{ id: string; name: string }[]> {
  return db.selectFrom('users').select(['id', 'name']).where('id', 'in', ids).execute();
}

/** A user's name, by id. */
export async function userNameRow(db: Tx, id: string): Promise<{ name: string } | undefined> {
  return db.selectFrom('users').select('name').where('id', '=', id).executeTakeFirst();
}

/** How many users there are. */
export async function countUsers(db: Tx): Promise<number> {
  const r = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** The email of each of these users. */
export async function userEmails(db: Tx, ids: string[]): Promise<{ id: string; email: string }[]> {
  return db.selectFrom('users').select(['id', 'email']).where('id', 'in', ids).execute();
}

/** Every user's id and name, by name. */
export async function userNamesByName(db: Tx): Promise<{ id: string; name: string }[]> {
  return db.selectFrom('users').select(['id', 'name']).orderBy('name').execute();
}

/** The users with a verified contact method that is not disabled, once each. */
export async function reachableUserIds(db: Tx): Promise<{ user_id: string }[]> {
  return db.selectFrom('contact_methods').select('user_id').distinct().where('verified_at', 'is not', null).where('disabled', '=', 0).execute();
}

/** The id of a user, if the user exists. */
export async function userIdIfExists(db: Tx, id: string): Promise<{ id: string } | undefined> {
  return db.selectFrom('users').select('id').where('id', '=', id).executeTakeFirst();
}

/** A user's notification rules on verified contact methods that are not disabled, by delay. */
export async function rulesOnVerifiedMethods(db: Tx, userId: string) {
  return db
    .selectFrom('notification_rules')
    .innerJoin('contact_methods', 'contact_methods.id', 'notification_rules.contact_method_id')
    .select(['notification_rules.contact_method_id as contactMethodId', 'notification_rules.delay_minutes as delayMinutes', 'notification_rules.urgency as urgency'])
    .where('notification_rules.user_id', '=', userId)
    .where('contact_methods.verified_at', 'is not', null)
    .where('contact_methods.disabled', '=', 0)
    .orderBy('notification_rules.delay_minutes')
    .execute();
}

/** A user's verified contact methods that are not disabled, webhooks left out. */
export async function verifiedPageableMethodIds(db: Tx, userId: string): Promise<{ id: string }[]> {
  return db.selectFrom('contact_methods').select('id').where('user_id', '=', userId).where('verified_at', 'is not', null).where('disabled', '=', 0).where('type', '!=', 'webhook').execute();
}

/** A user's id, email and name. */
export async function userContact(db: Tx, id: string): Promise<{ id: string; email: string; name: string } | undefined> {
  return db.selectFrom('users').select(['id', 'email', 'name']).where('id', '=', id).executeTakeFirst();
}

/** The id, email and name of the user with this (lower-case) email. */
export async function userContactByEmail(db: Tx, email: string): Promise<{ id: string; email: string; name: string } | undefined> {
  return db.selectFrom('users').select(['id', 'email', 'name']).where('email', '=', email).executeTakeFirst();
}

/** The password hash of the user with this (lower-case) email. */
export async function passwordHashByEmail(db: Tx, email: string): Promise<{ password_hash: string | null } | undefined> {
  return db.selectFrom('users').select('password_hash').where('email', '=', email).executeTakeFirst();
}

/** Sets a user's password hash. */
export async function setPasswordHash(db: Tx, id: string, hash: string, now: number): Promise<void> {
  await db.updateTable('users').set({ password_hash: hash, updated_at: now }).where('id', '=', id).execute();
}

// ---- User verbs (user/service.ts) ----

/** Inserts a user. */
export async function insertUser(db: Tx, row: Insertable<UserTable>): Promise<void> {
  await db.insertInto('users').values(row).execute();
}

/** A user's password hash. */
export async function passwordHashOf(db: Tx, id: string): Promise<{ password_hash: string | null } | undefined> {
  return db.selectFrom('users').select('password_hash').where('id', '=', id).executeTakeFirst();
}

/** Updates a user. */
export async function updateUserRow(db: Tx, id: string, set: Updateable<UserTable>): Promise<void> {
  await db.updateTable('users').set(set).where('id', '=', id).execute();
}

/** Deletes a user; false when there was none. */
export async function deleteUserRow(db: Tx, id: string): Promise<boolean> {
  const r = await db.deleteFrom('users').where('id', '=', id).executeTakeFirst();
  return !!r.numDeletedRows;
}

/** Every escalation policy's name and levels (JSON): who targets a user or team. */
export async function policyTargets(db: Tx): Promise<{ name: string; levels: string }[]> {
  return db.selectFrom('escalation_policies').select(['name', 'levels']).execute();
}

/** A user row by (lower-case) email. */
export async function userRowByEmail(db: Tx, email: string) {
  return db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
}

/** The id of a user's contact method with this name. */
export async function contactMethodIdByName(db: Tx, userId: string, name: string): Promise<{ id: string } | undefined> {
  return db.selectFrom('contact_methods').select('id').where('user_id', '=', userId).where('name', '=', name).executeTakeFirst();
}

/** Inserts a contact method. */
export async function insertContactMethod(db: Tx, row: Insertable<ContactMethodTable>): Promise<void> {
  await db.insertInto('contact_methods').values(row).execute();
}

/** Updates a contact method. */
export async function updateContactMethodRow(db: Tx, id: string, set: Updateable<ContactMethodTable>): Promise<void> {
  await db.updateTable('contact_methods').set(set).where('id', '=', id).execute();
}

/** A contact method row. */
export async function contactMethodRow(db: Tx, id: string) {
  return db.selectFrom('contact_methods').selectAll().where('id', '=', id).executeTakeFirst();
}

/** A contact method row; throws when there is none. */
export async function contactMethodRowOrThrow(db: Tx, id: string) {
  return db.selectFrom('contact_methods').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

/** When the verification message enqueued at `createdAt` for a contact method was sent, if it was. */
export async function verificationSentAt(db: Tx, contactMethodId: string, createdAt: number): Promise<{ sent_at: number | null } | undefined> {
  return db
    .selectFrom('outbox')
    .select('sent_at')
    .where('contact_method_id', '=', contactMethodId)
    .where('kind', '=', 'verification')
    .where('created_at', '=', createdAt)
    .where('sent_at', 'is not', null)
    .executeTakeFirst();
}

/** Counts one more wrong verification code. */
export async function countWrongCode(db: Tx, id: string): Promise<void> {
  await db
    .updateTable('contact_methods')
    .set((eb) => ({ verify_attempts: eb('verify_attempts', '+', 1) }))
    .where('id', '=', id)
    .execute();
}

/** Deletes a contact method. */
export async function deleteContactMethodRow(db: Tx, id: string): Promise<void> {
  await db.deleteFrom('contact_methods').where('id', '=', id).execute();
}

/** A contact method's id and user. */
export async function contactMethodOwner(db: Tx, id: string): Promise<{ id: string; user_id: string } | undefined> {
  return db.selectFrom('contact_methods').select(['id', 'user_id']).where('id', '=', id).executeTakeFirst();
}

/** A user's notification rule for a contact method and delay. */
export async function ruleFor(db: Tx, userId: string, contactMethodId: string, delayMinutes: number) {
  return db.selectFrom('notification_rules').selectAll().where('user_id', '=', userId).where('contact_method_id', '=', contactMethodId).where('delay_minutes', '=', delayMinutes).executeTakeFirst();
}

/** Inserts a notification rule. */
export async function insertRule(db: Tx, row: Insertable<NotificationRuleTable>): Promise<void> {
  await db.insertInto('notification_rules').values(row).execute();
}

/** A notification rule row. */
export async function ruleRow(db: Tx, id: string) {
  return db.selectFrom('notification_rules').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Deletes a notification rule. */
export async function deleteRuleRow(db: Tx, id: string): Promise<void> {
  await db.deleteFrom('notification_rules').where('id', '=', id).execute();
}

/** The user of the oldest verified contact method of this type and address. */
export async function ownerOfVerifiedAddress(db: Tx, type: string, address: string): Promise<{ user_id: string } | undefined> {
  return db.selectFrom('contact_methods').select('user_id').where('type', '=', type).where('address', '=', address).where('verified_at', 'is not', null).orderBy('created_at').executeTakeFirst();
}

/** Some user's id, if any user exists. */
export async function anyUser(db: Tx): Promise<{ id: string } | undefined> {
  return db.selectFrom('users').select('id').limit(1).executeTakeFirst();
}

/** When a person was deactivated (SCIM), or null while active; undefined when there is no such person. */
export async function deactivatedAt(db: Tx, id: string): Promise<number | null | undefined> {
  const r = await db.selectFrom('users').select('deactivated_at').where('id', '=', id).executeTakeFirst();
  return r ? (r.deactivated_at == null ? null : Number(r.deactivated_at)) : undefined;
}

/** Marks a person deactivated (SCIM active=false), or active again with null; `deleted` also hides them from SCIM (DELETE). */
export async function setDeactivated(db: Tx, id: string, at: number | null, now: number, deleted = false): Promise<void> {
  await db
    .updateTable('users')
    .set({ deactivated_at: at, updated_at: now, ...(deleted && { scim_deleted_at: now }), ...(at === null && { scim_deleted_at: null }) })
    .where('id', '=', id)
    .execute();
}

/** Every person with the SCIM fields, by email. */
export async function scimUserRows(db: Tx) {
  return db
    .selectFrom('users')
    .select(['id', 'email', 'name', 'role', 'created_at', 'updated_at', 'deactivated_at', 'external_id'])
    .where('scim_deleted_at', 'is', null)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

/** One person with the SCIM fields. */
export async function scimUserRow(db: Tx, id: string) {
  return db
    .selectFrom('users')
    .select(['id', 'email', 'name', 'role', 'created_at', 'updated_at', 'deactivated_at', 'external_id'])
    .where('id', '=', id)
    .where('scim_deleted_at', 'is', null)
    .executeTakeFirst();
}

/** Sets a person's external id (SCIM externalId). */
export async function setExternalId(db: Tx, id: string, externalId: string | null): Promise<void> {
  await db.updateTable('users').set({ external_id: externalId }).where('id', '=', id).execute();
}

/** Stores a Telegram link code (its hash), replacing the person's earlier ones. */
export async function insertTelegramLinkCode(db: Tx, row: { code_hash: string; user_id: string; expires_at: number; created_at: number }): Promise<void> {
  await db.deleteFrom('telegram_link_codes').where('user_id', '=', row.user_id).execute();
  await db.insertInto('telegram_link_codes').values(row).execute();
}

/** Takes a Telegram link code: deletes it and returns its user when it was still valid. */
export async function takeTelegramLinkCode(db: Tx, codeHash: string, now: number): Promise<string | undefined> {
  const row = await db.selectFrom('telegram_link_codes').select(['user_id', 'expires_at']).where('code_hash', '=', codeHash).executeTakeFirst();
  if (!row) return undefined;
  await db.deleteFrom('telegram_link_codes').where('code_hash', '=', codeHash).execute();
  return Number(row.expires_at) >= now ? row.user_id : undefined;
}

/** Whether a contact method is set to call again when a page is not answered. */
export async function repeatsUnanswered(db: Tx, id: string): Promise<boolean> {
  const r = await db.selectFrom('contact_methods').select('repeat_unanswered').where('id', '=', id).executeTakeFirst();
  return r?.repeat_unanswered === 1;
}
