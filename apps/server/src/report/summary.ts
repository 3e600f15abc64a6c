import { requirePermission, SYSTEM, type Actor } from '../auth/actor.js';
import type { Ctx } from '../context.js';
import { notFound } from '../lib/errors.js';
import { openItems } from '../postmortem/service.js';
import { formatDuration } from '../lib/format.js';
import { findTeam } from '../team/service.js';
import { change, periodLabel, periodStart } from './compute.js';
import { aggregates, shifts, slaAttainment } from './service.js';
import { deleteReportSubscription, incidentFacts, insertReportSubscription, reportSubscribersByName } from './store.js';
import { userIdIfExists } from '../user/store.js';

const DAY = 86_400_000;

/** Subscribes a user to a team's report summary (self, or admins for anyone). */
export async function subscribe(ctx: Ctx, actor: Actor, team: string, userId: string): Promise<void> {
  if (!(actor.type === 'user' && actor.id === userId)) requirePermission(actor, 'admin');
  else requirePermission(actor, 'read');
  const t = await findTeam(ctx.db.kysely, team);
  if (!t) throw notFound('Team');
  const u = await userIdIfExists(ctx.db.kysely, userId);
  if (!u) throw notFound('User');
  await insertReportSubscription(ctx.db.kysely, t.id, userId, ctx.clock.now());
}

/** Removes a subscription. */
export async function unsubscribe(ctx: Ctx, actor: Actor, team: string, userId: string): Promise<void> {
  if (!(actor.type === 'user' && actor.id === userId)) requirePermission(actor, 'admin');
  const t = await findTeam(ctx.db.kysely, team);
  if (!t) throw notFound('Team');
  await deleteReportSubscription(ctx.db.kysely, t.id, userId);
}

/** A team's report subscribers. */
export async function listSubscribers(ctx: Ctx, actor: Actor, team: string): Promise<{ id: string; name: string; email: string }[]> {
  requirePermission(actor, 'read');
  const t = await findTeam(ctx.db.kysely, team);
  if (!t) throw notFound('Team');
  return reportSubscribersByName(ctx.db.kysely, t.id);
}

/** The weekly summary of a team for the week starting `weekStart` (UTC Monday): the numbers and a plain-text rendering. */
export async function weeklySummary(ctx: Ctx, actor: Actor, teamId: string, weekStart: number) {
  requirePermission(actor, 'read');
  const t = await findTeam(ctx.db.kysely, teamId);
  if (!t) throw notFound('Team');
  const from = weekStart;
  const to = weekStart + 7 * DAY;
  const f = { team: t.id, from, to };
  const [sla, cur, prev, load, facts, items] = await Promise.all([
    slaAttainment(ctx, actor, { ...f, period: 'week' }),
    aggregates(ctx, actor, { ...f, by: 'team' }),
    aggregates(ctx, actor, { team: t.id, from: from - 7 * DAY, to: from, by: 'team' }),
    shifts(ctx, actor, f),
    incidentFacts(ctx.db.kysely, { from, to, teamId: t.id, serviceId: null, severity: null, drills: false, tz: 'UTC', dialect: ctx.db.dialect }),
    openItems(ctx.db.kysely, t.id),
  ]);
  const c = cur.total;
  const p = prev.total;
  const top = [...facts].sort((a, b) => (b.resolvedAt ?? to) - b.createdAt - ((a.resolvedAt ?? to) - a.createdAt)).slice(0, 5);
  const trend = (x: number | null, y: number | null, count = false) => {
    const ch = change(x, y);
    if (ch.delta === null) return '';
    const sign = ch.delta > 0 ? '+' : ch.delta < 0 ? '-' : '±';
    const abs = count ? String(Math.abs(ch.delta)) : formatDuration(Math.abs(ch.delta));
    return ` (${sign}${abs}${ch.percent === null ? '' : `, ${ch.percent > 0 ? '+' : ''}${ch.percent}%`} vs previous week)`;
  };
  const pct = (v: number | null) => (v === null ? 'no targets' : `${v}%`);
  const lines = [
    `Weekly report for team ${t.name}, week of ${periodLabel(from, 'week')}`,
    '',
    `Incidents: ${c?.incidents ?? 0}${trend(c?.incidents ?? 0, p?.incidents ?? 0, true)}; alerts: ${c?.alerts ?? 0}`,
    `MTTA: ${formatDuration(c?.mtta ?? null)}${trend(c?.mtta ?? null, p?.mtta ?? null)}`,
    `MTTR: ${formatDuration(c?.mttr ?? null)}${trend(c?.mttr ?? null, p?.mttr ?? null)}`,
    `SLA attainment: acknowledge ${pct(sla.total.ackAttainment)}, resolve ${pct(sla.total.resolveAttainment)}; breaches: ${sla.breaches.length}`,
    ...sla.breaches.slice(0, 10).map((b) => `  - #${b.number} ${b.title}: ${b.target} took ${formatDuration(b.actualMs)} (target ${formatDuration(b.withinMs)})`),
    '',
    'Top incidents:',
    ...(top.length
      ? top.map((i) => `  - #${i.number} ${i.title} (${i.severity}): ${i.resolvedAt === null ? 'still open' : `resolved in ${formatDuration(i.resolvedAt - i.createdAt)}`}`)
      : ['  (none)']),
    '',
    'On-call load:',
    ...(load.onCall.length
      ? load.onCall.slice(0, 10).map((o) => `  - ${o.name}: ${Math.round(o.onCallHours.total)} h on call, ${o.pages} pages (${o.offHoursPages} off hours), ${o.interruptions} interruptions`)
      : ['  (nobody on call)']),
    '',
    `Open action items: ${items.length}`,
    ...items.slice(0, 20).map((a) => `  - ${a.title} (${a.ownerName ?? 'unassigned'}${a.dueAt ? `, due ${new Date(a.dueAt).toISOString().slice(0, 10)}` : ''})`),
  ];
  return {
    team: { id: t.id, name: t.name },
    from,
    to,
    sla: sla.total,
    breaches: sla.breaches,
    current: c,
    previous: p,
    topIncidents: top,
    onCall: load.onCall,
    openActionItems: items,
    text: lines.join('\n'),
  };
}

/** The Monday 00:00 UTC starting the week before the one `now` is in. */
export function lastWeekStart(now: number): number {
  return periodStart(now, 'week') - 7 * DAY;
}

/** The system actor the engine builds summaries as. */
export const SUMMARY_ACTOR = SYSTEM;
