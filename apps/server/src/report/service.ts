import { IANAZone } from 'luxon';
import { requirePermission, type Actor } from '../auth/actor.js';
import { inTransaction, type Ctx, type Tx } from '../context.js';
import { invalid, notFound } from '../lib/errors.js';
import { newId } from '../lib/ids.js';
import { parse } from '../lib/validate.js';
import { getOnCallLoad, parseInstant } from '../schedule/index.js';
import { findService } from '../service/service.js';
import { findTeam } from '../team/service.js';
import { change, DAY_PARTS, dayPartOf, durationStats, hourOf, mean, periodBucket, periodLabel, periodStart, type DayPart, type DurationStats, type Period } from './compute.js';
import {
  ackGroups,
  alertKeyGroups,
  alertSummaries,
  deleteSlaTargetRow,
  deleteSlaTargets,
  firstEngagement,
  firstInRange,
  firstStatusUpdate,
  incidentGroups,
  incidentIdByRef,
  incidentTitles,
  insertSlaTarget,
  measureEvents,
  measureIncident,
  namesOf,
  pageGroups,
  serviceLevels,
  serviceNamesAndTeams,
  slaGroups,
  slaTargetRows,
  userInfo,
  type GroupKey,
  type IncidentGroup,
  type Scope,
} from './store.js';
import { SlaTargetInput, type IncidentMeasures, type ReportFilter, type SlaTarget } from './types.js';
import { must } from '../lib/must.js';

const MIN = 60_000;
const DAY = 24 * 60 * MIN;

/** The report's zone (default UTC); an unknown zone is the client's mistake, answered 400 before any work. */
function reportZone(f: { tz?: string }): string {
  const tz = f.tz ?? 'UTC';
  if (!IANAZone.isValidZone(tz)) throw invalid(`tz: ${JSON.stringify(tz)} is not an IANA time zone (e.g. Europe/Berlin, UTC)`, [{ path: 'tz', message: 'unknown time zone' }]);
  return tz;
}

/** Resolves a report filter to a scope: default range the last 30 days. */
export async function resolveScope(ctx: Ctx, f: ReportFilter, defaultDays = 30): Promise<Scope> {
  const db = ctx.db.kysely;
  const now = ctx.clock.now();
  const tz = reportZone(f);
  const to = f.to === undefined ? now : parseInstant(f.to, tz);
  const from = f.from === undefined ? (to ?? now) - defaultDays * DAY : parseInstant(f.from, tz);
  if (from === null || to === null || !(from < to)) throw invalid('from/to: epoch ms or ISO date-times with from before to', [{ path: 'from', message: 'invalid range' }]);
  let teamId: string | null = null;
  if (f.team) {
    const t = await findTeam(db, f.team);
    if (!t) throw notFound('Team');
    teamId = t.id;
  }
  let serviceId: string | null = null;
  if (f.service) {
    const s = await findService(db, f.service);
    if (!s) throw notFound('Service');
    serviceId = s.id;
  }
  return { from, to, teamId, serviceId, severity: f.severity ?? null, drills: f.drills === true, tz, dialect: ctx.db.dialect };
}

// ---- per incident ----

/** Measures of one incident from its row, timeline, war room and status updates. */
export async function incidentMeasures(db: Tx, incidentId: string): Promise<IncidentMeasures | undefined> {
  const i = await measureIncident(db, incidentId);
  if (!i) return undefined;
  const events = await measureEvents(db, incidentId);
  const pagesByChannel: Record<string, number> = {};
  let levels = 0;
  let ackBy: { id: string; name: string } | null = i.acknowledged_by ? { id: i.acknowledged_by, name: i.ack_name ?? i.acknowledged_by } : null;
  for (const e of events) {
    if (e.type === 'escalation.level') levels++;
    // A page sent on its own or in one message with other incidents (docs/paging.md) counts as one page.
    else if (e.type === 'notification.sent' || e.type === 'notification.bundled') {
      const ch = String((JSON.parse(e.data) as { channel?: string }).channel ?? 'unknown');
      pagesByChannel[ch] = (pagesByChannel[ch] ?? 0) + 1;
    } else if (!ackBy && e.actor_id) ackBy = { id: e.actor_id, name: e.actor_name };
  }
  const created = Number(i.created_at);
  const engage = (await firstEngagement(db, [i.id]))?.get(i.id);
  const update = (await firstStatusUpdate(db, [i.id]))?.get(i.id);
  return {
    incidentId: i.id,
    number: Number(i.number),
    title: i.title,
    serviceId: i.service_id,
    severity: i.sev ?? i.severity,
    drill: i.drill === 1,
    createdAt: created,
    timeToAcknowledge: i.acknowledged_at === null ? null : Number(i.acknowledged_at) - created,
    timeToResolve: i.resolved_at === null ? null : Number(i.resolved_at) - created,
    timeToEngage: engage === undefined ? null : engage - created,
    timeToFirstUpdate: update === undefined ? null : update - created,
    escalations: Math.max(0, levels - 1),
    pagesByChannel,
    acknowledgedBy: ackBy,
  };
}

