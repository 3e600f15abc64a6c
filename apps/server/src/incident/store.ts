/** SQL for the incident domain (incidents, timeline): rows in, rows out. No permission checks here. */
import { sql, type Insertable, type Updateable } from 'kysely';
import type { Tx } from '../context.js';
import { compiled } from '../lib/db/compiled.js';
import { dialectOf, idIn, notHeldElsewhere, type DialectName } from '../lib/db/index.js';
import type { IncidentTable, TimelineEventTable } from './tables.js';
import type { Incident, IncidentFilter, IncidentStatus } from './types.js';

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

/** Due steps the escalation module takes in one pass of the paging path (engine.ts MAX_PAGING_PASSES). */
export const DUE_STEPS_PER_PASS = 50;

/**
 * Open incidents whose next escalation step is due (compiled once: this runs on every wake), new
 * incidents (no level fired yet) first, then oldest due first: in a storm of re-escalations a new
 * incident's first level is not queued behind them. An acknowledged incident has a due step only when
 * its policy has a level with `until: resolved` left.
 */
export const dueSteps = compiled((q: Tx, p: { now: number }) => {
  // Four parts, each read in index order and cut at the pass's size: per status (an IN over two
  // would be merged by a sort), the first level (incidents_first_step, migration 0036) and the later
  // ones (incidents_escalation_due_by_status; `+escalation_step` keeps SQLite off the first-level
  // index for a range). As one query ordered by an expression, every due incident was read with its
  // policy and sorted on every pass of 50: a storm's N open incidents cost N²/50.
  const part = (status: 'triggered' | 'acknowledged', lane: 0 | 1) =>
    q
      .selectFrom(
        q
          .selectFrom('incidents')
          .select(['id', 'number', 'status', 'escalation_step', 'policy_snapshot', 'service_id', 'urgency', 'severity', 'next_escalation_at'])
          .where('status', '=', status)
          .where(lane === 0 ? sql<boolean>`escalation_step = 0` : sql<boolean>`+escalation_step > 0`)
          .where('next_escalation_at', '<=', p.now)
          .orderBy('next_escalation_at')
          .limit(DUE_STEPS_PER_PASS)
          .as(`${status}_${lane === 0 ? 'first' : 'later'}`),
      )
      .selectAll()
      .select(sql<number>`${sql.lit(lane)}`.as('lane'));
  return part('triggered', 0)
    .unionAll(part('acknowledged', 0))
    .unionAll(part('triggered', 1))
    .unionAll(part('acknowledged', 1))
    .orderBy('lane')
    .orderBy('next_escalation_at')
    .limit(DUE_STEPS_PER_PASS);
});

/** Claims step `step` of a triggered incident by compare-and-set, setting when the next one is due. */
export const claimStep = compiled((q: Tx, p: { id: string; status: string; step: number; nextStep: number; next: number | null; now: number }) =>
  q
    .updateTable('incidents')
    .set({ escalation_step: p.nextStep, next_escalation_at: p.next, updated_at: p.now })
    .where('id', '=', p.id)
    .where('escalation_step', '=', p.step)
    .where('status', '=', p.status)
    .where('next_escalation_at', '<=', p.now)
    .$if(dialectOf(q) === 'postgres', (u) => u.where(notHeldElsewhere('incidents', p.id))),
);

/** The status of each of these incidents. */
export async function incidentStatuses(db: Tx, ids: string[]): Promise<{ id: string; status: string }[]> {
  return db.selectFrom('incidents').select(['id', 'status']).where('id', 'in', ids).execute();
}

// ---- Incidents as the API shows them (incident/service.ts) ----

function baseQuery(db: Tx) {
  return db
    .selectFrom('incidents')
    .innerJoin('services', 'services.id', 'incidents.service_id')
    .selectAll('incidents')
    .select('services.name as service_name')
    .select((eb) => eb.selectFrom('alerts').select(eb.fn.countAll<number>().as('n')).whereRef('alerts.incident_id', '=', 'incidents.id').as('alert_count'));
}

type Row = Awaited<ReturnType<ReturnType<typeof baseQuery>['executeTakeFirstOrThrow']>>;

function fromRow(r: Row): Incident {
  const snapshot = r.policy_snapshot ? (JSON.parse(r.policy_snapshot) as { name: string }) : null;
  return {
    id: r.id,
    number: Number(r.number),
    serviceId: r.service_id,
    serviceName: r.service_name,
    title: r.title,
    status: r.status as IncidentStatus,
    urgency: r.urgency as 'high' | 'low',
    severity: r.severity,
    details: r.details,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    acknowledgedAt: r.acknowledged_at,
    acknowledgedBy: r.acknowledged_by,
    resolvedAt: r.resolved_at,
    resolvedBy: r.resolved_by,
    escalationStep: r.escalation_step,
    nextEscalationAt: r.next_escalation_at,
    escalationPolicyName: snapshot?.name ?? null,
    alertCount: Number(r.alert_count ?? 0),
    sev: r.sev,
    major: r.major === 1,
    drill: r.drill === 1,
    incidentManagerId: r.incident_manager_id,
    snoozedUntil: r.snoozed_until === null ? null : Number(r.snoozed_until),
    priority: (r.priority ?? null) as Incident['priority'],
  };
}

/** An incident by id or number, or undefined. No permission check: for other domains. */
export async function findIncident(db: Tx, idOrNumber: string | number): Promise<Incident | undefined> {
  const q = baseQuery(db);
  const n = typeof idOrNumber === 'number' ? idOrNumber : /^\d+$/.test(idOrNumber) ? Number(idOrNumber) : null;
  const r = await (n !== null ? q.where('incidents.number', '=', n) : q.where('incidents.id', '=', String(idOrNumber))).executeTakeFirst();
  return r && fromRow(r);
}

