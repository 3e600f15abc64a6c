import { requirePermission, requirePermissionSomewhere, type Actor, type Via } from '../auth/actor.js';
import { inTransaction, type Ctx, type Tx } from '../context.js';
import { AppError, conflict, invalid, notFound } from '../lib/errors.js';
import { parse } from '../lib/validate.js';
import { parseInstant } from '../schedule/types.js';
import { findService } from '../service/service.js';
import { findPolicy } from '../escalation/service.js';
import { findTeam } from '../team/service.js';
import { findUser, findUserByEmail } from '../user/store.js';
import { acknowledgeIncident, escalateIncident, openIncident, reassignIncident, reopenIncident, resolveIncident, snoozeIncident, type ReassignTarget } from './lifecycle.js';
import { appendTimeline, readTimeline } from './timeline.js';
import { alertRowsOf } from '../alert/store.js';
import { findIncident, queryIncidents } from './store.js';
import { BulkInput, ManualIncidentInput, NoteInput, ReassignInput, ReopenInput, SnoozeInput, type Incident, type IncidentFilter, type TimelineEvent } from './types.js';
import { must } from '../lib/must.js';

export { findIncident } from './store.js';

/** One incident by id or number. */
export async function getIncident(ctx: Ctx, actor: Actor, idOrNumber: string): Promise<Incident> {
  requirePermission(actor, 'read');
  const i = await findIncident(ctx.db.kysely, idOrNumber);
  if (!i) throw notFound('Incident');
  return i;
}

/** A filter instant (epoch ms or ISO date-time), read as the reports read `from` and `to`. */
function instant(v: number | string | undefined, name: string): number | undefined {
  if (v === undefined || v === '') return undefined;
  const t = parseInstant(v, 'UTC');
  if (t === null) throw invalid(`${name}: epoch ms or ISO date-time with offset`, [{ path: name, message: 'epoch ms or ISO date-time with offset' }]);
  return t;
}

function throwIt(e: Error): never {
  throw e;
}

/** Incidents, newest first, filtered. */
export async function listIncidents(ctx: Ctx, actor: Actor, f: IncidentFilter = {}): Promise<Incident[]> {
  requirePermission(actor, 'read');
  const db = ctx.db.kysely;
  // Every filter that names something takes its id or its name (email for people), as the reports do;
  // a name that matches nothing is a 400 that says which, never an empty list that looks like "no incidents".
  const unknown = (field: string, what: string, ref: string) => invalid(`${field}: unknown ${what} "${ref}"`, [{ path: field, message: `unknown ${what}` }]);
  const serviceId = f.serviceId ? ((await findService(db, f.serviceId)) ?? throwIt(unknown('service', 'service', f.serviceId))).id : undefined;
  const teamId = f.teamId ? ((await findTeam(db, f.teamId)) ?? throwIt(unknown('team', 'team', f.teamId))).id : undefined;
  const person = async (field: string, ref: string) => ((await findUser(db, ref)) ?? (await findUserByEmail(db, ref)) ?? throwIt(unknown(field, 'user', ref))).id;
  const assignee = f.assignee ? await person('assignee', f.assignee) : undefined;
  const acknowledgedBy = f.acknowledgedBy ? await person('acknowledgedBy', f.acknowledgedBy) : undefined;
  const since = instant(f.since, 'since');
  const until = instant(f.until, 'until');
  return queryIncidents(db, ctx.db.dialect, f, { serviceId, teamId, assignee, acknowledgedBy, since, until });
}

/** An incident's timeline. */
export async function getTimeline(ctx: Ctx, actor: Actor, idOrNumber: string): Promise<TimelineEvent[]> {
  requirePermission(actor, 'read');
  const i = await getIncident(ctx, actor, idOrNumber);
  return readTimeline(ctx.db.kysely, i.id);
}

/** Opens an incident by hand on a service; it escalates like any other. */
export async function createIncident(ctx: Ctx, actor: Actor, input: unknown, via: Via = 'api'): Promise<Incident> {
  requirePermissionSomewhere(actor, 'incident.create');
  const v = parse(ManualIncidentInput, input, 'incident');
  const now = ctx.clock.now();
  const id = await inTransaction(ctx, async (trx, live) => {
    const service = await findService(trx, v.service);
    if (!service) throw invalid(`service: unknown service "${v.service}"`, [{ path: 'service', message: 'unknown service' }]);
    requirePermission(actor, 'incident.create', service.teamId);
    const r = await openIncident(trx, now, { service, title: v.title, severity: v.severity ?? 'critical', details: v.details ?? '', groupKey: null, actor, via }, live);
    return r.id;
  });
  ctx.wake();
  return must(await findIncident(ctx.db.kysely, id), 'the incident');
}

/** The team of an incident's service (whose team roles count for acting on the incident). */
async function serviceTeam(db: Tx, serviceId: string): Promise<string | null> {
  return (await findService(db, serviceId))?.teamId ?? null;
}