/** The measures of one incident (id or number). */
export async function getIncidentMeasures(ctx: Ctx, actor: Actor, idOrNumber: string): Promise<IncidentMeasures> {
  requirePermission(actor, 'read');
  const db = ctx.db.kysely;
  const row = await incidentIdByRef(db, idOrNumber);
  const m = row && (await incidentMeasures(db, row.id));
  if (!m) throw notFound('Incident');
  return m;
}

// ---- SLA targets ----

function targetFromRow(r: {
  id: string;
  severity: string;
  service_id: string | null;
  ack_within_ms: number | null;
  resolve_within_ms: number | null;
  update_within_ms: number | null;
  warn_before_ms: number;
}): SlaTarget {
  const n = (v: number | null) => (v === null ? null : Number(v));
  return {
    id: r.id,
    severity: r.severity,
    serviceId: r.service_id,
    ackWithinMs: n(r.ack_within_ms),
    resolveWithinMs: n(r.resolve_within_ms),
    updateWithinMs: n(r.update_within_ms),
    warnBeforeMs: Number(r.warn_before_ms),
  };
}

/** Every SLA target. No permission check: for the engine. */
export async function allTargets(db: Tx): Promise<SlaTarget[]> {
  return (await slaTargetRows(db)).map(targetFromRow);
}

/** The target that applies to an incident: its service's own for its level, else the level's. */
export function targetFor(targets: readonly SlaTarget[], serviceId: string, severity: string): SlaTarget | undefined {
  return targets.find((t) => t.severity === severity && t.serviceId === serviceId) ?? targets.find((t) => t.severity === severity && t.serviceId === null);
}

/** SLA targets. */
export async function listSlaTargets(ctx: Ctx, actor: Actor): Promise<SlaTarget[]> {
  requirePermission(actor, 'read');
  return allTargets(ctx.db.kysely);
}

/** Sets the SLA target of a severity level (and service): creates or replaces it. Admins only. */
export async function putSlaTarget(ctx: Ctx, actor: Actor, input: unknown): Promise<SlaTarget> {
  requirePermission(actor, 'admin');
  const v = parse(SlaTargetInput, input, 'slaTarget');
  const now = ctx.clock.now();
  const ms = (m: number | null | undefined) => (m === null || m === undefined ? null : Math.round(m * MIN));
  return inTransaction(ctx, async (trx) => {
    let serviceId: string | null = null;
    if (v.service) {
      const s = await findService(trx, v.service);
      if (!s) throw invalid(`service: unknown service "${v.service}"`, [{ path: 'service', message: 'unknown service' }]);
      serviceId = s.id;
    }
    await deleteSlaTargets(trx, v.severity, serviceId);
    const row = {
      id: newId(),
      severity: v.severity,
      service_id: serviceId,
      ack_within_ms: ms(v.ackWithinMinutes),
      resolve_within_ms: ms(v.resolveWithinMinutes),
      update_within_ms: ms(v.updateWithinMinutes),
      warn_before_ms: must(ms(v.warnBeforeMinutes ?? 5), 'the warning time'),
      created_at: now,
      updated_at: now,
    };
    await insertSlaTarget(trx, row);
    return targetFromRow(row);
  });
}

