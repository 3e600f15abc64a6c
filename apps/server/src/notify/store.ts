/** SQL for the notify domain (outbox, notifications, delivery attempts): rows in, rows out. No permission checks here. */
import { sql, type Insertable, type Updateable } from 'kysely';
import type { Tx } from '../context.js';
import { compiled } from '../lib/db/compiled.js';
import { dialectOf, idIn, notHeldElsewhere, skipLocked, type DialectName } from '../lib/db/index.js';
import { newId } from '../lib/ids.js';
import type { DeliveryAttemptTable, NotificationTable, OutboxTable } from './tables.js';

/** Inserts one outbox row (compiled once: it is on the paging path). */
export const insertOutbox = compiled((q: Tx, row: Insertable<OutboxTable>) => q.insertInto('outbox').values(row));

/** What a page says about its incident: one query, compiled once. */
export const pageFacts = compiled((q: Tx, p: { incidentId: string }) =>
  q
    .selectFrom('incidents')
    .innerJoin('services', 'services.id', 'incidents.service_id')
    .select([
      'incidents.id',
      'incidents.number',
      'incidents.title',
      'incidents.severity',
      'incidents.status',
      'incidents.details',
      'incidents.created_at',
      'incidents.drill',
      'incidents.major',
      'incidents.urgency',
      'services.name as service_name',
    ])
    .select((eb) => eb.selectFrom('war_rooms').select('war_rooms.bridge_url').whereRef('war_rooms.incident_id', '=', 'incidents.id').as('bridge_url'))
    .select((eb) => eb.selectFrom('alerts').select(eb.fn.countAll<number>().as('n')).whereRef('alerts.incident_id', '=', 'incidents.id').as('alert_count'))
    .where('incidents.id', '=', p.incidentId),
);

/** Cancels an incident's pending notifications (acknowledged, resolved, reassigned, snoozed). */
export async function cancelPendingNotifications(db: Tx, incidentId: string): Promise<void> {
  await db.updateTable('notifications').set({ status: 'cancelled' }).where('incident_id', '=', incidentId).where('status', '=', 'pending').execute();
}

/** An outbox message's content. */
export async function outboxContent(db: Tx, id: string): Promise<{ content: string } | undefined> {
  return db.selectFrom('outbox').select(['content']).where('id', '=', id).executeTakeFirst();
}

/** An outbox message's content, user and incident. */
export async function outboxPage(db: Tx, id: string): Promise<{ content: string; user_id: string | null; incident_id: string | null; destination: string } | undefined> {
  return db.selectFrom('outbox').select(['content', 'user_id', 'incident_id', 'destination']).where('id', '=', id).executeTakeFirst();
}

/** Whether an outbox message exists. */
export async function outboxExists(db: Tx, id: string): Promise<boolean> {
  return !!(await db.selectFrom('outbox').select('id').where('id', '=', id).executeTakeFirst());
}

/** Records a provider's status callback on an outbox message: its provider status and a `callback` delivery attempt. */
export async function recordProviderCallback(db: Tx, id: string, now: number, o: { status: string; providerMessageId: string | null; error: string | null }): Promise<void> {
  await db.updateTable('outbox').set({ provider_status: o.status }).where('id', '=', id).execute();
  await db
    .insertInto('delivery_attempts')
    .values({ id: newId(), message_id: id, at: now, status: 'callback', provider_status: o.status, provider_message_id: o.providerMessageId, error: o.error })
    .execute();
}

/**
 * A provider reported an SMS or call failed (delivery-status callback): records it, and puts the
 * message back in the queue, due now, with that provider added to its failed ones, so delivery sends
 * it through the next provider. Only a message that provider took (and not already failed or requeued)
 * is requeued; returns whether it was.
 */
