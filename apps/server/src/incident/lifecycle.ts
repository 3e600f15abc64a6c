import { SYSTEM, type Actor, type Via } from '../auth/actor.js';
import type { LiveEvent, Tx } from '../context.js';
import { findPolicy } from '../escalation/service.js';
import { firesAfterAcknowledge, type Policy } from '../escalation/types.js';
import { resolveOpenAlertsOf } from '../alert/store.js';
import { newId } from '../lib/ids.js';
import { cancelPendingNotifications } from '../notify/store.js';
import type { Service } from '../service/types.js';
import { incidentUrgency } from '../service/urgency.js';
import { nextIncidentNumber } from '../store.js';
import { claimSnoozeEnd, incidentEscalation, incidentReopenState, incidentSnoozeState, incidentState, insertIncident, snoozeIncidentRow, updateIncident, updateIncidentIfStatus } from './store.js';
import { appendTimeline } from './timeline.js';
import { audit } from '../audit.js';

// The state changes of an incident, each run inside the caller's transaction. Service verbs and the
// alert service call these after their own permission checks; none of them checks permissions.

/** Work another domain does in the transaction that resolves an incident. */
export type ResolvedReaction = (trx: Tx, incidentId: string) => Promise<void>;
const resolvedReactions = new Set<ResolvedReaction>();

/**
 * Registers work to do, in the resolving transaction, whenever an incident resolves: the report
 * rows (report/measures.ts) are written this way, wired by the composition root (app/), so the
 * incident lifecycle does not depend on reporting. Registering the same function twice is a no-op.
 */
export function onIncidentResolved(reaction: ResolvedReaction): void {
  resolvedReactions.add(reaction);
}

const reopenedReactions = new Set<ResolvedReaction>();

/** Registers work to do, in the reopening transaction, when a resolved incident is reopened (the report rows are removed until it resolves again). */
export function onIncidentReopened(reaction: ResolvedReaction): void {
  reopenedReactions.add(reaction);
}

/** Opens an incident on a service: snapshots its escalation policy and makes step 0 due at once. */
export async function openIncident(
  trx: Tx,
  now: number,
  o: {
    service: Service;
    title: string;
    severity: string;
    details: string;
    groupKey: string | null;
    actor: Actor;
    via: Via;
    /** An event rule's urgency: wins over the service's urgency rule. */
    urgency?: 'high' | 'low';
    /** An event rule's priority (P1..P5). */
    priority?: string;
  },
  live: LiveEvent[],
): Promise<{ id: string; number: number }> {
  const id = newId();
  const number = await nextIncidentNumber(trx);
  const policy = o.service.escalationPolicyId ? await findPolicy(trx, o.service.escalationPolicyId) : undefined;
  await insertIncident(trx, {
    id,
    number,
    service_id: o.service.id,
    title: o.title.slice(0, 1024),
    status: 'triggered',
    urgency: o.urgency ?? incidentUrgency(o.service, o.severity, now),
    priority: o.priority ?? null,
    severity: o.severity,
    details: o.details,
    group_key: o.groupKey,
    created_at: now,
    updated_at: now,
    acknowledged_at: null,
    acknowledged_by: null,
    resolved_at: null,
    resolved_by: null,
    sev: null,
    major: 0,
    drill: 0,
    incident_manager_id: null,
    impact: '{}',
    policy_snapshot: policy ? JSON.stringify(policy) : null,
    escalation_step: 0,
    next_escalation_at: policy ? now + (policy.initialDelayMinutes ?? 0) * 60_000 : null,
    snoozed_until: null,
  });
  await appendTimeline(
    trx,
    {
      incidentId: id,
      at: now,
      type: 'incident.opened',
      actor: o.actor,
      via: o.via,
      message: `Incident #${number} opened on ${o.service.name}: ${o.title.slice(0, 200)}`,
      data: { severity: o.severity },
    },
    live,
  );
  if (!policy) {
    await appendTimeline(
      trx,
      { incidentId: id, at: now, type: 'escalation.exhausted', actor: o.actor, via: 'engine', message: `Service ${o.service.name} has no escalation policy: nobody will be paged` },
      live,
    );
  }
  live.push({ type: 'incident', incidentId: id, data: { status: 'triggered' } });
  return { id, number };
}