/** Deletes an SLA target. Admins only. */
export async function deleteSlaTarget(ctx: Ctx, actor: Actor, id: string): Promise<void> {
  requirePermission(actor, 'admin');
  if (!(await deleteSlaTargetRow(ctx.db.kysely, id))) throw notFound('SLA target');
}

/** One missed SLA target. */
export interface Breach {
  incidentId: string;
  number: number;
  title: string;
  severity: string;
  target: 'ack' | 'resolve' | 'update';
  withinMs: number;
  /** How long it took, or (still open) how long it has run. */
  actualMs: number;
  met: false;
  open: boolean;
}

/** Whether a target was met: exactly at the limit counts as met; not done and past the limit is a breach. */
export function judge(created: number, doneAt: number | null, within: number, now: number): 'met' | 'breached' | 'pending' {
  if (doneAt !== null) return doneAt - created <= within ? 'met' : 'breached';
  return now - created > within ? 'breached' : 'pending';
}

/** SLA attainment per period (day/week/month) and overall, each breach listed with its incident. */
export async function slaAttainment(ctx: Ctx, actor: Actor, f: ReportFilter & { period?: Period }) {
  requirePermission(actor, 'read');
  const db = ctx.db.kysely;
  const s = await resolveScope(ctx, f);
  const period = f.period ?? 'week';
  const now = ctx.clock.now();
  const [groups, targets, updates] = await Promise.all([slaGroups(db, s), allTargets(db), firstInRange(db, 'update', s)]);
  type Tally = { period: string; incidents: number; ack: { met: number; breached: number }; resolve: { met: number; breached: number }; update: { met: number; breached: number } };
  const blank = (p: string): Tally => ({ period: p, incidents: 0, ack: { met: 0, breached: 0 }, resolve: { met: 0, breached: 0 }, update: { met: 0, breached: 0 } });
  const periods = new Map<string, Tally>();
  const total = blank('all');
  const breaches: Breach[] = [];
  // One incident's check of one target (no allocation per incident: a year is 100,000 of them).
  const check = (p: Tally, name: 'ack' | 'resolve' | 'update', within: number | null, done: number | null, number: number, severity: string, createdAt: number, resolvedAt: number | null) => {
    if (within === null) return;
    // An incident resolved without acknowledgement missed its acknowledgement target only if it ran past it.
    const doneAt = name === 'ack' && done === null && resolvedAt !== null ? (resolvedAt - createdAt <= within ? resolvedAt : null) : done;
    const j = judge(createdAt, doneAt, within, name === 'ack' && resolvedAt !== null && doneAt === null ? Math.max(now, createdAt + within + 1) : now);
    if (j === 'pending') return;
    p[name][j === 'met' ? 'met' : 'breached']++;
    total[name][j === 'met' ? 'met' : 'breached']++;
    if (j === 'breached')
      breaches.push({
        incidentId: '',
        number,
        title: '',
        severity,
        target: name,
        withinMs: within,
        actualMs: (doneAt ?? (name === 'ack' && resolvedAt !== null ? resolvedAt : now)) - createdAt,
        met: false,
        open: doneAt === null && resolvedAt === null,
      });
  };
  // Every bucket of this size lies in one period (periodBucket), so its label is looked up once.
  const bucket = periodBucket(s.from, s.to, period, s.tz);
  const labelOf = new Map<number, string>();
  for (const g of groups) {
    const t = targetFor(targets, g.serviceId, g.severity);
    if (!t) continue;
    for (let k = 0; k < g.number.length; k++) {
      const number = must(g.number[k], 'the incident number');
      const createdAt = must(g.createdAt[k], 'the creation time');
      // Null (not yet resolved or acknowledged) is a value here; only a missing entry is an error.
      const resolvedAt = g.resolvedAt[k];
      const acknowledgedAt = g.acknowledgedAt[k];
      if (resolvedAt === undefined || acknowledgedAt === undefined) throw new Error(`incident group: no resolvedAt/acknowledgedAt entry ${k}`);
      const b = Math.floor(createdAt / bucket);
      let key = labelOf.get(b);
      if (key === undefined) labelOf.set(b, (key = periodLabel(periodStart(createdAt, period, s.tz), period, s.tz)));
      let p = periods.get(key);
      if (!p) periods.set(key, (p = blank(key)));
      p.incidents++;
      total.incidents++;
      check(p, 'ack', t.ackWithinMs, acknowledgedAt, number, g.severity, createdAt, resolvedAt);
      check(p, 'resolve', t.resolveWithinMs, resolvedAt, number, g.severity, createdAt, resolvedAt);
      check(p, 'update', updates ? t.updateWithinMs : null, updates?.get(number) ?? null, number, g.severity, createdAt, resolvedAt);
    }
  }
  breaches.sort((a, b) => a.number - b.number);
  const names = await incidentTitles(
    db,
    s,
    breaches.map((b) => b.number),
  );
  for (const b of breaches) {
    const n = names.get(b.number);
    b.incidentId = n?.id ?? '';
    b.title = n?.title ?? '';
  }
  const pct = (x: { met: number; breached: number }) => (x.met + x.breached ? Math.round((x.met / (x.met + x.breached)) * 1000) / 10 : null);
  const row = (t: Tally) => ({
    period: t.period,
    incidents: t.incidents,
    ackMet: t.ack.met,
    ackBreached: t.ack.breached,
    ackAttainment: pct(t.ack),
    resolveMet: t.resolve.met,
    resolveBreached: t.resolve.breached,
    resolveAttainment: pct(t.resolve),
    updateMet: t.update.met,
    updateBreached: t.update.breached,
    updateAttainment: pct(t.update),
  });
  return { from: s.from, to: s.to, period, updatesKnown: updates !== null, total: row(total), periods: [...periods.values()].sort((a, b) => a.period.localeCompare(b.period)).map(row), breaches };
}