export async function requeueAfterProviderFailure(db: Tx, id: string, provider: string, now: number, error: string): Promise<boolean> {
  const row = await db.selectFrom('outbox').select(['status', 'provider', 'failed_providers']).where('id', '=', id).executeTakeFirst();
  if (!row || row.status !== 'sent' || (row.provider ?? null) !== provider) return false;
  const failed = [...new Set([...(row.failed_providers ? row.failed_providers.split(',') : []), provider])].join(',');
  const r = await db
    .updateTable('outbox')
    .set({ status: 'queued', next_attempt_at: now, failed_providers: failed, last_error: error })
    .where('id', '=', id)
    .where('status', '=', 'sent')
    .where('provider', '=', provider)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** The provider that took an outbox message and its incident, user and channel (delivery-status callbacks). */
export async function outboxDelivery(
  db: Tx,
  id: string,
): Promise<{ provider: string | null; incident_id: string | null; user_id: string | null; channel: string; destination: string; kind: string } | undefined> {
  const r = await db.selectFrom('outbox').select(['provider', 'incident_id', 'user_id', 'channel', 'destination', 'kind']).where('id', '=', id).executeTakeFirst();
  return r && { ...r, provider: r.provider ?? null };
}

/**
 * A page to a person failed for good: their next pending notification for the incident (the next
 * rule of their plan) becomes due now instead of after its delay. Returns its id, or null when none waits.
 */
export async function advanceNextNotification(db: Tx, incidentId: string, userId: string, now: number): Promise<string | null> {
  const next = await db
    .selectFrom('notifications')
    .select('id')
    .where('incident_id', '=', incidentId)
    .where('user_id', '=', userId)
    .where('status', '=', 'pending')
    .where('due_at', '>', now)
    .orderBy('due_at')
    .orderBy('id')
    .executeTakeFirst();
  if (!next) return null;
  const r = await db.updateTable('notifications').set({ due_at: now }).where('id', '=', next.id).where('status', '=', 'pending').executeTakeFirst();
  return Number(r.numUpdatedRows) > 0 ? next.id : null;
}

/** Everyone an incident paged (has a notification row for), once each. */
export async function pagedUserIds(db: Tx, incidentId: string): Promise<string[]> {
  return (await db.selectFrom('notifications').select('user_id').distinct().where('incident_id', '=', incidentId).execute()).map((r) => r.user_id);
}

// ---- Delivery (engine/modules/delivery.ts) ----

// The statements of every claim and every send, compiled once (lib/db/compiled.ts).

/**
 * Claims due messages: up to `limit` queued and due, those a person waits for first (priority 0: a
 * new incident's first page, a code; see Enqueue.first), then oldest due first; and up to `limit`
 * more that were being sent under a lease that ran out (a crashed instance's; rare). Each is leased
 * to `owner` until `until` and its attempt counted, and the claimed rows come back (attempts
 * already counted; in no particular order). With `full`, the channels whose sending slots are all
 * taken are left out, and with `busy`, the channels with only their kept slots free give priority 0
 * only (engine/modules/delivery.ts `firstPageSlots`). One statement, so one round trip on
 * PostgreSQL where a transaction of select-then-update took four; FOR UPDATE SKIP LOCKED there
 * keeps instances from claiming the same row. The queued part walks outbox_due (status, priority, next_attempt_at) in its order and
 * stops at `limit`: with the lapsed leases in the same condition (an OR), both databases read and
 * sorted every queued message on each claim, so a storm's backlog of N messages cost N²/limit
 * (bench/org.ts at 100×: the delivery module 526 times its 1× time).
 */
const claimDueMessages = (dialect: DialectName, exceptFull: boolean) =>
  compiled((q: Tx, p: { now: number; limit: number; owner: string; until: number; full: string[]; busy: string[] }) =>
    q
      .updateTable('outbox')
      .set((eb) => ({ status: 'sending', lease_owner: p.owner, lease_until: p.until, attempts: eb('attempts', '+', 1) }))
      .where((eb) => {
        let queued = eb.selectFrom('outbox as due').select('due.id').where('due.status', '=', 'queued').where('due.next_attempt_at', '<=', p.now);
        let lapsed = eb.selectFrom('outbox as due').select('due.id').where('due.status', '=', 'sending').where('due.lease_until', '<', p.now);
        if (exceptFull) {
          // `full`: no slot left; `busy`: only the slots kept for messages someone waits for now are left.
          queued = queued.where('due.channel', 'not in', p.full).where((w) => w.or([w('due.priority', '=', 0), w('due.channel', 'not in', p.busy)]));
          lapsed = lapsed.where('due.channel', 'not in', p.full);
        }
        const first = queued.orderBy('due.priority').orderBy('due.next_attempt_at').limit(p.limit).modifyEnd(skipLocked(dialect));
        const second = lapsed.limit(p.limit).modifyEnd(skipLocked(dialect));
        // An IN under an OR read the whole outbox on PostgreSQL (idIn: one array there).
        return idIn(dialect, 'outbox.id', first, second);
      })
      .returning(['id', 'kind', 'channel', 'destination', 'content', 'attempts', 'incident_id', 'user_id', 'failed_providers']),
  );
const claimBy = {
  sqlite: { all: claimDueMessages('sqlite', false), except: claimDueMessages('sqlite', true) },
  postgres: { all: claimDueMessages('postgres', false), except: claimDueMessages('postgres', true) },
};
/**
 * See claimDueMessages. `full`: channels with no free slot; `busy`: channels whose free slots are
 * only those kept for priority 0 (every full channel is also busy). Either may be empty.
 */
export function claimDue(db: Tx, dialect: DialectName, p: { now: number; limit: number; owner: string; until: number; full: string[]; busy: string[] }) {
  // No channel is named '': it stands for "none" where SQL cannot take an empty list.
  return p.busy.length || p.full.length
    ? claimBy[dialect].except(db, { ...p, full: p.full.length ? p.full : [''], busy: p.busy.length ? p.busy : [''] })
    : claimBy[dialect].all(db, { ...p, full: [], busy: [] });
}
export const recordOutcome = compiled((q: Tx, p: { id: string; owner: string; set: Updateable<OutboxTable> }) =>
  q.updateTable('outbox').set(p.set).where('id', '=', p.id).where('lease_owner', '=', p.owner),
);
export const insertAttempt = compiled((q: Tx, row: Insertable<DeliveryAttemptTable>) => q.insertInto('delivery_attempts').values(row));

/** Hands the leases of these messages held by `owner` back (queued, due now); how many. */
export async function handBackLeases(db: Tx, ids: string[], owner: string, now: number, lastError: string): Promise<number> {
  const r = await db
    .updateTable('outbox')
    .set({ status: 'queued', lease_owner: null, lease_until: null, next_attempt_at: now, last_error: lastError })
    .where('id', 'in', ids)
    .where('lease_owner', '=', owner)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

// ---- Escalation and notification (engine/modules/) ----

/** Inserts a notification row once per (incident, user, contact method, step). */
export const insertNotification = compiled((q: Tx, row: Insertable<NotificationTable>) =>
  q
    .insertInto('notifications')
    .values(row)
    .onConflict((oc) => oc.columns(['incident_id', 'user_id', 'contact_method_id', 'step']).doNothing()),
);

/** Pending notifications due by `now`, with what sending needs, in no order. */
function dueNotificationBase(q: Tx, now: number) {
  return q
    .selectFrom('notifications')
    .innerJoin('incidents', 'incidents.id', 'notifications.incident_id')
    .innerJoin('contact_methods', 'contact_methods.id', 'notifications.contact_method_id')
    .innerJoin('users', 'users.id', 'notifications.user_id')
    .select([
      'notifications.id',
      'notifications.incident_id',
      'notifications.user_id',
      'notifications.contact_method_id',
      'incidents.status as incident_status',
      'incidents.policy_snapshot',
      'notifications.step',
      'contact_methods.type',
      'contact_methods.address',
      'contact_methods.name as cm_name',
      'contact_methods.verified_at',
      'contact_methods.disabled',
      'users.name as user_name',
      'notifications.held_at',
      'notifications.due_at',
    ])
    .where('notifications.status', '=', 'pending')
    .where('notifications.due_at', '<=', now);
}

/** Due notifications the notification module takes in one pass of the paging path (engine.ts MAX_PAGING_PASSES). */
export const DUE_NOTIFICATIONS_PER_PASS = 50;

/**
 * The notifications one pass takes: a new incident's first level (step 0) first, then the rest,
 * each oldest due first. Two parts, each read in index order and cut at the pass's size
 * (notifications_first for step 0, notifications_due for the rest: migration 0036), then put in
 * that order: as one ordered query (first level first by an expression), every due notification
 * was joined and sorted on every pass, so a backlog of N cost N²/50 (bench/org.ts at 100×: the
 * notification module 752 times its 1× time).
 */
export const dueNotifications = compiled((q: Tx, p: { now: number }) => {
  const part = (lane: 0 | 1) =>
    q
      .selectFrom(
        dueNotificationBase(q, p.now)
          // The later levels' part walks (status, due_at) and skips the few first-level rows: `+step`
          // keeps SQLite from taking notifications_first for a range of steps and sorting it.
          .where(lane === 0 ? sql<boolean>`notifications.step = 0` : sql<boolean>`+notifications.step > 0`)
          .orderBy('notifications.due_at')
          .limit(DUE_NOTIFICATIONS_PER_PASS)
          .as(lane === 0 ? 'first_level' : 'later_levels'),
      )
      .selectAll()
      .select(sql<number>`${sql.lit(lane)}`.as('lane'));
  return part(0).unionAll(part(1)).orderBy('lane').orderBy('due_at').limit(DUE_NOTIFICATIONS_PER_PASS);
});

// ---- Rate limits and bundles (engine/modules/notification.ts, docs/paging.md "Storms") ----

/** Every notification of one contact method due now (a bundle takes them all, not only a pass's first 50), first level first, then oldest due first. */
export const dueNotificationsOf = compiled((q: Tx, p: { now: number; contactMethodId: string }) =>
  dueNotificationBase(q, p.now)
    .where('notifications.contact_method_id', '=', p.contactMethodId)
    .orderBy(sql`case when notifications.step = 0 then 0 else 1 end`)
    .orderBy('notifications.due_at')
    .limit(5000),
);

/** When the latest pages to a contact method were written to the outbox (newest first), for its rate limit. */
export const recentPageTimes = compiled((q: Tx, p: { contactMethodId: string; since: number; limit: number }) =>
  q
    .selectFrom('outbox')
    .select('created_at')
    .where('contact_method_id', '=', p.contactMethodId)
    .where('kind', '=', 'page')
    .where('created_at', '>', p.since)
    .orderBy('created_at', 'desc')
    .limit(p.limit),
);

/** Holds a pending notification back until `dueAt` (the rate limit has room then); remembers when it was first held. */
export const holdNotification = compiled((q: Tx, p: { id: string; dueAt: number; now: number }) =>
  q
    .updateTable('notifications')
    .set((eb) => ({ due_at: p.dueAt, held_at: eb.fn.coalesce('held_at', eb.val(p.now)) }))
    .where('id', '=', p.id)
    .where('status', '=', 'pending'),
);

/** Claims a pending notification for the outbox message that carries it (compare-and-set on status). */
export const claimNotificationFor = compiled((q: Tx, p: { id: string; outboxId: string }) =>
  q
    .updateTable('notifications')
    .set({ status: 'queued', outbox_id: p.outboxId })
    .where('id', '=', p.id)
    .where('status', '=', 'pending')
    .$if(dialectOf(q) === 'postgres', (u) => u.where(notHeldElsewhere('notifications', p.id))),
);

/** The latest page sent by SMS to `destination`: its incident, person and content (a bundle names several incidents). */
export async function lastSmsPage(
  db: Tx,
  destination: string,
  channel: 'sms' | 'whatsapp' = 'sms',
): Promise<{ id: string; incident_id: string | null; user_id: string | null; content: string } | undefined> {
  return db
    .selectFrom('outbox')
    .select(['id', 'incident_id', 'user_id', 'content'])
    .where('channel', '=', channel)
    .where('destination', '=', destination)
    .where('kind', '=', 'page')
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
}

/** Claims a pending notification by compare-and-set on its status. */
export const claimNotification = compiled((q: Tx, p: { id: string; status: 'queued' | 'cancelled' }) =>
  q
    .updateTable('notifications')
    .set({ status: p.status })
    .where('id', '=', p.id)
    .where('status', '=', 'pending')
    .$if(dialectOf(q) === 'postgres', (u) => u.where(notHeldElsewhere('notifications', p.id))),
);

/** What an inbound channel callback needs of one outbox message: its channel, person, incident and the provider's id. */
export async function outboxForCallback(
  db: Tx,
  id: string,
): Promise<{ channel: string; kind: string; user_id: string | null; incident_id: string | null; provider_message_id: string | null; destination: string; content: string } | undefined> {
  return db.selectFrom('outbox').select(['channel', 'kind', 'user_id', 'incident_id', 'provider_message_id', 'destination', 'content']).where('id', '=', id).executeTakeFirst();
}

/** Pushover emergency pages still repeating on a phone although their incident is resolved (receipt not cancelled yet). */
export async function pushoverReceiptsToCancel(db: Tx, limit: number): Promise<{ id: string; receipt: string }[]> {
  const rows = await db
    .selectFrom('outbox')
    .innerJoin('incidents', 'incidents.id', 'outbox.incident_id')
    .select(['outbox.id', 'outbox.provider_message_id'])
    .where('outbox.channel', '=', 'pushover')
    .where('outbox.kind', '=', 'page')
    .where('outbox.status', '=', 'sent')
    .where('outbox.provider_status', '=', 'emergency')
    .where('incidents.status', '=', 'resolved')
    .where((eb) =>
      eb.not(
        eb.exists(
          eb.selectFrom('delivery_attempts').select('delivery_attempts.id').whereRef('delivery_attempts.message_id', '=', 'outbox.id').where('delivery_attempts.status', '=', 'receipt_cancelled'),
        ),
      ),
    )
    .limit(limit)
    .execute();
  return rows.flatMap((r) => (r.provider_message_id ? [{ id: r.id, receipt: r.provider_message_id }] : []));
}

/** Records that a message's receipt was cancelled (or why cancelling failed): it is not tried again. */
export async function recordReceiptCancelled(db: Tx, id: string, now: number, error: string | null): Promise<void> {
  await db
    .insertInto('delivery_attempts')
    .values({ id: newId(), message_id: id, at: now, status: 'receipt_cancelled', provider_status: error ? 'cancel_failed' : 'cancelled', provider_message_id: null, error })
    .execute();
}

/** A voice page's outbox row, for repeating an unanswered call. */
export async function outboxVoicePage(
  db: Tx,
  id: string,
): Promise<{ channel: string; kind: string; destination: string; content: string; user_id: string | null; contact_method_id: string | null; incident_id: string | null } | undefined> {
  return db.selectFrom('outbox').select(['channel', 'kind', 'destination', 'content', 'user_id', 'contact_method_id', 'incident_id']).where('id', '=', id).executeTakeFirst();
}
