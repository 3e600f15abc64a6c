/** SQL for the escalation domain (escalation policies): rows in, rows out. No permission checks here. */
import type { Tx } from '../context.js';
import { compiled } from '../lib/db/compiled.js';

/** Every escalation policy's id, name, levels (JSON) and repeat count, by name. */
export async function policySummaryRows(db: Tx): Promise<{ id: string; name: string; levels: string; repeat: number }[]> {
  return db.selectFrom('escalation_policies').select(['id', 'name', 'levels', 'repeat']).orderBy('name').execute();
}

/** A policy row by id or name (compiled once: every new incident looks up its service's policy). */
export const policyByIdOrName = compiled((q: Tx, p: { idOrName: string }) =>
  q
    .selectFrom('escalation_policies')
    .selectAll()
    .where((eb) => eb.or([eb('id', '=', p.idOrName), eb('name', '=', p.idOrName)])),
);

/** Every policy row, by name. */
export async function policyRowsByName(db: Tx) {
  return db.selectFrom('escalation_policies').selectAll().orderBy('name').execute();
}

type PolicyFields = { name: string; description: string; repeat: number; initial_delay_minutes: number | undefined; levels: string; updated_at: number; team_id?: string | null };

/** Inserts a policy. */
export async function insertPolicy(db: Tx, row: PolicyFields & { id: string; created_at: number }): Promise<void> {
  await db.insertInto('escalation_policies').values(row).execute();
}

/** Updates a policy. */
export async function updatePolicyRow(db: Tx, id: string, set: PolicyFields): Promise<void> {
  await db.updateTable('escalation_policies').set(set).where('id', '=', id).execute();
}

/** Deletes a policy; false when there was none. */
export async function deletePolicyRow(db: Tx, id: string): Promise<boolean> {
  const r = await db.deleteFrom('escalation_policies').where('id', '=', id).executeTakeFirst();
  return !!r.numDeletedRows;
}

/** The details JSON of an incident's first alert (what a level's label condition reads), or null. */
export async function firstAlertDetails(db: Tx, incidentId: string): Promise<string | null> {
  const r = await db.selectFrom('alerts').select('details').where('incident_id', '=', incidentId).orderBy('created_at').orderBy('id').limit(1).executeTakeFirst();
  return r?.details ?? null;
}

/**
 * Takes the next round-robin turn of a (policy, level): returns the position before advancing.
 * Compare-and-set on `position`, retried when another writer took the turn first, so no two callers
 * ever get the same position.
 */
export async function takeRoundRobinTurn(db: Tx, policyId: string, levelIndex: number, now: number): Promise<number> {
  await db
    .insertInto('escalation_round_robin')
    .values({ policy_id: policyId, level_index: levelIndex, position: 0, updated_at: now })
    .onConflict((oc) => oc.columns(['policy_id', 'level_index']).doNothing())
    .execute();
  for (let attempt = 0; attempt < 100; attempt++) {
    const row = await db.selectFrom('escalation_round_robin').select('position').where('policy_id', '=', policyId).where('level_index', '=', levelIndex).executeTakeFirstOrThrow();
    const p = Number(row.position);
    const r = await db
      .updateTable('escalation_round_robin')
      .set({ position: p + 1, updated_at: now })
      .where('policy_id', '=', policyId)
      .where('level_index', '=', levelIndex)
      .where('position', '=', p)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) === 1) return p;
  }
  throw new Error(`round-robin cursor of policy ${policyId} level ${levelIndex} kept changing`);
}