// ---- aggregates ----

/** What aggregates are grouped by. */
export type GroupBy = 'team' | 'service' | 'severity' | 'responder' | 'schedule' | Period;
export const GROUP_BYS: readonly GroupBy[] = ['team', 'service', 'severity', 'responder', 'schedule', 'day', 'week', 'month'];

/** One aggregate row. Durations in ms. */
export interface AggregateRow {
  key: string;
  label: string;
  incidents: number;
  alerts: number;
  acknowledged: number;
  resolved: number;
  mtta: number | null;
  mttr: number | null;
  ttaP50: number | null;
  ttaP90: number | null;
  ttrP50: number | null;
  ttrP90: number | null;
  alertsPerIncident: number | null;
  resolvedWithoutAction: number;
}

/** Schedules an escalation policy of each service pages (for grouping by schedule). */
async function schedulesByService(db: Tx): Promise<Map<string, string[]>> {
  const rows = await serviceLevels(db);
  const out = new Map<string, string[]>();
  for (const r of rows) {
    const levels = JSON.parse(r.levels) as { targets?: { type: string; id: string }[] }[];
    out.set(r.id, [...new Set(levels.flatMap((l) => (l.targets ?? []).filter((t) => t.type === 'schedule').map((t) => t.id)))]);
  }
  return out;
}

async function labels(db: Tx, by: GroupBy, keys: string[]): Promise<Map<string, string>> {
  const m = new Map<string, string>();
  if (!keys.length) return m;
  const table = by === 'team' ? 'teams' : by === 'service' ? 'services' : by === 'responder' ? 'users' : by === 'schedule' ? 'schedules' : null;
  if (!table) return m;
  for (let i = 0; i < keys.length; i += 500) {
    const rows = await namesOf(db, table, keys.slice(i, i + 500));
    for (const r of rows) m.set(r.id, r.name);
  }
  return m;
}

/** Aggregates groups of incidents by key (a group may count under several keys): counts, MTTA/MTTR, p50/p90, noise. Pure. */
export function aggregate(groups: readonly IncidentGroup[], keyOf: (g: IncidentGroup) => string[]): Omit<AggregateRow, 'label'>[] {
  const merged = new Map<string, IncidentGroup[]>();
  for (const g of groups)
    for (const k of keyOf(g)) {
      let list = merged.get(k);
      if (!list) merged.set(k, (list = []));
      list.push(g);
    }
  const out: Omit<AggregateRow, 'label'>[] = [];
  for (const [key, list] of merged) {
    let incidents = 0;
    let alertsN = 0;
    let noAction = 0;
    let resolved = 0;
    const tta: number[] = [];
    const ttr: number[] = [];
    for (const g of list) {
      incidents += g.incidents;
      alertsN += g.alerts;
      noAction += g.resolvedWithoutAction;
      resolved += g.resolved;
      for (const d of g.tta) tta.push(d);
      for (const d of g.ttr) ttr.push(d);
    }
    const a: DurationStats = durationStats(tta);
    const r: DurationStats = durationStats(ttr);
    out.push({
      key,
      incidents,
      alerts: alertsN,
      acknowledged: tta.length,
      resolved,
      mtta: a.mean,
      mttr: r.mean,
      ttaP50: a.p50,
      ttaP90: a.p90,
      ttrP50: r.p50,
      ttrP90: r.p90,
      alertsPerIncident: incidents ? Math.round((alertsN / incidents) * 100) / 100 : null,
      resolvedWithoutAction: noAction,
    });
  }
  return out;
}

