import { lookup } from '../types.js';
/*
 * Pure mappings from PagerDuty REST API v2 objects to klaxon.yaml pieces (docs/migrate.md, PagerDuty).
 * Every inexact mapping returns a reason; callers turn it into a report item. Nothing here reads the
 * network, so each mapper has property-based tests.
 */
import { DateTime, IANAZone } from 'luxon';
import type { ScheduleLayerSpec, ServiceSpec } from '../../config/schema.js';
import { WEEKDAYS } from '../../schedule/compute/types.js';
import { must } from '../../lib/must.js';

/** A restriction as klaxon.yaml writes it. */
export type Restriction = NonNullable<ScheduleLayerSpec['restrictions']>[number];

export interface PdRestriction {
  type: string;
  start_time_of_day: string;
  duration_seconds: number;
  start_day_of_week?: number | null;
}

export interface PdLayer {
  id: string;
  name?: string;
  start: string;
  end?: string | null;
  rotation_virtual_start: string;
  rotation_turn_length_seconds: number;
  users: { user: { id: string } }[];
  restrictions?: PdRestriction[];
}

const DAY_S = 86_400;
const WEEK_S = 7 * DAY_S;

/** A few ActiveSupport zone names PagerDuty may answer with, as IANA names; IANA names pass through. */
const ACTIVE_SUPPORT: Record<string, string> = {
  UTC: 'UTC',
  London: 'Europe/London',
  Berlin: 'Europe/Berlin',
  Paris: 'Europe/Paris',
  Amsterdam: 'Europe/Amsterdam',
  Madrid: 'Europe/Madrid',
  Dublin: 'Europe/Dublin',
  'Eastern Time (US & Canada)': 'America/New_York',
  'Central Time (US & Canada)': 'America/Chicago',
  'Mountain Time (US & Canada)': 'America/Denver',
  'Pacific Time (US & Canada)': 'America/Los_Angeles',
  Arizona: 'America/Phoenix',
  Lima: 'America/Lima',
  Brasilia: 'America/Sao_Paulo',
  Tokyo: 'Asia/Tokyo',
  Singapore: 'Asia/Singapore',
  'New Delhi': 'Asia/Kolkata',
  Kolkata: 'Asia/Kolkata',
  Sydney: 'Australia/Sydney',
  Brisbane: 'Australia/Brisbane',
  Auckland: 'Pacific/Auckland',
};

/** The IANA zone for a PagerDuty time_zone, or undefined when unknown. */
export function ianaZone(tz: string | null | undefined): string | undefined {
  if (!tz) return undefined;
  if (IANAZone.isValidZone(tz)) return tz;
  return lookup(ACTIVE_SUPPORT, tz);
}

/** Parses a PagerDuty date-time (ISO 8601 with offset) to epoch ms, or NaN. */
export function instant(s: string | null | undefined): number {
  return s ? Date.parse(s) : NaN;
}

/** An instant as an ISO date-time in UTC without milliseconds when whole (exact, unambiguous in any zone). */
export function isoUtc(t: number): string {
  return new Date(t).toISOString().replace('.000Z', 'Z');
}

function hhmm(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

function secondsOfDay(hms: string): number | undefined {
  const m = /^(\d{2}):(\d{2})(?::(\d{2}))?/.exec(hms ?? '');
  if (!m) return undefined;
  return Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3] ?? 0);
}

/** The turn of a layer: the largest unit that divides the length exactly (day and week turns keep their local hand-off time). */
export function turnOf(seconds: number): ScheduleLayerSpec['turn'] {
  if (seconds % WEEK_S === 0) return { unit: 'week', count: seconds / WEEK_S };
  if (seconds % DAY_S === 0) return { unit: 'day', count: seconds / DAY_S };
  if (seconds % 3600 === 0) return { unit: 'hour', count: seconds / 3600 };
  if (seconds % 60 === 0) return { unit: 'minute', count: seconds / 60 };
  return { unit: 'second', count: seconds };
}

/**
 * Restrictions in Klaxon's form. Windows are read at wall-clock time in the schedule zone; a window
 * lasting a whole day (daily) or week (weekly) or longer means the layer is not restricted at all.
 * Seconds cannot be written in Klaxon's HH:MM windows: such a window is cut to the minute (said).
 */
