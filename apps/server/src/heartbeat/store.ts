import type { NotNull, Selectable, Updateable } from 'kysely';
import type { Tx } from '../context.js';
import type { HeartbeatTable } from './tables.js';

/** Every SQL statement of the heartbeat domain. */

export type HeartbeatRow = Selectable<HeartbeatTable>;

export function listByService(db: Tx, serviceId: string): Promise<HeartbeatRow[]> {
  return db.selectFrom('heartbeats').selectAll().where('service_id', '=', serviceId).orderBy('name').execute();
}

export function listAll(db: Tx): Promise<HeartbeatRow[]> {
  return db.selectFrom('heartbeats').selectAll().orderBy('service_id').orderBy('name').execute();
}

export function findById(db: Tx, serviceId: string, id: string): Promise<HeartbeatRow | undefined> {
  return db.selectFrom('heartbeats').selectAll().where('service_id', '=', serviceId).where('id', '=', id).executeTakeFirst();
}

export function findByName(db: Tx, serviceId: string, name: string): Promise<HeartbeatRow | undefined> {
  return db.selectFrom('heartbeats').selectAll().where('service_id', '=', serviceId).where('name', '=', name).executeTakeFirst();
}

export function findByTokenHash(db: Tx, tokenHash: string): Promise<HeartbeatRow | undefined> {
  return db.selectFrom('heartbeats').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
}

/** Enabled heartbeats of a service fed by an Alertmanager alert of this name. */
export function findByWatchdog(db: Tx, serviceId: string, alertName: string): Promise<HeartbeatRow[]> {
  return db.selectFrom('heartbeats').selectAll().where('service_id', '=', serviceId).where('watchdog_alert', '=', alertName).where('enabled', '=', 1).execute();
}

/** The alert names that feed a heartbeat of a service (enabled or not: a disabled one's alert still opens no incident). */
export async function watchdogNames(db: Tx, serviceId: string): Promise<Set<string>> {
  const rows = await db
    .selectFrom('heartbeats')
    .select('watchdog_alert')
    .where('service_id', '=', serviceId)
    .where('watchdog_alert', 'is not', null)
    .$narrowType<{ watchdog_alert: NotNull }>()
    .execute();
  return new Set(rows.map((r) => r.watchdog_alert));
}

export async function insert(db: Tx, row: HeartbeatRow): Promise<void> {
  await db.insertInto('heartbeats').values(row).execute();
}

export async function update(db: Tx, id: string, set: Updateable<HeartbeatTable>): Promise<void> {
  await db.updateTable('heartbeats').set(set).where('id', '=', id).execute();
}

export async function remove(db: Tx, id: string): Promise<boolean> {
  const r = await db.deleteFrom('heartbeats').where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** Enabled heartbeats whose wait ran out before `now` and that have no open miss. */
export function overdue(db: Tx, now: number, limit: number): Promise<HeartbeatRow[]> {
  return db.selectFrom('heartbeats').selectAll().where('enabled', '=', 1).where('due_at', '<', now).where('incident_id', 'is', null).orderBy('due_at').limit(limit).execute();
}

/**
 * Claims a miss by compare-and-set: sets the incident only if the heartbeat is still enabled, has
 * no open miss and the same wait (`due_at`) as read. True for the one caller that wins; it then
 * opens the incident and records it (`update`) in the same transaction.
 */
export async function claimMiss(db: Tx, id: string, dueAt: number): Promise<boolean> {
  const r = await db
    .updateTable('heartbeats')
    .set({ incident_id: 'claimed' })
    .where('id', '=', id)
    .where('incident_id', 'is', null)
    .where('enabled', '=', 1)
    .where('due_at', '=', dueAt)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Records a check-in: a new wait, and the open miss (if any) cleared; returns the miss's incident as it was. */
export async function checkIn(db: Tx, id: string, now: number, dueAt: number): Promise<string | null> {
  const before = await db.selectFrom('heartbeats').select('incident_id').where('id', '=', id).executeTakeFirst();
  await db.updateTable('heartbeats').set({ last_checkin_at: now, due_at: dueAt, incident_id: null, updated_at: now }).where('id', '=', id).execute();
  return before?.incident_id ?? null;
}

/** Whether an incident is still open (not resolved). */
export async function incidentOpen(db: Tx, incidentId: string): Promise<boolean> {
  const r = await db.selectFrom('incidents').select('status').where('id', '=', incidentId).executeTakeFirst();
  return r !== undefined && r.status !== 'resolved';
}