/** Service id -> name and team. */
async function serviceInfo(db: Tx): Promise<Map<string, { name: string; teamId: string | null }>> {
  const rows = await serviceNamesAndTeams(db);
  return new Map(rows.map((r) => [r.id, { name: r.name, teamId: r.team_id }]));
}

/** Incident and alert counts, MTTA, MTTR and percentiles grouped by team, service, severity, responder, schedule or period. */
export async function aggregates(ctx: Ctx, actor: Actor, f: ReportFilter & { by?: GroupBy }) {
  requirePermission(actor, 'read');
  const db = ctx.db.kysely;
  const s = await resolveScope(ctx, f);
  const by = f.by ?? 'team';
  if (!GROUP_BYS.includes(by)) throw invalid(`by: one of ${GROUP_BYS.join(', ')}`);
  const isPeriod = by === 'day' || by === 'week' || by === 'month';
  // The database groups by the finest key needed (service for team and schedule; a time bucket for periods).
  const key: GroupKey = isPeriod
    ? { granule: periodBucket(s.from, s.to, by, s.tz) }
    : by === 'severity'
      ? { column: 'severity' }
      : by === 'responder'
        ? { column: 'acknowledged_by' }
        : { column: 'service_id' };
  const [groups, sched, services] = await Promise.all([incidentGroups(db, s, key), by === 'schedule' ? schedulesByService(db) : null, by === 'team' ? serviceInfo(db) : null]);
  const keyOf = (g: IncidentGroup): string[] => {
    switch (by) {
      case 'team':
        return [must(services, 'services').get(must(g.key, 'g.key'))?.teamId ?? '(none)'];
      case 'service':
        return [must(g.key, 'g.key')];
      case 'severity':
        return [must(g.key, 'g.key')];
      case 'responder':
        return [g.key ?? '(unacknowledged)'];
      case 'schedule': {
        const l = must(sched, 'sched').get(must(g.key, 'g.key')) ?? [];
        return l.length ? l : ['(none)'];
      }
      default:
        return [String(periodStart(Number(g.key), by, s.tz))];
    }
  };
  const rows = aggregate(groups, keyOf);
  const names = await labels(
    db,
    by,
    rows.map((r) => r.key).filter((k) => !k.startsWith('(')),
  );
  const out: AggregateRow[] = rows.map((r) => ({ ...r, label: isPeriod ? periodLabel(Number(r.key), by, s.tz) : (names.get(r.key) ?? r.key) }));
  out.sort((a, b) => (isPeriod ? Number(a.key) - Number(b.key) : b.incidents - a.incidents || a.label.localeCompare(b.label)));
  const total = aggregate(groups, () => ['all'])[0] ?? null;
  return { from: s.from, to: s.to, by, total: total && { ...total, label: 'All' }, rows: out };
}