export function mapRestrictions(rs: readonly PdRestriction[]): { restrictions: Restriction[]; inexact: string[]; empty: boolean } {
  const out: Restriction[] = [];
  const inexact: string[] = [];
  let unrestricted = false;
  for (const r of rs) {
    const sod = secondsOfDay(r.start_time_of_day);
    if (sod === undefined || !(r.duration_seconds > 0)) {
      inexact.push(`restriction ${JSON.stringify(r)} is malformed and was left out`);
      continue;
    }
    if (sod % 60 || r.duration_seconds % 60)
      inexact.push(
        `restriction starting ${r.start_time_of_day} for ${r.duration_seconds} s has seconds; Klaxon windows are whole minutes, so it starts at ${hhmm(Math.floor(sod / 60))} for ${Math.floor(r.duration_seconds / 60)} min`,
      );
    const start = Math.floor(sod / 60);
    const dur = Math.floor(r.duration_seconds / 60);
    if (dur === 0) {
      inexact.push(`restriction starting ${r.start_time_of_day} lasts under a minute and was left out`);
      continue;
    }
    if (r.type === 'daily_restriction') {
      if (dur >= 1440) unrestricted = true;
      else out.push({ kind: 'daily', days: [...WEEKDAYS], start: hhmm(start), end: hhmm((start + dur) % 1440) });
    } else if (r.type === 'weekly_restriction') {
      const dow = r.start_day_of_week ?? 0;
      if (!(dow >= 1 && dow <= 7)) {
        inexact.push(`weekly restriction without a valid start_day_of_week (${String(r.start_day_of_week)}) was left out`);
        continue;
      }
      if (dur >= 7 * 1440) unrestricted = true;
      else {
        const begin = (dow - 1) * 1440 + start;
        const end = (begin + dur) % (7 * 1440);
        out.push({
          kind: 'weekly',
          startDay: must(WEEKDAYS[dow - 1], 'WEEKDAYS[dow - 1]'),
          startTime: hhmm(start),
          endDay: must(WEEKDAYS[Math.floor(end / 1440)], 'WEEKDAYS[Math.floor(end / 1440)]'),
          endTime: hhmm(end % 1440),
        });
      }
    } else inexact.push(`restriction type ${r.type} is unknown and was left out`);
  }
  // Restrictions that were there but none could be kept: the layer would cover all time instead of (almost) none.
  return { restrictions: unrestricted ? [] : out, inexact, empty: !unrestricted && rs.length > 0 && out.length === 0 };
}

/**
 * A PagerDuty layer as a Klaxon layer: participants in order (a user may appear more than once), the
 * turn, the rotation counted from rotation_virtual_start (moved back by whole cycles when it is after
 * the layer start, which names the same turns), start and end as exact instants.
 */
export function mapLayer(l: PdLayer, zone: string, emailOf: (id: string) => string | undefined): { layer?: ScheduleLayerSpec; inexact: string[]; problem?: string } {
  const inexact: string[] = [];
  const participants = l.users.map((u) => emailOf(u.user.id)).filter((e): e is string => Boolean(e));
  if (participants.length !== l.users.length) inexact.push(`${l.users.length - participants.length} of its users are not in the account's user list and were left out`);
  if (!participants.length) return { inexact, problem: 'the layer has no users' };
  const len = l.rotation_turn_length_seconds;
  if (!Number.isInteger(len) || len <= 0) return { inexact, problem: `rotation_turn_length_seconds ${String(len)} is not a positive whole number` };
  const start = instant(l.start);
  let virtual = instant(l.rotation_virtual_start);
  if (Number.isNaN(start) || Number.isNaN(virtual)) return { inexact, problem: 'start or rotation_virtual_start is not a date-time' };
  const turn = turnOf(len);
  const daily = turn.unit === 'day' || turn.unit === 'week';
  if (virtual > start) {
    // One cycle (every participant once) later or earlier names the same person: move back whole cycles.
    const cycle = participants.length * len;
    const k = Math.ceil((virtual - start) / (cycle * 1000));
    virtual = daily
      ? DateTime.fromMillis(virtual, { zone })
          .minus({ days: (k * cycle) / DAY_S })
          .toMillis()
      : virtual - k * cycle * 1000;
  }
  const local = DateTime.fromMillis(virtual, { zone });
  if (daily && (local.second || local.millisecond)) inexact.push(`the hand-off time ${local.toFormat('HH:mm:ss')} has seconds; Klaxon hands off at ${local.toFormat('HH:mm')}`);
  const end = l.end ? instant(l.end) : undefined;
  const { restrictions, inexact: rx, empty } = mapRestrictions(l.restrictions ?? []);
  inexact.push(...rx);
  if (empty) return { inexact, problem: `none of its restrictions could be read (${rx.join('; ')})` };
  const layer: ScheduleLayerSpec = {
    ...(l.name && { name: l.name.slice(0, 100) }),
    participants,
    turn,
    ...(daily && { handoffTime: local.toFormat('HH:mm') }),
    start: isoUtc(start),
    ...(virtual !== start && { rotationStart: isoUtc(virtual) }),
    ...(end !== undefined && !Number.isNaN(end) && { end: isoUtc(end) }),
    ...(restrictions.length && { restrictions }),
  };
  return { layer, inexact };
}