/** What an incident's trace reads: the incident by id or number, its service, alerts, raw events, escalation timeline, notifications, messages and attempts. */
export async function traceRows(db: Tx, idOrNumber: string) {
  const n = /^[0-9]{1,9}$/.test(idOrNumber) ? Number(idOrNumber) : -1;
  const inc = await db
    .selectFrom('incidents')
    .innerJoin('services', 'services.id', 'incidents.service_id')
    .select([
      'incidents.id',
      'incidents.number',
      'incidents.severity',
      'incidents.urgency',
      'incidents.status',
      'incidents.policy_snapshot',
      'services.id as service_id',
      'services.name as service_name',
    ])
    .where((eb) => eb.or([eb('incidents.id', '=', idOrNumber), eb('incidents.number', '=', n)]))
    .executeTakeFirst();
  if (!inc) return undefined;
  const alerts = await db
    .selectFrom('alerts')
    .leftJoin('integrations', 'integrations.id', 'alerts.integration_id')
    .select([
      'alerts.id',
      'alerts.dedup_key',
      'alerts.summary',
      'alerts.severity',
      'integrations.id as integration_id',
      'integrations.name as integration_name',
      'integrations.kind as integration_kind',
    ])
    .where('alerts.incident_id', '=', inc.id)
    .orderBy('alerts.created_at')
    .execute();
  const events = alerts.length
    ? await db
        .selectFrom('alert_events')
        .select(['alert_id', 'received_at', 'action', 'outcome', 'payload', 'rule_trace'])
        .where(
          'alert_id',
          'in',
          alerts.map((a) => a.id),
        )
        .orderBy('received_at')
        .limit(200)
        .execute()
    : [];
  const timeline = await db
    .selectFrom('timeline_events')
    .select(['at', 'type', 'message', 'data'])
    .where('incident_id', '=', inc.id)
    .where('type', 'like', 'escalation.%')
    .orderBy('at')
    .orderBy('id')
    .execute();
  // The lifecycle events that decide whether anyone is paged: a hold (snooze, an event rule's pause), acknowledged, resolved.
  const lifecycle = await db
    .selectFrom('timeline_events')
    .select(['at', 'type', 'message', 'data', 'channel'])
    .where('incident_id', '=', inc.id)
    .where('type', 'in', ['incident.snoozed', 'incident.acknowledged', 'incident.resolved'])
    .orderBy('at')
    .orderBy('id')
    .execute();
  const notifications = await db
    .selectFrom('notifications')
    .innerJoin('users', 'users.id', 'notifications.user_id')
    .innerJoin('contact_methods', 'contact_methods.id', 'notifications.contact_method_id')
    .select([
      'notifications.user_id',
      'users.name as user_name',
      'contact_methods.id as cm_id',
      'contact_methods.type as channel',
      'contact_methods.name as cm_name',
      'notifications.step',
      'notifications.due_at',
      'notifications.status',
      'notifications.outbox_id',
      'notifications.held_at',
    ])
    .where('notifications.incident_id', '=', inc.id)
    .orderBy('notifications.due_at')
    .execute();
  // Its own messages, and the bundles about several incidents that carried its notifications.
  const carriers = notifications.flatMap((n) => (n.outbox_id ? [n.outbox_id] : []));
  const messages = await db
    .selectFrom('outbox')
    .select(['id', 'contact_method_id', 'status', 'created_at', 'content'])
    .where((eb) => (carriers.length ? eb.or([eb('incident_id', '=', inc.id), eb('id', 'in', carriers)]) : eb('incident_id', '=', inc.id)))
    .orderBy('created_at')
    .execute();
  const attempts = messages.length
    ? await db
        .selectFrom('delivery_attempts')
        .select(['message_id', 'at', 'status', 'provider_status', 'error'])
        .where(
          'message_id',
          'in',
          messages.map((m) => m.id),
        )
        .orderBy('at')
        .execute()
    : [];
  // The rule lists the events were evaluated against (event_rule_snapshots, named in each rule_trace).
  const snapshotIds = [...new Set(events.flatMap((e) => (e.rule_trace ? [/"snapshot":"([0-9a-f]{32})"/.exec(e.rule_trace)?.[1]] : [])).filter((x): x is string => !!x))];
  const snapshots = snapshotIds.length ? await db.selectFrom('event_rule_snapshots').select(['id', 'rules']).where('id', 'in', snapshotIds).execute() : [];
  return { inc, alerts, events, timeline, lifecycle, notifications, messages, attempts, snapshots };
}

/** Replaces a policy's levels (JSON), e.g. when a deactivated person is taken out of its targets. */
export async function setPolicyLevels(db: Tx, id: string, levels: string, now: number): Promise<void> {
  await db.updateTable('escalation_policies').set({ levels, updated_at: now }).where('id', '=', id).execute();
}