async function transition(ctx: Ctx, actor: Actor, idOrNumber: string, via: Via, fn: typeof acknowledgeIncident): Promise<{ incident: Incident; changed: boolean }> {
  requirePermissionSomewhere(actor, 'incident.respond');
  const existing = await findIncident(ctx.db.kysely, idOrNumber);
  if (!existing) throw notFound('Incident');
  requirePermission(actor, 'incident.respond', await serviceTeam(ctx.db.kysely, existing.serviceId));
  const changed = await inTransaction(ctx, (trx, live) => fn(trx, ctx.clock.now(), existing.id, actor, via, live));
  ctx.wake();
  return { incident: must(await findIncident(ctx.db.kysely, existing.id), 'the incident'), changed };
}

/** Acknowledges an incident: escalation stops. Acknowledging twice is not an error (`changed` says). */
export function acknowledge(ctx: Ctx, actor: Actor, idOrNumber: string, via: Via = 'api') {
  return transition(ctx, actor, idOrNumber, via, acknowledgeIncident);
}

/** Resolves an incident. */
export function resolve(ctx: Ctx, actor: Actor, idOrNumber: string, via: Via = 'api') {
  return transition(ctx, actor, idOrNumber, via, resolveIncident);
}

/** Escalates an incident to its next level now. */
export function escalate(ctx: Ctx, actor: Actor, idOrNumber: string, via: Via = 'api') {
  return transition(ctx, actor, idOrNumber, via, escalateIncident);
}

/**
 * Reopens a resolved incident (permissions as for resolve). `escalate: true` pages again from level 1
 * of its policy (409 when neither the incident nor its service has one); otherwise it reopens
 * acknowledged and nobody is paged. Reopening an open incident is not an error (`changed` says).
 */
export async function reopen(ctx: Ctx, actor: Actor, idOrNumber: string, input: unknown = {}, via: Via = 'api'): Promise<{ incident: Incident; changed: boolean }> {
  requirePermissionSomewhere(actor, 'incident.respond');
  const v = parse(ReopenInput, input ?? {}, 'reopen');
  const existing = await findIncident(ctx.db.kysely, idOrNumber);
  if (!existing) throw notFound('Incident');
  requirePermission(actor, 'incident.respond', await serviceTeam(ctx.db.kysely, existing.serviceId));
  const escalate = v.escalate === true;
  const changed = await inTransaction(ctx, async (trx, live) => {
    let policy = null;
    if (escalate && !existing.escalationPolicyName) {
      const service = await findService(trx, existing.serviceId);
      policy = service?.escalationPolicyId ? ((await findPolicy(trx, service.escalationPolicyId)) ?? null) : null;
      if (!policy && existing.status === 'resolved') throw conflict(`Incident #${existing.number} cannot page again: neither it nor service ${existing.serviceName} has an escalation policy`);
    }
    return reopenIncident(trx, ctx.clock.now(), existing.id, { escalate, policy }, actor, via, live);
  });
  ctx.wake();
  return { incident: must(await findIncident(ctx.db.kysely, existing.id), 'the incident'), changed };
}

/**
 * Reassigns an open incident to a person (paged now, then the incident's policy from its first level)
 * or to an escalation policy (restarts at its first level). A resolved incident cannot be reassigned.
 */
export async function reassign(ctx: Ctx, actor: Actor, idOrNumber: string, input: unknown, via: Via = 'api'): Promise<{ incident: Incident; changed: boolean }> {
  requirePermissionSomewhere(actor, 'incident.respond');
  const v = parse(ReassignInput, input, 'reassign');
  if (!v.user === !v.escalationPolicy)
    throw invalid('reassign: give exactly one of user or escalationPolicy', [{ path: v.user ? 'escalationPolicy' : 'user', message: 'give exactly one of user or escalationPolicy' }]);
  const existing = await findIncident(ctx.db.kysely, idOrNumber);
  if (!existing) throw notFound('Incident');
  requirePermission(actor, 'incident.respond', await serviceTeam(ctx.db.kysely, existing.serviceId));
  if (existing.status === 'resolved') throw conflict(`Incident #${existing.number} is resolved: reopen it first (POST /api/v1/incidents/:id/reopen)`);
  const changed = await inTransaction(ctx, async (trx, live) => {
    let to: ReassignTarget;
    if (v.user) {
      const u = v.user.includes('@') ? await findUserByEmail(trx, v.user) : await findUser(trx, v.user);
      if (!u) throw invalid(`user: unknown user "${v.user}"`, [{ path: 'user', message: 'unknown user' }]);
      to = { user: { id: u.id, name: u.name } };
    } else {
      const p = await findPolicy(trx, must(v.escalationPolicy, 'v.escalationPolicy'));
      if (!p) throw invalid(`escalationPolicy: unknown escalation policy "${v.escalationPolicy}"`, [{ path: 'escalationPolicy', message: 'unknown escalation policy' }]);
      to = { policy: p };
    }
    return reassignIncident(trx, ctx.clock.now(), existing.id, to, actor, via, live);
  });
  ctx.wake();
  return { incident: must(await findIncident(ctx.db.kysely, existing.id), 'the incident'), changed };
}

