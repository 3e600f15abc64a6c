/** SQL for the notify domain (outbox, notifications, delivery attempts): rows in, rows out. No permission checks here. */
import type { Insertable } from 'kysely';
import type { Tx } from '../context.js';
import { compiled } from '../lib/db/compiled.js';
import { newId } from '../lib/ids.js';
import type { OutboxTable } from './tables.js';

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

/** The incident of the latest page sent by SMS to `destination`. */
export async function lastSmsPageIncident(db: Tx, destination: string): Promise<{ incident_id: string | null } | undefined> {
  return db.selectFrom('outbox').select('incident_id').where('channel', '=', 'sms').where('destination', '=', destination).where('kind', '=', 'page').orderBy('created_at', 'desc').executeTakeFirst();
}

/** An outbox message's content. */
export async function outboxContent(db: Tx, id: string): Promise<{ content: string } | undefined> {
  return db.selectFrom('outbox').select(['content']).where('id', '=', id).executeTakeFirst();
}

/** An outbox message's content, user and incident. */
export async function outboxPage(db: Tx, id: string): Promise<{ content: string; user_id: string | null; incident_id: string | null } | undefined> {
  return db.selectFrom('outbox').select(['content', 'user_id', 'incident_id']).where('id', '=', id).executeTakeFirst();
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

/** Everyone an incident paged (has a notification row for), once each. */
export async function pagedUserIds(db: Tx, incidentId: string): Promise<string[]> {
  return (await db.selectFrom('notifications').select('user_id').distinct().where('incident_id', '=', incidentId).execute()).map((r) => r.user_id);
}
