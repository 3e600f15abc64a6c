/** SQL for the incident domain (incidents, timeline): rows in, rows out. No permission checks here. */
import type { Insertable, Updateable } from 'kysely';
import type { Tx } from '../context.js';
import { compiled } from '../lib/db/compiled.js';
import type { IncidentTable, TimelineEventTable } from './tables.js';

/** Inserts an incident row (compiled once: it is on the ingest path). */
export const insertIncident = compiled((q: Tx, row: Insertable<IncidentTable>) => q.insertInto('incidents').values(row));

/** Inserts a timeline row (compiled once: every state change writes one). */
export const insertTimeline = compiled((q: Tx, row: Insertable<TimelineEventTable>) => q.insertInto('timeline_events').values(row));

/** An incident's timeline rows, oldest first. */
export async function timelineRows(db: Tx, incidentId: string) {
  return db.selectFrom('timeline_events').selectAll().where('incident_id', '=', incidentId).orderBy('at').orderBy('id').execute();
}

/** What acknowledging needs to know of an incident: its policy snapshot and escalation. */
export async function incidentEscalation(db: Tx, id: string) {
  return db.selectFrom('incidents').select(['policy_snapshot', 'escalation_step', 'next_escalation_at']).where('id', '=', id).executeTakeFirst();
}

/** An incident's status, policy snapshot and escalation step. */
export async function incidentState(db: Tx, id: string) {
  return db.selectFrom('incidents').select(['status', 'policy_snapshot', 'escalation_step']).where('id', '=', id).executeTakeFirst();
}

/** What reopening needs to know of an incident. */
export async function incidentReopenState(db: Tx, id: string) {
  return db.selectFrom('incidents').select(['status', 'policy_snapshot', 'escalation_step', 'acknowledged_at', 'acknowledged_by']).where('id', '=', id).executeTakeFirst();
}

/** What ending a snooze needs to know of an incident. */
export async function incidentSnoozeState(db: Tx, id: string) {
  return db.selectFrom('incidents').select(['status', 'policy_snapshot', 'escalation_step', 'snoozed_until']).where('id', '=', id).executeTakeFirst();
}

/** Updates an incident only while its status compares to `status` as `op` says (a compare-and-set); the rows updated. */
export async function updateIncidentIfStatus(db: Tx, id: string, op: '=' | '!=', status: string, set: Updateable<IncidentTable>): Promise<bigint> {
  const r = await db.updateTable('incidents').set(set).where('id', '=', id).where('status', op, status).executeTakeFirst();
  return r.numUpdatedRows;
}

/** Updates an incident whatever its status. */
export async function updateIncident(db: Tx, id: string, set: Updateable<IncidentTable>): Promise<void> {
  await db.updateTable('incidents').set(set).where('id', '=', id).execute();
}

/** Snoozes an open incident until `until` (acknowledged, by `actorId` if it was triggered); the rows updated. */
export async function snoozeIncidentRow(db: Tx, id: string, now: number, until: number, actorId: string | null): Promise<bigint> {
  const r = await db
    .updateTable('incidents')
    .set((eb) => ({
      status: 'acknowledged',
      acknowledged_at: eb.fn.coalesce('acknowledged_at', eb.val(now)),
      acknowledged_by: eb.case().when('status', '=', 'triggered').then(actorId).else(eb.ref('acknowledged_by')).end(),
      next_escalation_at: null,
      snoozed_until: until,
      updated_at: now,
    }))
    .where('id', '=', id)
    .where('status', '!=', 'resolved')
    .executeTakeFirst();
  return r.numUpdatedRows;
}

/** Ends a snooze that is still the one read (compare-and-set on snoozed_until); the rows updated. */
export async function claimSnoozeEnd(db: Tx, id: string, snoozedUntil: number, set: Updateable<IncidentTable>): Promise<bigint> {
  const r = await db.updateTable('incidents').set(set).where('id', '=', id).where('status', '=', 'acknowledged').where('snoozed_until', '=', snoozedUntil).executeTakeFirst();
  return r.numUpdatedRows;
}

/** Acknowledged incidents whose snooze is due (at most 200). */
export async function dueSnoozes(db: Tx, now: number) {
  return db.selectFrom('incidents').select('id').where('status', '=', 'acknowledged').where('snoozed_until', '<=', now).limit(200).execute();
}

// ---- Escalation (engine/modules/escalation.ts) ----

/**
 * Open incidents whose next escalation step is due (compiled once: this runs on every wake). An
 * acknowledged incident has a due step only when its policy has a level with `until: resolved` left.
 */
export const dueSteps = compiled((q: Tx, p: { now: number }) =>
  q
    .selectFrom('incidents')
    .select(['id', 'number', 'status', 'escalation_step', 'policy_snapshot', 'service_id', 'urgency'])
    .where('status', 'in', ['triggered', 'acknowledged'])
    .where('next_escalation_at', '<=', p.now)
    .orderBy('next_escalation_at')
    .limit(200),
);

/** Claims step `step` of a triggered incident by compare-and-set, setting when the next one is due. */
export const claimStep = compiled((q: Tx, p: { id: string; status: string; step: number; nextStep: number; next: number | null; now: number }) =>
  q
    .updateTable('incidents')
    .set({ escalation_step: p.nextStep, next_escalation_at: p.next, updated_at: p.now })
    .where('id', '=', p.id)
    .where('escalation_step', '=', p.step)
    .where('status', '=', p.status)
    .where('next_escalation_at', '<=', p.now),
);

/** The status of each of these incidents. */
export async function incidentStatuses(db: Tx, ids: string[]): Promise<{ id: string; status: string }[]> {
  return db.selectFrom('incidents').select(['id', 'status']).where('id', 'in', ids).execute();
}