/** Noise: alerts per incident, incidents resolved without action, flapping alerts, top noisy services and alerts. */
export async function noise(ctx: Ctx, actor: Actor, f: ReportFilter & { flapMinutes?: number }) {
  requirePermission(actor, 'read');
  const db = ctx.db.kysely;
  const s = await resolveScope(ctx, f);
  const flapMs = (f.flapMinutes ?? 30) * MIN;
  const [groups, keys, services] = await Promise.all([incidentGroups(db, s, { column: 'service_id' }, false), alertKeyGroups(db, s, flapMs), serviceInfo(db)]);
  const name = (id: string) => services.get(id)?.name ?? id;
  const topServices = groups
    .filter((g) => g.alerts > 0)
    .map((g) => ({ serviceId: must(g.key, 'g.key'), serviceName: name(must(g.key, 'g.key')), incidents: g.withAlerts, alerts: g.alerts }))
    .sort((a, b) => b.alerts - a.alerts || a.serviceName.localeCompare(b.serviceName))
    .slice(0, 10);
  const byKey = (a: { serviceId: string; dedupKey: string }, b: { serviceId: string; dedupKey: string }) =>
    a.serviceId < b.serviceId ? -1 : a.serviceId > b.serviceId ? 1 : a.dedupKey < b.dedupKey ? -1 : a.dedupKey > b.dedupKey ? 1 : 0;
  const top = keys.top;
  const summaries = await alertSummaries(db, s, top);
  const topAlerts = top.map((k) => ({
    serviceId: k.serviceId,
    serviceName: name(k.serviceId),
    dedupKey: k.dedupKey,
    summary: summaries.get(`${k.serviceId}\u0000${k.dedupKey}`) ?? '',
    count: k.count,
    events: k.events,
  }));
  const t = aggregate(groups, () => ['all'])[0];
  const flaps = keys.flapping.sort((a, b) => b.flaps - a.flaps || byKey(a, b)).map((k) => ({ serviceId: k.serviceId, dedupKey: k.dedupKey, flaps: k.flaps }));
  return {
    from: s.from,
    to: s.to,
    flapMinutes: flapMs / MIN,
    summary: {
      incidents: t?.incidents ?? 0,
      alerts: t?.alerts ?? 0,
      alertsPerIncident: t?.alertsPerIncident ?? null,
      resolvedWithoutAction: t?.resolvedWithoutAction ?? 0,
      flappingAlerts: flaps.length,
      flaps: flaps.reduce((n, x) => n + x.flaps, 0),
    },
    topServices,
    topAlerts,
    flapping: flaps.slice(0, 50),
  };
}

// ---- shifts and time zones ----

/** Pages per responder split by part of the week in their own zone, MTTA by hour and by shift, on-call hours and interruptions. */
export async function shifts(ctx: Ctx, actor: Actor, f: ReportFilter & { schedule?: string }) {
  requirePermission(actor, 'read');
  const db = ctx.db.kysely;
  const s = await resolveScope(ctx, f);
  const [pages, acks] = await Promise.all([pageGroups(db, s), ackGroups(db, s)]);
  const users = await userInfo(db, [...pages.map((p) => p.userId), ...acks.map((a) => a.userId)]);
  const zoneOf = (u: string) => users.get(u)?.timeZone ?? 'UTC';
  type PageRow = { userId: string; name: string; timeZone: string; pages: number } & Record<DayPart, number> & { byChannel: Record<string, number> };
  const per = new Map<string, PageRow>();
  const interruptionsOf = new Map<string, number>();
  for (const g of pages) {
    const r: PageRow = { userId: g.userId, name: users.get(g.userId)?.name ?? g.userId, timeZone: zoneOf(g.userId), pages: g.at.length, business: 0, evening: 0, night: 0, weekend: 0, byChannel: {} };
    for (const at of g.at) r[dayPartOf(at, r.timeZone)]++;
    for (const ch of g.channels) r.byChannel[ch] = (r.byChannel[ch] ?? 0) + 1;
    per.set(g.userId, r);
    interruptionsOf.set(g.userId, g.interruptions);
  }
  const interruptions = (id: string) => interruptionsOf.get(id) ?? 0;
  // MTTA by hour of day and by shift (part of the week), in the acknowledger's own zone.
  const byHour: number[][] = Array.from({ length: 24 }, () => []);
  const byShift = new Map<string, number[]>();
  for (const a of acks) {
    const zone = zoneOf(a.userId);
    for (let k = 0; k < a.tta.length; k++) {
      const created = must(a.createdAt[k], 'a.createdAt[k]');
      const d = must(a.tta[k], 'a.tta[k]');
      must(byHour[hourOf(created, zone)], 'byHour[hourOf(created, zone)]').push(d);
      const key = `${zone}\u0000${dayPartOf(created, zone)}`;
      let list = byShift.get(key);
      if (!list) byShift.set(key, (list = []));
      list.push(d);
    }
  }
  const load = await getOnCallLoad(ctx, actor, { from: s.from, to: s.to, ...(f.schedule && { schedule: f.schedule }) });
  const oncall = new Map(load.load.map((l) => [l.user.id, l]));
  const people = new Set([...per.keys(), ...oncall.keys()]);
  const infoAll = await userInfo(db, people);
  const onCallRows = [...people].map((id) => {
    const l = oncall.get(id);
    const p = per.get(id);
    return {
      userId: id,
      name: infoAll.get(id)?.name ?? id,
      timeZone: infoAll.get(id)?.timeZone ?? 'UTC',
      onCallHours: l?.hours ?? { business: 0, evening: 0, night: 0, weekend: 0, total: 0 },
      interruptions: p ? interruptions(id) : 0,
      pages: p?.pages ?? 0,
      offHoursPages: p ? p.evening + p.night + p.weekend : 0,
    };
  });
  onCallRows.sort((a, b) => b.onCallHours.total - a.onCallHours.total || b.pages - a.pages || a.name.localeCompare(b.name));
  return {
    from: s.from,
    to: s.to,
    pagesByResponder: [...per.values()].sort((a, b) => b.pages - a.pages || a.name.localeCompare(b.name)).map((r) => ({ ...r, interruptions: interruptions(r.userId) })),
    mttaByHour: byHour.map((l, hour) => ({ hour, acknowledged: l.length, mtta: mean(l) })),
    mttaByShift: [...byShift]
      .map(([k, l]) => {
        const [timeZone, shift] = k.split('\u0000') as [string, DayPart];
        return { timeZone, shift, acknowledged: l.length, ...prefixStats(durationStats(l)) };
      })
      .sort((a, b) => a.timeZone.localeCompare(b.timeZone) || DAY_PARTS.indexOf(a.shift) - DAY_PARTS.indexOf(b.shift)),
    onCall: onCallRows,
  };
}