/** Acknowledges a triggered incident: escalation stops and pending notifications are cancelled. False if it was not triggered. */
export async function acknowledgeIncident(trx: Tx, now: number, incidentId: string, actor: Actor, via: Via, live: LiveEvent[]): Promise<boolean> {
  // Levels with `until: resolved` still fire once acknowledged: their escalation keeps its due time.
  const inc = await incidentEscalation(trx, incidentId);
  const snapshot = inc?.policy_snapshot ? (JSON.parse(inc.policy_snapshot) as Policy) : null;
  const keep = snapshot && inc && inc.next_escalation_at !== null && firesAfterAcknowledge(snapshot, inc.escalation_step) ? Number(inc.next_escalation_at) : null;
  const updated = await updateIncidentIfStatus(trx, incidentId, '=', 'triggered', {
    status: 'acknowledged',
    acknowledged_at: now,
    acknowledged_by: actor.type === 'system' ? null : actor.id,
    next_escalation_at: keep,
    snoozed_until: null,
    updated_at: now,
  });
  if (!updated) return false;
  await cancelPending(trx, incidentId);
  await appendTimeline(trx, { incidentId, at: now, type: 'incident.acknowledged', actor, via, message: `Acknowledged by ${actor.name} via ${via}` }, live);
  // Every acknowledgement is on the audit trail, whatever the channel (web, API, CLI, SMS, voice, e-mail, Slack, push).
  await audit(trx, now, actor, 'incident.acknowledge', incidentId, {}, { via });
  live.push({ type: 'incident', incidentId, data: { status: 'acknowledged' } });
  return true;
}

/** Resolves an open incident and every open alert in it. False if it was already resolved. */
export async function resolveIncident(trx: Tx, now: number, incidentId: string, actor: Actor, via: Via, live: LiveEvent[]): Promise<boolean> {
  const updated = await updateIncidentIfStatus(trx, incidentId, '!=', 'resolved', {
    status: 'resolved',
    resolved_at: now,
    resolved_by: actor.type === 'system' ? null : actor.id,
    next_escalation_at: null,
    snoozed_until: null,
    updated_at: now,
  });
  if (!updated) return false;
  await resolveOpenAlertsOf(trx, incidentId, now);
  for (const react of resolvedReactions) await react(trx, incidentId); // report rows (report/measures.ts, wired in app/)
  await cancelPending(trx, incidentId);
  await appendTimeline(trx, { incidentId, at: now, type: 'incident.resolved', actor, via, message: `Resolved by ${actor.name} via ${via}` }, live);
  if (actor.type === 'user') await audit(trx, now, actor, 'incident.resolve', incidentId, {}, { via });
  live.push({ type: 'incident', incidentId, data: { status: 'resolved' } });
  return true;
}

/** Escalates now: the incident goes back to triggered and its next escalation step is due at once. */
export async function escalateIncident(trx: Tx, now: number, incidentId: string, actor: Actor, via: Via, live: LiveEvent[]): Promise<boolean> {
  const inc = await incidentState(trx, incidentId);
  if (!inc || inc.status === 'resolved' || !inc.policy_snapshot) return false;
  await updateIncident(trx, incidentId, { status: 'triggered', next_escalation_at: now, acknowledged_at: null, acknowledged_by: null, snoozed_until: null, updated_at: now });
  await appendTimeline(trx, { incidentId, at: now, type: 'incident.escalated', actor, via, message: `Escalated by ${actor.name} via ${via}` }, live);
  live.push({ type: 'incident', incidentId, data: { status: 'triggered' } });
  return true;
}

/** Who an incident is reassigned to: one person (with their name), or a whole escalation policy. */
export type ReassignTarget = { user: { id: string; name: string } } | { policy: Policy };