/** What listIncidents resolved from a filter's references (ids of what it names, instants). */
export interface ResolvedFilter {
  serviceId?: string;
  teamId?: string;
  assignee?: string;
  acknowledgedBy?: string;
  since?: number;
  until?: number;
}

/** Incidents matching a filter, newest first (at most 500). */
export async function queryIncidents(db: Tx, dialect: DialectName, f: IncidentFilter, { serviceId, teamId, assignee, acknowledgedBy, since, until }: ResolvedFilter): Promise<Incident[]> {
  let q = baseQuery(db);
  if (f.status?.length) q = q.where('incidents.status', 'in', f.status);
  if (serviceId) q = q.where('incidents.service_id', '=', serviceId);
  if (f.before !== undefined) q = q.where('incidents.number', '<', f.before);
  if (f.severity) q = q.where('incidents.severity', '=', f.severity);
  if (f.sev) q = q.where('incidents.sev', '=', f.sev);
  if (teamId) q = q.where('services.team_id', '=', teamId);
  if (assignee) {
    const who = assignee;
    q = q.where((eb) => eb.or([eb('incidents.incident_manager_id', '=', who), eb('incidents.acknowledged_by', '=', who)]));
  }
  if (since !== undefined) q = q.where('incidents.created_at', '>=', since);
  if (until !== undefined) q = q.where('incidents.created_at', '<', until);
  if (f.ids) q = f.ids.length ? q.where('incidents.id', 'in', f.ids) : q.where(sql<boolean>`1 = 0`);
  if (f.drill !== undefined) q = q.where('incidents.drill', '=', f.drill ? 1 : 0);
  if (f.level) q = q.where(sql`coalesce(incidents.sev, incidents.severity)`, '=', f.level);
  if (acknowledgedBy) q = q.where('incidents.acknowledged_by', '=', acknowledgedBy);
  if (f.acknowledged !== undefined) q = q.where('incidents.acknowledged_at', f.acknowledged ? 'is not' : 'is', null);
  if (f.mine) {
    // The incidents a person is part of, found from each way they can be (an index each, migration
    // 0035), so the list does not test every incident of the history: managing or acknowledging it,
    // a team's service, a notification or a message to them, and, while it is open, a policy that
    // names them (read from the policy snapshot of the open incidents only).
    const me = f.mine;
    const like = `%{"type":"user","id":"${me.replace(/[\\%_]/g, (c) => `\\${c}`)}"}%`;
    const theirs = db
      .selectFrom('incidents as m')
      .select('m.id')
      .where('m.incident_manager_id', '=', me)
      .union(db.selectFrom('incidents as a').select('a.id').where('a.acknowledged_by', '=', me))
      .union(
        db
          .selectFrom('incidents as t')
          .select('t.id')
          .where(
            't.service_id',
            'in',
            db
              .selectFrom('services as ts')
              .select('ts.id')
              .where('ts.team_id', 'in', db.selectFrom('team_members').select('team_id').where('user_id', '=', me)),
          ),
      )
      .union(db.selectFrom('notifications').select('notifications.incident_id as id').where('notifications.user_id', '=', me))
      .union(
        db
          .selectFrom('outbox')
          .select(sql<string>`outbox.incident_id`.as('id'))
          .where('outbox.user_id', '=', me)
          .where('outbox.incident_id', 'is not', null),
      )
      .union(
        db
          .selectFrom('incidents as p')
          .select('p.id')
          .where('p.status', 'in', ['triggered', 'acknowledged'])
          .where(sql<boolean>`p.policy_snapshot like ${like} escape '\\'`),
      );
    // PostgreSQL estimates the union large and would join it to a read of every incident (idIn).
    q = q.where(idIn(dialect, 'incidents.id', theirs));
  }
  if (f.q?.trim()) {
    const pattern = `%${f.q
      .trim()
      .toLowerCase()
      .replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    q = q.where(sql<boolean>`lower(incidents.title) like ${pattern} escape '\\'`);
  }
  const rows = await q
    .orderBy('incidents.number', 'desc')
    .limit(Math.min(Math.max(f.limit ?? 50, 1), 500))
    .execute();
  return rows.map(fromRow);
}

// ---- Written for the war room and status domains (their verbs decide; the rows are the incident domain's) ----

/** Updates an incident (its severity, major flag, incident manager or impact). */
export async function updateIncidentFields(db: Tx, id: string, set: Updateable<IncidentTable>): Promise<void> {
  await db.updateTable('incidents').set(set).where('id', '=', id).execute();
}

/** Updates a severity level's description and major flag. */
export async function updateSeverityRow(db: Tx, name: string, set: { description: string; major: number }): Promise<void> {
  await db.updateTable('severity_levels').set(set).where('name', '=', name).execute();
}

/** Sets a severity level's update interval; false when there is no such level. */
export async function setSeverityUpdateInterval(db: Tx, sev: string, minutes: number | null): Promise<boolean> {
  const r = await db.updateTable('severity_levels').set({ update_interval_minutes: minutes }).where('name', '=', sev).executeTakeFirst();
  return !!r.numUpdatedRows;
}

/** Makes an already claimed next step due now (a round-robin level that found nobody to page). */
export async function escalateNow(db: Tx, incidentId: string, step: number, now: number): Promise<void> {
  await db.updateTable('incidents').set({ next_escalation_at: now }).where('id', '=', incidentId).where('escalation_step', '=', step).execute();
}
