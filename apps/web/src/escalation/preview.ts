import type { Channel, ContactMethod, FinalSchedule, Level, LevelCondition, NotificationRule, Target, Team, User } from '@klaxon/contract';
import { must } from '../lib/must.ts';

/**
 * Who a schedule target names when its level fires `atMinutes` after the alert: the schedule's
 * name and people (on call then, or next for schedule_next), 'pending' while the answer is being
 * read, or 'missing' when the schedule no longer exists.
 */
export type ScheduleResolver = (target: Target, atMinutes: number) => { name: string; userIds: string[]; userNames?: Record<string, string> } | 'pending' | 'missing';

/** What the preview needs to know about one user: their verified methods and rules. */
export interface Reachability {
  contactMethods: ContactMethod[];
  rules: NotificationRule[];
}

/** One notification the preview predicts. */
export interface PreviewPage {
  /** Minutes after the alert fires. */
  atMinutes: number;
  step: number;
  levelIndex: number;
  round: number;
  userId: string;
  userName: string;
  channel: Channel;
  methodName: string;
  address: string;
}

/** One level firing (or being skipped) in the preview. */
export interface PreviewStep {
  atMinutes: number;
  step: number;
  levelIndex: number;
  round: number;
  /** The people paged at this step, with their notifications. */
  pages: PreviewPage[];
  /** Why some targets gave nobody to page. */
  notes: string[];
  /** True when nobody at this level could be paged: the engine moves to the next level at once. */
  skipped: boolean;
}

/** The whole prediction: the steps, and when escalation gives up if nobody acknowledges. */
export interface Preview {
  steps: PreviewStep[];
  endsAtMinutes: number;
  /** True when no step pages anybody: an alert now would reach no one. */
  nobody: boolean;
}

/**
 * How the engine would reach a user, as apps/server/src/escalation/targets.ts notificationPlan does:
 * their rules on verified, enabled methods, by delay; without any such rule, every verified enabled
 * method except webhooks, at once.
 */
export function notificationPlan(r: Reachability | undefined): { method: ContactMethod; delayMinutes: number }[] {
  if (!r) return [];
  const usable = new Map(r.contactMethods.filter((m) => m.verified && !m.disabled).map((m) => [m.id, m]));
  const fromRules = r.rules
    .flatMap((x) => {
      const method = usable.get(x.contactMethodId);
      return method ? [{ method, delayMinutes: x.delayMinutes }] : [];
    })
    .sort((a, b) => a.delayMinutes - b.delayMinutes);
  if (fromRules.length) return fromRules;
  return [...usable.values()].filter((m) => m.type !== 'webhook').map((method) => ({ method, delayMinutes: 0 }));
}

/**
 * "If an alert fired now, who would be paged when, on which channel": the escalation engine's
 * steps (apps/server/src/engine/modules/escalation.ts) run over a draft policy on the client.
 */