/**
 * Reassigns an open incident: it goes back to triggered and escalation restarts now from a new
 * snapshot. To a person: they are paged first, and if they do not acknowledge within the first
 * level's delay the incident's current policy follows from its first level, so a reassignment at
 * 3 a.m. never leaves an incident with nobody behind it. To a policy: its first level is paged.
 * Step numbers keep growing (the snapshot's firstStep), so earlier pages never block new ones.
 */
export async function reassignIncident(trx: Tx, now: number, incidentId: string, to: ReassignTarget, actor: Actor, via: Via, live: LiveEvent[]): Promise<boolean> {
  const inc = await incidentState(trx, incidentId);
  if (!inc || inc.status === 'resolved') return false;
  const current = inc.policy_snapshot ? (JSON.parse(inc.policy_snapshot) as Policy) : null;
  let snapshot: Policy;
  let whom: string;
  if ('user' in to) {
    const rest = current ? current.levels : [];
    snapshot = {
      id: current?.id ?? '',
      name: current ? `${to.user.name}, then ${current.name}` : to.user.name,
      description: `Reassigned to ${to.user.name}`,
      repeat: 0,
      levels: [{ delayMinutes: rest[0]?.delayMinutes ?? 15, targets: [{ type: 'user', id: to.user.id }] }, ...rest],
      firstStep: inc.escalation_step,
    };
    whom = to.user.name;
  } else {
    snapshot = { ...to.policy, firstStep: inc.escalation_step };
    whom = `escalation policy ${to.policy.name}`;
  }
  await updateIncidentIfStatus(trx, incidentId, '!=', 'resolved', {
    status: 'triggered',
    acknowledged_at: null,
    acknowledged_by: null,
    policy_snapshot: JSON.stringify(snapshot),
    next_escalation_at: now,
    snoozed_until: null,
    updated_at: now,
  });
  await cancelPending(trx, incidentId);
  await appendTimeline(
    trx,
    {
      incidentId,
      at: now,
      type: 'incident.reassigned',
      actor,
      via,
      message: `Reassigned to ${whom} by ${actor.name} via ${via}`,
      data: 'user' in to ? { userId: to.user.id } : { escalationPolicyId: to.policy.id },
    },
    live,
  );
  await audit(trx, now, actor, 'incident.reassign', incidentId, 'user' in to ? { userId: to.user.id } : { escalationPolicyId: to.policy.id }, { via });
  live.push({ type: 'incident', incidentId, data: { status: 'triggered' } });
  return true;
}

/**
 * Reopens a resolved incident. Without `escalate` it comes back acknowledged (by whoever acknowledged
 * it before, else by the reopener) and nobody is paged. With `escalate` it is triggered again and
 * its escalation restarts now from level 1: of the incident's own policy snapshot, or of the
 * service's current policy when the incident had none. Step numbers keep growing (firstStep), so
 * people paged before are paged again. Its alerts stay resolved; its report rows are removed until
 * it resolves again. False if it was not resolved.
 */
export async function reopenIncident(trx: Tx, now: number, incidentId: string, o: { escalate: boolean; policy?: Policy | null }, actor: Actor, via: Via, live: LiveEvent[]): Promise<boolean> {
  const inc = await incidentReopenState(trx, incidentId);
  if (!inc || inc.status !== 'resolved') return false;
  const reopened = { resolved_at: null, resolved_by: null, snoozed_until: null, updated_at: now };
  let updated: bigint;
  if (o.escalate) {
    const base = inc.policy_snapshot ? (JSON.parse(inc.policy_snapshot) as Policy) : (o.policy ?? null);
    const snapshot = base ? { ...base, firstStep: inc.escalation_step } : null;
    updated = await updateIncidentIfStatus(trx, incidentId, '=', 'resolved', {
      ...reopened,
      status: 'triggered',
      acknowledged_at: null,
      acknowledged_by: null,
      policy_snapshot: snapshot ? JSON.stringify(snapshot) : null,
      next_escalation_at: snapshot ? now : null,
    });
  } else {
    updated = await updateIncidentIfStatus(trx, incidentId, '=', 'resolved', {
      ...reopened,
      status: 'acknowledged',
      acknowledged_at: inc.acknowledged_at ?? now,
      acknowledged_by: inc.acknowledged_at !== null ? inc.acknowledged_by : actor.type === 'system' ? null : actor.id,
      next_escalation_at: null,
    });
  }
  if (!updated) return false;
  for (const react of reopenedReactions) await react(trx, incidentId); // removes the report rows: the incident is open again
  await appendTimeline(
    trx,
    { incidentId, at: now, type: 'incident.reopened', actor, via, message: `Reopened by ${actor.name} via ${via}${o.escalate ? ': paging again from level 1' : ''}`, data: { escalate: o.escalate } },
    live,
  );
  live.push({ type: 'incident', incidentId, data: { status: o.escalate ? 'triggered' : 'acknowledged' } });
  return true;
}

