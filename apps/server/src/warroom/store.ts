/** SQL for the war-room domain (war rooms, members, chat, receipts, tasks, runbooks, service actions): rows in, rows out. No permission checks here. */
import type { Insertable, NotNull, Updateable } from 'kysely';
import type { Tx } from '../context.js';
import type { ChatMessageTable, ChatReceiptTable, RunbookTable, ServiceActionTable, WarRoomTable } from './tables.js';

/** Unread priority-message receipts whose re-page is due (at most 200), with their message, incident and reader. */
export async function dueRepages(db: Tx, now: number) {
  return db
    .selectFrom('chat_receipts')
    .innerJoin('chat_messages', 'chat_messages.id', 'chat_receipts.message_id')
    .innerJoin('incidents', 'incidents.id', 'chat_receipts.incident_id')
    .innerJoin('users', 'users.id', 'chat_receipts.user_id')
    .select([
      'chat_receipts.message_id',
      'chat_receipts.user_id',
      'chat_receipts.incident_id',
      'chat_receipts.repage_at',
      'chat_receipts.pages',
      'chat_messages.text',
      'chat_messages.author_name',
      'incidents.number',
      'incidents.drill',
      'incidents.status',
      'users.name',
    ])
    .where('chat_receipts.read_at', 'is', null)
    .where('chat_receipts.repage_at', '<=', now)
    .limit(200)
    .execute();
}

/** Claims a re-page of an unread receipt still at `pages` (compare-and-set); false when another run did or it was read. */
export async function claimRepage(db: Tx, r: { messageId: string; userId: string; pages: number }, set: { pages: number; repage_at: number | null }): Promise<boolean> {
  const claim = await db
    .updateTable('chat_receipts')
    .set(set)
    .where('message_id', '=', r.messageId)
    .where('user_id', '=', r.userId)
    .where('pages', '=', r.pages)
    .where('read_at', 'is', null)
    .executeTakeFirst();
  return !!claim.numUpdatedRows;
}

/** Runbooks with an owner last reviewed at or before `cutoff` whose owner was not told yet (at most 200). */
export async function staleRunbooks(db: Tx, cutoff: number) {
  return db
    .selectFrom('runbooks')
    .innerJoin('services', 'services.id', 'runbooks.service_id')
    .select(['runbooks.id', 'runbooks.title', 'runbooks.owner_id', 'runbooks.last_reviewed_at', 'services.name as service_name'])
    .where('runbooks.last_reviewed_at', '<=', cutoff)
    .where('runbooks.stale_notified_at', 'is', null)
    .where('runbooks.owner_id', 'is not', null)
    .limit(200)
    .execute();
}

/** Claims the stale notice of a runbook; false when it was sent already. */
export async function claimStaleNotice(db: Tx, id: string, now: number): Promise<boolean> {
  const claim = await db.updateTable('runbooks').set({ stale_notified_at: now }).where('id', '=', id).where('stale_notified_at', 'is', null).executeTakeFirst();
  return !!claim.numUpdatedRows;
}

/** War rooms waiting for a Slack channel (at most 20). */
export async function pendingSlackChannels(db: Tx) {
  return db.selectFrom('war_rooms').select(['incident_id', 'slack_pending']).where('slack_pending', 'is not', null).limit(20).execute();
}

/** Records a Slack channel request's outcome, if it is still the pending one (compare-and-set); false otherwise. */
export async function settleSlackPending(db: Tx, incidentId: string, pending: string, channel: string | null): Promise<boolean> {
  const claimed = await db
    .updateTable('war_rooms')
    .set({ slack_pending: null, ...(channel && { slack_channel: channel }) })
    .where('incident_id', '=', incidentId)
    .where('slack_pending', '=', pending)
    .executeTakeFirst();
  return !!claimed.numUpdatedRows;
}

/** The tasks of an incident's war room, oldest first. */
export async function taskRows(db: Tx, incidentId: string) {
  return db.selectFrom('war_room_tasks').select(['id', 'text', 'owner_id', 'created_at', 'done_at']).where('incident_id', '=', incidentId).orderBy('created_at').orderBy('id').execute();
}