export function previewPolicy(
  policy: { repeat: number; initialDelayMinutes?: number; levels: Level[] },
  users: User[],
  teams: Team[],
  reach: Record<string, Reachability | undefined>,
  schedules?: ScheduleResolver,
  base?: number,
): Preview {
  const byId = new Map(users.map((u) => [u.id, u]));
  const teamById = new Map(teams.map((t) => [t.id, t]));
  const steps: PreviewStep[] = [];
  const n = policy.levels.length;
  const total = n * (Math.max(0, policy.repeat) + 1);
  let t = policy.initialDelayMinutes ?? 0;
  for (let step = 0; step < total; step++) {
    const levelIndex = step % n;
    const round = Math.floor(step / n);
    const level = must(policy.levels[levelIndex], `level ${levelIndex + 1}`);
    const notes: string[] = [];
    // A level's condition: the time of day and weekday are known for an alert firing at `base`; the
    // alert's severity, urgency and labels are not, so they are named as notes.
    const c = level.condition;
    if (c) {
      const timeSkip = base !== undefined ? timeConditionFails(c, base + t * 60_000) : null;
      if (timeSkip) {
        steps.push({ atMinutes: t, step, levelIndex, round, pages: [], notes: [`condition does not hold: ${timeSkip}`], skipped: true });
        continue;
      }
      if (c.severity) notes.push(`only for ${c.severity.join(' or ')} alerts`);
      if (c.urgency) notes.push(`only for ${c.urgency}-urgency incidents`);
      if (c.label) notes.push(`only when label ${c.label.key} ${c.label.equals !== undefined ? `= ${c.label.equals}` : `in [${(c.label.in ?? []).join(', ')}]`}`);
    }
    const ids: string[] = [];
    const add = (id: string) => {
      if (!ids.includes(id)) ids.push(id);
    };
    for (const target of level.targets) {
      if (!target.id) continue;
      if (target.type === 'user') {
        if (byId.has(target.id)) add(target.id);
        else notes.push(`user ${target.id} no longer exists`);
      } else if (target.type === 'team') {
        const team = teamById.get(target.id);
        if (!team) notes.push(`team ${target.id} no longer exists`);
        else if (!team.members.length) notes.push(`team ${team.name} has no members`);
        else team.members.forEach((m) => add(m.userId));
      } else if (target.type === 'team_managers' || target.type === 'team_random') {
        const team = teamById.get(target.id);
        const managers = target.type === 'team_managers';
        const who = team ? team.members.filter((m) => !managers || m.role === 'manager') : [];
        if (!team) notes.push(`team ${target.id} no longer exists`);
        else if (!who[0]) notes.push(`team ${team.name} has no ${managers ? 'managers' : 'members'}`);
        else if (managers) who.forEach((m) => add(m.userId));
        else {
          // One member at random when the level fires: the preview shows the first and says so.
          add(who[0].userId);
          notes.push(`one member of team ${team.name} at random`);
        }
      } else if (target.type === 'schedule_previous') {
        notes.push(`the previous on-call of schedule ${target.id} (not shown in the preview)`);
      } else {
        const r = schedules ? schedules(target, t) : 'missing';
        if (r === 'missing') notes.push(`schedule ${target.id} no longer exists`);
        else if (r === 'pending') notes.push('reading the schedule…');
        else if (!r.userIds.length) notes.push(target.type === 'schedule' ? `schedule ${r.name} has nobody on call (gap)` : `schedule ${r.name} has nobody on call next`);
        else {
          r.userIds.forEach(add);
          for (const [id, n] of Object.entries(r.userNames ?? {})) if (!byId.has(id)) byId.set(id, { id, name: n, email: '', timeZone: 'UTC', role: 'responder', createdAt: 0 });
        }
      }
    }
    const pages: PreviewPage[] = [];
    for (const id of ids) {
      const u = byId.get(id);
      const name = u?.name ?? id;
      const plan = notificationPlan(reach[id]);
      if (!plan.length) {
        notes.push(`${name} has no verified contact method`);
        continue;
      }
      for (const p of plan) {
        pages.push({ atMinutes: t + p.delayMinutes, step, levelIndex, round, userId: id, userName: name, channel: p.method.type, methodName: p.method.name, address: p.method.address });
      }
    }
    const skipped = pages.length === 0;
    steps.push({ atMinutes: t, step, levelIndex, round, pages, notes, skipped });
    if (!skipped) t += level.delayMinutes;
  }
  return { steps, endsAtMinutes: t, nobody: steps.every((s) => s.skipped) };
}

const WEEKDAY = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** Why a condition's time of day or weekday (read in its zone at `at`) does not hold, or null when it holds (as the server's escalation/condition.ts). */
export function timeConditionFails(c: LevelCondition, at: number): string | null {
  if (!c.timeZone || (!c.days && !c.between)) return null;
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat('en-US', { timeZone: c.timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  } catch {
    return null; // an unknown zone: the server refuses it on save
  }
  const get = (k: string) => parts.find((p) => p.type === k)?.value ?? '';
  const day = get('weekday').toLowerCase().slice(0, 3);
  const m = Number(get('hour')) * 60 + Number(get('minute'));
  const hhmm = `${get('hour')}:${get('minute')}`;
  if (!WEEKDAY.includes(day)) return null;
  if (c.days && !c.days.includes(day as never)) return `it is ${day} ${hhmm} in ${c.timeZone}, not one of ${c.days.join(', ')}`;
  if (c.between) {
    const toMin = (x: string) => (/^\d\d:\d\d$/.test(x) ? Number(x.slice(0, 2)) * 60 + Number(x.slice(3)) : NaN);
    const st = toMin(c.between.start);
    const en = toMin(c.between.end);
    if (Number.isNaN(st) || Number.isNaN(en) || st === en) return null;
    const inside = st < en ? m >= st && m < en : m >= st || m < en;
    if (!inside) return `it is ${hhmm} in ${c.timeZone}, outside ${c.between.start}-${c.between.end}`;
  }
  return null;
}

/** A channel's name for people. */
export const CHANNEL_LABEL: Record<Channel, string> = {
  email: 'Email',
  sms: 'SMS',
  voice: 'Voice call',
  slack: 'Slack',
  webhook: 'Webhook',
  push: 'Push',
  mattermost: 'Mattermost',
  discord: 'Discord',
  matrix: 'Matrix',
  ntfy: 'ntfy',
  pushover: 'Pushover',
  telegram: 'Telegram',
  whatsapp: 'WhatsApp',
  googlechat: 'Google Chat',
  teams: 'Microsoft Teams',
};

/** Who a final schedule has on call at `at`. */
export function onCallIn(f: Pick<FinalSchedule, 'shifts'>, at: number): string[] {
  return f.shifts.find((s) => s.start <= at && at < s.end)?.userIds ?? [];
}

/** The schedule's next on-call after `at`: the first later set of people that differs from those on call then (in a gap, whoever comes on next). */
export function nextOnCallIn(f: Pick<FinalSchedule, 'shifts'>, at: number): string[] {
  const key = (ids: string[]) => [...ids].sort().join(',');
  const now = key(onCallIn(f, at));
  return f.shifts.find((s) => s.start > at && key(s.userIds) !== now)?.userIds ?? [];
}