/**
 * Snoozes an open incident until `until`: it becomes acknowledged (by the snoozer) and pages nobody,
 * pending notifications are cancelled, and the engine triggers it again then (wakeSnoozed). Snoozing
 * a snoozed incident moves the time. False if it was resolved.
 */
export async function snoozeIncident(trx: Tx, now: number, incidentId: string, until: number, actor: Actor, via: Via, live: LiveEvent[]): Promise<boolean> {
  if (!(await snoozeIncidentRow(trx, incidentId, now, until, actor.type === 'system' ? null : actor.id))) return false;
  await cancelPending(trx, incidentId);
  const minutes = Math.round((until - now) / 60_000);
  await appendTimeline(
    trx,
    {
      incidentId,
      at: now,
      type: 'incident.snoozed',
      actor,
      via,
      message: `Snoozed for ${minutes} minute${minutes === 1 ? '' : 's'} by ${actor.name} via ${via}: pages again at ${new Date(until).toISOString()}`,
      data: { until, minutes },
    },
    live,
  );
  live.push({ type: 'incident', incidentId, data: { status: 'acknowledged' } });
  await audit(trx, now, actor, 'incident.snooze', incidentId, { until, minutes }, { via });
  return true;
}

/**
 * Ends a snooze that is due: the incident is triggered again and pages from where it was: the level
 * that was paged last is paged again now (a new snapshot whose firstStep is one step later, so step
 * numbers keep growing), then escalation goes on as before. Claimed by compare-and-set on
 * snoozed_until, so a repeated run does nothing. False if it was not due.
 */
export async function wakeSnoozed(trx: Tx, now: number, incidentId: string, live: LiveEvent[]): Promise<boolean> {
  const inc = await incidentSnoozeState(trx, incidentId);
  if (!inc || inc.status !== 'acknowledged' || inc.snoozed_until === null || Number(inc.snoozed_until) > now) return false;
  const current = inc.policy_snapshot ? (JSON.parse(inc.policy_snapshot) as Policy) : null;
  const first = current?.firstStep ?? 0;
  const snapshot = current ? { ...current, firstStep: inc.escalation_step > first ? first + 1 : first } : null;
  const updated = await claimSnoozeEnd(trx, incidentId, inc.snoozed_until, {
    status: 'triggered',
    acknowledged_at: null,
    acknowledged_by: null,
    snoozed_until: null,
    policy_snapshot: snapshot ? JSON.stringify(snapshot) : null,
    next_escalation_at: snapshot ? now : null,
    updated_at: now,
  });
  if (!updated) return false;
  await appendTimeline(
    trx,
    {
      incidentId,
      at: now,
      type: 'incident.unsnoozed',
      actor: SYSTEM,
      via: 'engine',
      message: snapshot ? 'Snooze over: triggered again, paging from where it was' : 'Snooze over: triggered again (no escalation policy: nobody is paged)',
    },
    live,
  );
  live.push({ type: 'incident', incidentId, data: { status: 'triggered' } });
  return true;
}

function cancelPending(trx: Tx, incidentId: string): Promise<void> {
  return cancelPendingNotifications(trx, incidentId);
}