/** Inserts a war-room task. */
export async function insertTask(db: Tx, row: { id: string; incident_id: string; text: string; owner_id: string | null; created_at: number; done_at: null }): Promise<void> {
  await db.insertInto('war_room_tasks').values(row).execute();
}

/** Who an incident paged, by outbox message, oldest first, with their name. */
export async function pagesOfIncident(db: Tx, incidentId: string) {
  return db
    .selectFrom('outbox')
    .leftJoin('users', 'users.id', 'outbox.user_id')
    .select(['outbox.user_id', 'users.name', 'outbox.channel', 'outbox.status', 'outbox.created_at', 'outbox.sent_at', 'outbox.last_error'])
    .where('outbox.incident_id', '=', incidentId)
    .where('outbox.user_id', 'is not', null)
    .orderBy('outbox.created_at')
    .execute();
}

/** The read receipts of an incident's priority messages that were read. */
export async function readReceipts(db: Tx, incidentId: string): Promise<{ user_id: string; read_at: number | null }[]> {
  return db.selectFrom('chat_receipts').select(['user_id', 'read_at']).where('incident_id', '=', incidentId).where('read_at', 'is not', null).execute();
}

/** Updates an incident's war room; false when the incident has none. */
export async function updateWarRoom(db: Tx, incidentId: string, set: Updateable<WarRoomTable>): Promise<boolean> {
  const u = await db.updateTable('war_rooms').set(set).where('incident_id', '=', incidentId).executeTakeFirst();
  return !!u.numUpdatedRows;
}

/** The war room bridged to a Slack channel. */
export async function warRoomOfSlackChannel(db: Tx, channel: string): Promise<{ incident_id: string } | undefined> {
  return db.selectFrom('war_rooms').select('incident_id').where('slack_channel', '=', channel).executeTakeFirst();
}

/** The chat message of an incident bridged from a Slack message (by its ts). */
export async function chatMessageFromSlack(db: Tx, incidentId: string, slackTs: string): Promise<{ id: string } | undefined> {
  return db.selectFrom('chat_messages').select('id').where('incident_id', '=', incidentId).where('slack_ts', '=', slackTs).executeTakeFirst();
}

// ---- Chat (warroom/chat.ts) ----

/** Inserts a chat message. */
export async function insertChatMessage(db: Tx, row: Insertable<ChatMessageTable>): Promise<void> {
  await db.insertInto('chat_messages').values(row).execute();
}

/** The Slack channel an incident's war room is bridged to. */
export async function warRoomSlackChannel(db: Tx, incidentId: string): Promise<{ slack_channel: string | null } | undefined> {
  return db.selectFrom('war_rooms').select('slack_channel').where('incident_id', '=', incidentId).executeTakeFirst();
}

/** Whether an incident has a war room. */
export async function warRoomExists(db: Tx, incidentId: string): Promise<boolean> {
  return !!(await db.selectFrom('war_rooms').select('incident_id').where('incident_id', '=', incidentId).executeTakeFirst());
}

/** The members of an incident's war room. */
export async function memberIds(db: Tx, incidentId: string): Promise<{ user_id: string }[]> {
  return db.selectFrom('war_room_members').select('user_id').where('incident_id', '=', incidentId).execute();
}

/** Inserts a priority message's receipt for one member. */
export async function insertReceipt(db: Tx, row: Insertable<ChatReceiptTable>): Promise<void> {
  await db.insertInto('chat_receipts').values(row).execute();
}

/** An incident's chat messages in order: only priority ones (or only the others), after a time, at most `limit`. */
export async function chatRows(db: Tx, incidentId: string, o: { priority?: boolean; after?: number; limit: number }) {
  let q = db.selectFrom('chat_messages').selectAll().where('incident_id', '=', incidentId);
  if (o.priority !== undefined) q = q.where('priority', '=', o.priority ? 1 : 0);
  if (o.after !== undefined) q = q.where('at', '>', o.after);
  return q.orderBy('at').orderBy('id').limit(o.limit).execute();
}