/**
 * Snoozes an open incident for `minutes`: acknowledged, nobody paged until then; then the engine
 * triggers it again and it pages from where it was. A resolved incident cannot be snoozed (409).
 */
export async function snooze(ctx: Ctx, actor: Actor, idOrNumber: string, input: unknown, via: Via = 'api'): Promise<{ incident: Incident; changed: boolean }> {
  requirePermissionSomewhere(actor, 'incident.respond');
  const v = parse(SnoozeInput, input, 'snooze');
  const existing = await findIncident(ctx.db.kysely, idOrNumber);
  if (!existing) throw notFound('Incident');
  requirePermission(actor, 'incident.respond', await serviceTeam(ctx.db.kysely, existing.serviceId));
  if (existing.status === 'resolved') throw conflict(`Incident #${existing.number} is resolved: there is nothing to snooze`);
  const now = ctx.clock.now();
  const changed = await inTransaction(ctx, (trx, live) => snoozeIncident(trx, now, existing.id, now + v.minutes * 60_000, actor, via, live));
  ctx.wake();
  return { incident: must(await findIncident(ctx.db.kysely, existing.id), 'the incident'), changed };
}

/** Adds a note to an incident's timeline (any incident, open or resolved; no war room needed). */
export async function addNote(ctx: Ctx, actor: Actor, idOrNumber: string, input: unknown, via: Via = 'api'): Promise<{ note: TimelineEvent }> {
  requirePermissionSomewhere(actor, 'incident.respond');
  const v = parse(NoteInput, input, 'note');
  const text = v.text.trim();
  if (!text) throw invalid('text: the note is empty', [{ path: 'text', message: 'empty' }]);
  const existing = await findIncident(ctx.db.kysely, idOrNumber);
  if (!existing) throw notFound('Incident');
  requirePermission(actor, 'incident.respond', await serviceTeam(ctx.db.kysely, existing.serviceId));
  const now = ctx.clock.now();
  await inTransaction(ctx, (trx, live) => appendTimeline(trx, { incidentId: existing.id, at: now, type: 'note', actor, via, message: text }, live));
  const timeline = await readTimeline(ctx.db.kysely, existing.id);
  return { note: must(timeline.filter((e) => e.type === 'note').at(-1), 'the note just added') };
}

/** What a bulk action did to one incident. */
export type BulkResult = { id: string; ok: boolean; changed?: boolean; incident?: Incident; error?: { code: string; message: string } };

/**
 * Acknowledges, resolves or snoozes many incidents, each on its own (one failing does not stop the
 * others): answers one result per id, in order: ok with the incident, or the error the single verb would give.
 */
export async function bulk(ctx: Ctx, actor: Actor, input: unknown, via: Via = 'api'): Promise<{ results: BulkResult[] }> {
  requirePermissionSomewhere(actor, 'incident.respond');
  const v = parse(BulkInput, input, 'bulk');
  if (v.action === 'snooze' && v.minutes === undefined) throw invalid('minutes: required to snooze', [{ path: 'minutes', message: 'required when action is snooze' }]);
  if (v.action !== 'snooze' && v.minutes !== undefined) throw invalid(`minutes: only for snooze, not ${v.action}`, [{ path: 'minutes', message: 'only for snooze' }]);
  const results: BulkResult[] = [];
  for (const id of v.ids) {
    try {
      const r =
        v.action === 'snooze' ? await snooze(ctx, actor, id, { minutes: v.minutes }, via) : v.action === 'acknowledge' ? await acknowledge(ctx, actor, id, via) : await resolve(ctx, actor, id, via);
      results.push({ id, ok: true, changed: r.changed, incident: r.incident });
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      results.push({ id, ok: false, error: { code: e.code, message: e.message } });
    }
  }
  return { results };
}

/** The alerts grouped in an incident. */
export async function listIncidentAlerts(ctx: Ctx, actor: Actor, idOrNumber: string) {
  requirePermission(actor, 'read');
  const i = await getIncident(ctx, actor, idOrNumber);
  const rows = await alertRowsOf(ctx.db.kysely, i.id);
  return rows.map((r) => ({
    id: r.id,
    dedupKey: r.dedup_key,
    status: r.status,
    summary: r.summary,
    source: r.source,
    severity: r.severity,
    details: JSON.parse(r.details) as Record<string, unknown>,
    links: JSON.parse(r.links) as unknown[],
    eventCount: r.event_count,
    createdAt: r.created_at,
    resolvedAt: r.resolved_at,
  }));
}