function prefixStats(d: DurationStats): { mtta: number | null; p50: number | null; p90: number | null } {
  return { mtta: d.mean, p50: d.p50, p90: d.p90 };
}

// ---- trends ----

/** Each measure week over week (last N weeks, default 8), with the change from the week before. */
export async function trends(ctx: Ctx, actor: Actor, f: ReportFilter & { weeks?: number }) {
  requirePermission(actor, 'read');
  const weeks = Math.min(Math.max(f.weeks ?? 8, 1), 104);
  const tz = reportZone(f);
  const now = ctx.clock.now();
  const end = f.to === undefined ? periodStart(now, 'week', tz) + 7 * DAY : periodStart(parseInstant(f.to, tz) ?? now, 'week', tz);
  const from = end - (weeks + 1) * 7 * DAY;
  const a = await aggregates(ctx, actor, { ...f, from, to: end, by: 'week' });
  const byKey = new Map(a.rows.map((r) => [Number(r.key), r]));
  const rows = [];
  for (let w = 0; w <= weeks; w++) {
    const start = periodStart(from + w * 7 * DAY + DAY, 'week', tz);
    const cur = byKey.get(start);
    const prev = byKey.get(periodStart(start - 3 * DAY, 'week', tz));
    if (w === 0) continue;
    const num = (r: AggregateRow | undefined, k: 'incidents' | 'alerts' | 'mtta' | 'mttr' | 'ttaP90' | 'ttrP90' | 'resolvedWithoutAction') =>
      r ? r[k] : k === 'incidents' || k === 'alerts' || k === 'resolvedWithoutAction' ? 0 : null;
    const m = (k: Parameters<typeof num>[1]) => ({ value: num(cur, k), previous: num(prev, k), ...change(num(cur, k), num(prev, k)) });
    rows.push({
      week: periodLabel(start, 'week', tz),
      start,
      incidents: m('incidents'),
      alerts: m('alerts'),
      mtta: m('mtta'),
      mttr: m('mttr'),
      ttaP90: m('ttaP90'),
      ttrP90: m('ttrP90'),
      resolvedWithoutAction: m('resolvedWithoutAction'),
    });
  }
  return { from: from + 7 * DAY, to: end, weeks: rows };
}