/** Marks every receipt of a user in an incident not received yet as received. */
export async function markReceived(db: Tx, incidentId: string, userId: string, now: number): Promise<void> {
  await db.updateTable('chat_receipts').set({ received_at: now }).where('incident_id', '=', incidentId).where('user_id', '=', userId).where('received_at', 'is', null).execute();
}

/** The receipts of these messages, with the reader's name. */
export async function receiptsOf(db: Tx, messageIds: string[]) {
  return db
    .selectFrom('chat_receipts')
    .innerJoin('users', 'users.id', 'chat_receipts.user_id')
    .select(['message_id', 'user_id', 'users.name', 'received_at', 'read_at', 'pages'])
    .where('message_id', 'in', messageIds)
    .execute();
}

/** One user's receipt of a message. */
export async function receipt(db: Tx, messageId: string, userId: string) {
  return db.selectFrom('chat_receipts').selectAll().where('message_id', '=', messageId).where('user_id', '=', userId).executeTakeFirst();
}

/** Updates one user's receipt of a message. */
export async function updateReceipt(db: Tx, messageId: string, userId: string, set: Updateable<ChatReceiptTable>): Promise<void> {
  await db.updateTable('chat_receipts').set(set).where('message_id', '=', messageId).where('user_id', '=', userId).execute();
}

// ---- Runbooks and service actions (warroom/runbooks.ts) ----

/** A service's runbooks, by title. */
export async function runbookRows(db: Tx, serviceId: string) {
  return db.selectFrom('runbooks').selectAll().where('service_id', '=', serviceId).orderBy('title').execute();
}

/** Inserts a runbook. */
export async function insertRunbook(db: Tx, row: Insertable<RunbookTable>): Promise<void> {
  await db.insertInto('runbooks').values(row).execute();
}