/** Klaxon's urgency rule and support hours for a PagerDuty service; reasons for what is inexact. */
export function mapUrgency(s: {
  incident_urgency_rule?: { type?: string; urgency?: string; during_support_hours?: { type?: string; urgency?: string }; outside_support_hours?: { type?: string; urgency?: string } } | null;
  support_hours?: { type?: string; time_zone?: string; days_of_week?: number[]; start_time?: string; end_time?: string } | null;
}): { urgencyRule: NonNullable<ServiceSpec['urgencyRule']>; supportHours: ServiceSpec['supportHours']; inexact: string[] } {
  const inexact: string[] = [];
  const r = s.incident_urgency_rule ?? { type: 'constant', urgency: 'high' };
  const constant = (u: string | undefined, where: string): 'high' | 'low' | 'severity' => {
    if (u === 'high' || u === 'low') return u;
    if (u === 'severity_based') return 'severity';
    inexact.push(`urgency ${String(u)} ${where} is unknown; high is used`);
    return 'high';
  };
  let supportHours: ServiceSpec['supportHours'] = null;
  const h = s.support_hours;
  if (h) {
    const zone = ianaZone(h.time_zone);
    const a = secondsOfDay(h.start_time ?? '');
    const b = secondsOfDay(h.end_time ?? '');
    const days = (h.days_of_week ?? []).filter((d) => d >= 1 && d <= 7).map((d) => must(WEEKDAYS[d - 1], 'WEEKDAYS[d - 1]'));
    if (!zone || a === undefined || b === undefined || !days.length) inexact.push(`support hours ${JSON.stringify(h)} cannot be read; none are set`);
    else {
      if (a % 60 || b % 60) inexact.push(`support hours ${h.start_time}-${h.end_time} have seconds; Klaxon uses whole minutes`);
      const start = hhmm(Math.floor(a / 60));
      const end = b === 0 ? '24:00' : hhmm(Math.floor(b / 60));
      if (end !== '24:00' && end <= start) inexact.push(`support hours ${h.start_time}-${h.end_time} end before they start; none are set`);
      else supportHours = { timeZone: zone, days: [...new Set(days)], start, end };
    }
  }
  if (r.type === 'use_support_hours') {
    const during = constant(r.during_support_hours?.urgency, 'during support hours');
    const outside = constant(r.outside_support_hours?.urgency, 'outside support hours');
    if (!supportHours) {
      inexact.push('the urgency rule uses support hours the service does not have; urgency is by severity');
      return { urgencyRule: { type: 'severity' }, supportHours, inexact };
    }
    if (during === 'severity' || outside === 'severity') {
      inexact.push('a severity-based urgency on one side of support hours has no Klaxon equivalent; high is used on that side');
    }
    return { urgencyRule: { type: 'support-hours', during: during === 'severity' ? 'high' : during, outside: outside === 'severity' ? 'high' : outside }, supportHours, inexact };
  }
  const u = constant(r.urgency, 'of the constant rule');
  return { urgencyRule: u === 'severity' ? { type: 'severity' } : { type: 'constant', urgency: u }, supportHours, inexact };
}

/** Notification rules merged as Klaxon keeps them: one per contact method and delay; high and low together become any. */
export function mergeRules(rules: readonly { contactMethod: string; delayMinutes: number; urgency: 'high' | 'low' }[]): { contactMethod: string; delayMinutes: number; urgency?: 'high' | 'low' }[] {
  const by = new Map<string, { contactMethod: string; delayMinutes: number; urgencies: Set<string> }>();
  for (const r of rules) {
    const k = `${r.contactMethod}\u0000${r.delayMinutes}`;
    const e = by.get(k) ?? { contactMethod: r.contactMethod, delayMinutes: r.delayMinutes, urgencies: new Set<string>() };
    e.urgencies.add(r.urgency);
    by.set(k, e);
  }
  return [...by.values()]
    .sort((a, b) => a.delayMinutes - b.delayMinutes || a.contactMethod.localeCompare(b.contactMethod))
    .map((e) => ({ contactMethod: e.contactMethod, delayMinutes: e.delayMinutes, ...(e.urgencies.size === 1 && { urgency: [...e.urgencies][0] as 'high' | 'low' }) }));
}

/** Names unique within a list: the second "Primary" becomes "Primary (PXXXXXX)". */
export function uniqueNames<T>(items: readonly T[], name: (x: T) => string, id: (x: T) => string, max: number): Map<string, string> {
  const seen = new Map<string, number>();
  for (const x of items) seen.set(name(x).trim().toLowerCase(), (seen.get(name(x).trim().toLowerCase()) ?? 0) + 1);
  const out = new Map<string, string>();
  for (const x of items) {
    const n = name(x).trim() || id(x);
    const dup = (seen.get(n.toLowerCase()) ?? 0) > 1;
    const suffix = dup ? ` (${id(x)})` : '';
    out.set(id(x), n.slice(0, max - suffix.length) + suffix);
  }
  return out;
}