/** A runbook by id. */
export async function runbookRow(db: Tx, id: string) {
  return db.selectFrom('runbooks').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Marks a runbook reviewed now (its stale notice may come again). */
export async function markRunbookReviewed(db: Tx, id: string, now: number): Promise<void> {
  await db.updateTable('runbooks').set({ last_reviewed_at: now, stale_notified_at: null, updated_at: now }).where('id', '=', id).execute();
}

/** A service's actions, by name. */
export async function actionRows(db: Tx, serviceId: string) {
  return db.selectFrom('service_actions').selectAll().where('service_id', '=', serviceId).orderBy('name').execute();
}

/** The id of a service's action with this name. */
export async function actionIdByName(db: Tx, serviceId: string, name: string): Promise<{ id: string } | undefined> {
  return db.selectFrom('service_actions').select('id').where('service_id', '=', serviceId).where('name', '=', name).executeTakeFirst();
}

/** A service's action with this name. */
export async function actionByName(db: Tx, serviceId: string, name: string) {
  return db.selectFrom('service_actions').selectAll().where('service_id', '=', serviceId).where('name', '=', name).executeTakeFirst();
}

/** Inserts a service action. */
export async function insertAction(db: Tx, row: Insertable<ServiceActionTable>): Promise<void> {
  await db.insertInto('service_actions').values(row).execute();
}

/** Every action's id and stored secrets (JSON). */
export async function actionSecrets(db: Tx): Promise<{ id: string; secrets: string }[]> {
  return db.selectFrom('service_actions').select(['id', 'secrets']).execute();
}

/** Replaces an action's secrets, only if they are still the ones read (compare-and-set). */
export async function replaceActionSecrets(db: Tx, id: string, was: string, secrets: string): Promise<void> {
  await db.updateTable('service_actions').set({ secrets }).where('id', '=', id).where('secrets', '=', was).execute();
}

// ---- War rooms, severity levels and roles (warroom/service.ts) ----

/** Every severity level row, most severe first. */
export async function severityRows(db: Tx) {
  return db.selectFrom('severity_levels').selectAll().orderBy('rank').execute();
}

/** A severity level row by name. */
export async function severityRow(db: Tx, name: string) {
  return db.selectFrom('severity_levels').selectAll().where('name', '=', name).executeTakeFirst();
}

/** Whether a severity level exists. */
export async function severityExists(db: Tx, name: string): Promise<boolean> {
  return !!(await db.selectFrom('severity_levels').select('name').where('name', '=', name).executeTakeFirst());
}

/** A severity level's name and major flag. */
export async function levelByName(db: Tx, name: string): Promise<{ name: string; major: number } | undefined> {
  return db.selectFrom('severity_levels').select(['name', 'major']).where('name', '=', name).executeTakeFirst();
}

/** The most severe level's name and major flag. */
export async function mostSevereLevel(db: Tx): Promise<{ name: string; major: number } | undefined> {
  return db.selectFrom('severity_levels').select(['name', 'major']).orderBy('rank').executeTakeFirst();
}

/** A severity level's rank. */
export async function severityRank(db: Tx, name: string): Promise<{ rank: number } | undefined> {
  return db.selectFrom('severity_levels').select('rank').where('name', '=', name).executeTakeFirst();
}

/** A member's role in an incident's war room. */
export async function memberRoleRow(db: Tx, incidentId: string, userId: string): Promise<{ role: string } | undefined> {
  return db.selectFrom('war_room_members').select('role').where('incident_id', '=', incidentId).where('user_id', '=', userId).executeTakeFirst();
}

/** Adds a member to an incident's war room. */
export async function insertMember(db: Tx, row: { incident_id: string; user_id: string; role: string; added_at: number }): Promise<void> {
  await db.insertInto('war_room_members').values(row).execute();
}

/** Changes a member's role. */
export async function setMemberRole(db: Tx, incidentId: string, userId: string, role: string): Promise<void> {
  await db.updateTable('war_room_members').set({ role }).where('incident_id', '=', incidentId).where('user_id', '=', userId).execute();
}

/** Every user's id, name and email (for @mentions). */
export async function userRefs(db: Tx): Promise<{ id: string; name: string; email: string }[]> {
  return db.selectFrom('users').select(['id', 'name', 'email']).execute();
}

/** Opens an incident's war room. */
export async function insertWarRoom(db: Tx, row: { incident_id: string; opened_at: number; bridge_url: string | null; slack_channel: null; slack_pending: null }): Promise<void> {
  await db.insertInto('war_rooms').values(row).execute();
}

/** Whether a service exists. */
export async function serviceExists(db: Tx, id: string): Promise<boolean> {
  return !!(await db.selectFrom('services').select('id').where('id', '=', id).executeTakeFirst());
}

/** An incident's impact (JSON); throws when there is no such incident. */
export async function incidentImpact(db: Tx, id: string): Promise<{ impact: string }> {
  return db.selectFrom('incidents').select('impact').where('id', '=', id).executeTakeFirstOrThrow();
}

/** An incident's impact (JSON), if the incident exists. */
export async function incidentImpactIfAny(db: Tx, id: string): Promise<{ impact: string } | undefined> {
  return db.selectFrom('incidents').select('impact').where('id', '=', id).executeTakeFirst();
}

/** An incident's war room row. */
export async function warRoomRow(db: Tx, incidentId: string) {
  return db.selectFrom('war_rooms').selectAll().where('incident_id', '=', incidentId).executeTakeFirst();
}

/** A war room's members with their names, in the order they joined. */
export async function membersWithNames(db: Tx, incidentId: string) {
  return db
    .selectFrom('war_room_members')
    .innerJoin('users', 'users.id', 'war_room_members.user_id')
    .select(['war_room_members.user_id', 'war_room_members.role', 'users.name'])
    .where('incident_id', '=', incidentId)
    .orderBy('war_room_members.added_at')
    .execute();
}

/** A war room's tasks with their owners' names, oldest first. */
export async function tasksWithOwners(db: Tx, incidentId: string) {
  return db
    .selectFrom('war_room_tasks')
    .leftJoin('users', 'users.id', 'war_room_tasks.owner_id')
    .select(['war_room_tasks.id', 'war_room_tasks.text', 'war_room_tasks.owner_id', 'users.name', 'war_room_tasks.created_at', 'war_room_tasks.done_at'])
    .where('incident_id', '=', incidentId)
    .orderBy('war_room_tasks.created_at')
    .execute();
}

// ---- Chat platform bridges (chat_bridges, migration 0027; src/chat/) ----

/** An incident's bridges to chat platforms other than Slack. */
export async function chatBridgesOf(db: Tx, incidentId: string): Promise<{ platform: string; channel: string | null; pending: string | null }[]> {
  return db.selectFrom('chat_bridges').select(['platform', 'channel', 'pending']).where('incident_id', '=', incidentId).orderBy('platform').execute();
}

/** Records (or replaces) an incident's bridge to a platform: a channel, or a pending request to create one. */
export async function upsertChatBridge(db: Tx, row: { incident_id: string; platform: string; channel: string | null; pending: string | null; created_at: number }): Promise<void> {
  await db
    .insertInto('chat_bridges')
    .values(row)
    .onConflict((oc) => oc.columns(['incident_id', 'platform']).doUpdateSet({ channel: row.channel, pending: row.pending, cursor: null, created_at: row.created_at }))
    .execute();
}

/** Bridges waiting for the engine to create their channel (at most 20). */
export async function pendingChatBridges(db: Tx): Promise<{ incident_id: string; platform: string; pending: string }[]> {
  const rows = await db.selectFrom('chat_bridges').select(['incident_id', 'platform', 'pending']).where('pending', 'is not', null).$narrowType<{ pending: NotNull }>().limit(20).execute();
  return rows;
}

/** Records a created channel if the request is still the pending one (compare-and-set); false otherwise. */
export async function settleChatBridge(db: Tx, incidentId: string, platform: string, pending: string, channel: string | null): Promise<boolean> {
  const u = await db
    .updateTable('chat_bridges')
    .set({ pending: null, ...(channel && { channel }) })
    .where('incident_id', '=', incidentId)
    .where('platform', '=', platform)
    .where('pending', '=', pending)
    .executeTakeFirst();
  return !!u.numUpdatedRows;
}

/** The war room bridged to a platform's channel. */
export async function warRoomOfChatChannel(db: Tx, platform: string, channel: string): Promise<{ incident_id: string } | undefined> {
  return db.selectFrom('chat_bridges').select('incident_id').where('platform', '=', platform).where('channel', '=', channel).executeTakeFirst();
}

/** The chat message of an incident bridged in from a platform message (`platform:id`). */
export async function chatMessageByExternalId(db: Tx, incidentId: string, externalId: string): Promise<{ id: string } | undefined> {
  return db.selectFrom('chat_messages').select('id').where('incident_id', '=', incidentId).where('external_id', '=', externalId).executeTakeFirst();
}

/** A platform's bridged channels, for reading them (at most 100, oldest first). */
export async function bridgedChannelsOf(db: Tx, platform: string): Promise<{ incident_id: string; channel: string; cursor: string | null; created_at: number }[]> {
  const rows = await db
    .selectFrom('chat_bridges')
    .select(['incident_id', 'channel', 'cursor', 'created_at'])
    .where('platform', '=', platform)
    .where('channel', 'is not', null)
    .$narrowType<{ channel: NotNull }>()
    .orderBy('created_at')
    .limit(100)
    .execute();
  return rows.map((r) => ({ incident_id: r.incident_id, channel: r.channel, cursor: r.cursor, created_at: Number(r.created_at) }));
}

/** Records how far a bridged channel has been read. */
export async function setBridgeCursor(db: Tx, incidentId: string, platform: string, cursor: string): Promise<void> {
  await db.updateTable('chat_bridges').set({ cursor }).where('incident_id', '=', incidentId).where('platform', '=', platform).execute();
}
