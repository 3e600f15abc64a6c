/*
 * Grafana OnCall's own schedule semantics, written for the test tree from its documentation and its
 * engine (apps/schedules/models/custom_on_call_shift.py: convert_to_ical, get_rotation_date,
 * _daily_by_day_to_ical; on_call_schedule.py: _resolve_schedule). It shares no code with Klaxon's
 * schedule computation or with the importer: the fake's final_shifts answers come from here.
 *
 * - A shift's `start` is a wall-clock time in its zone (shift time_zone, else the schedule's, else
 *   UTC); an occurrence lasts `duration` seconds of wall-clock time.
 * - Occurrences follow the recurrence rule FREQ=frequency;INTERVAL=interval;BYDAY=by_day;WKST=week_start
 *   from `start`, and start no later than `until` (an instant, UTC).
 * - Monthly recurrences fall on the start's day of the month; a month without that day has none.
 * - rolling_users: the rotation begins with rolling_users[start_rotation_from_user_index]; each
 *   "rotation" goes to the next group: one occurrence (hourly, daily, daily masked by weekday: each
 *   masked day, `interval` masked days in a row per group), or for weekly: the occurrences of one week (weeks begin on week_start). When a
 *   masked rotation's start is not a masked day, it moves forward to the first masked day (in week
 *   order from week_start). Rotations ending by rotation_start are not on call (the count of groups
 *   still moves on: rotation j always belongs to group j mod n).
 * - recurrent_event: every occurrence puts all its users on call. single_event and override: one
 *   occurrence; an override (and a shift without frequency) uses its first group only.
 * - Final schedule: where overrides have anyone, exactly the override users (all overlapping
 *   overrides together); elsewhere the highest level (priority) with anyone on call, and everyone of
 *   that level together.
 */
import { DateTime } from 'luxon';
import { must } from '../../../src/lib/must.js';

export interface SemShift {
  id: string;
  type: 'single_event' | 'recurrent_event' | 'rolling_users' | 'override';
  time_zone: string | null;
  level?: number;
  start: string;
  rotation_start?: string;
  duration: number;
  frequency?: 'hourly' | 'daily' | 'weekly' | 'monthly' | null;
  interval?: number | null;
  until?: string | null;
  week_start?: string;
  by_day?: string[] | null;
  users?: string[];
  rolling_users?: string[][] | null;
  start_rotation_from_user_index?: number | null;
}

export interface SemEvent {
  start: number;
  end: number;
  users: string[];
  priority: number;
  override: boolean;
}

const DAY_CODES = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];

/** Wall-clock (floating) date-time -> instant in `zone`. */
function at(w: DateTime, zone: string): number {
  return DateTime.fromObject({ year: w.year, month: w.month, day: w.day, hour: w.hour, minute: w.minute, second: w.second }, { zone }).toMillis();
}

/** The events of one shift that start before `to` (wall-clock generation, bounded). */
export function shiftEvents(shift: SemShift, scheduleZone: string | null, to: number): SemEvent[] {
  const zone = shift.time_zone || scheduleZone || 'UTC';
  const s0 = DateTime.fromISO(shift.start, { zone: 'utc' });
  const D = shift.duration;
  const priority = shift.type === 'override' ? 0 : (shift.level ?? 0);
  const override = shift.type === 'override';
  const groupsRaw = shift.type === 'rolling_users' || (shift.type === 'override' && shift.rolling_users?.length) ? (shift.rolling_users ?? []) : [shift.users ?? []];
  const k0 = shift.type === 'rolling_users' ? (shift.start_rotation_from_user_index ?? 0) : 0;
  const groups = groupsRaw.length ? [...groupsRaw.slice(k0 % groupsRaw.length), ...groupsRaw.slice(0, k0 % groupsRaw.length)] : [];
  const ev = (w: DateTime, users: string[]): SemEvent => ({ start: at(w, zone), end: at(w.plus({ seconds: D }), zone), users, priority, override });

  if (shift.type === 'single_event' || shift.type === 'override' || !shift.frequency) return groups[0]?.length ? [ev(s0, groups[0])] : [];

  const I = shift.interval ?? 1;
  const until = shift.until ? Date.parse(`${shift.until}Z`) : Infinity;
  const byDay = shift.by_day?.length ? new Set(shift.by_day.map((d) => DAY_CODES.indexOf(d))) : null;
  const wkst = DAY_CODES.indexOf(shift.week_start ?? 'SU');
  const dow = (w: DateTime) => w.weekday - 1;

  // Base occurrences of the rule (wall-clock), each with the rotation it belongs to.
  let start = s0;
  if (shift.type === 'rolling_users' && byDay && !byDay.has(dow(start))) {
    const first = must(
      Array.from({ length: 7 }, (_, i) => (wkst + i) % 7).find((d) => byDay.has(d)),
      'a day of the week in byDay',
    );
    start = start.plus({ days: (first - dow(start) + 7) % 7 });
  }
  const occurrences: { w: DateTime; rotation: number }[] = [];
  const weekOf = (w: DateTime) =>
    Math.floor(
      w
        .startOf('day')
        .minus({ days: (dow(w) - wkst + 7) % 7 })
        .diff(start.startOf('day').minus({ days: (dow(start) - wkst + 7) % 7 }), 'days').days /
        7 +
        1e-9,
    );
  const limit = to + 8 * 86_400_000;
  if (shift.frequency === 'weekly') {
    // Every I-th week from the week of start, on the masked days (or start's weekday), at start's time.
    for (let d = start, n = 0; n < 100_000; d = d.plus({ days: 1 }), n++) {
      const t = at(d, zone);
      if (t > until || t > limit) break;
      const wk = weekOf(d);
      if (wk % I !== 0) continue;
      if (byDay ? !byDay.has(dow(d)) : dow(d) !== dow(start)) continue;
      occurrences.push({ w: d, rotation: wk / I });
    }
  } else if (shift.frequency === 'daily' && byDay && shift.type === 'rolling_users') {
    // Masked daily rotation: every masked day is an occurrence, and each group takes `interval` of them in a row.
    let r = 0;
    for (let d = start, n = 0; n < 100_000; d = d.plus({ days: 1 }), n++) {
      const t = at(d, zone);
      if (t > until || t > limit) break;
      if (!byDay.has(dow(d))) continue;
      occurrences.push({ w: d, rotation: Math.floor(r++ / I) });
    }
  } else if (shift.frequency === 'daily') {
    let r = 0;
    for (let d = start, n = 0; n < 100_000; d = d.plus({ days: I }), n++) {
      const t = at(d, zone);
      if (t > until || t > limit) break;
      if (byDay && !byDay.has(dow(d))) continue;
      occurrences.push({ w: d, rotation: r++ });
    }
  } else if (shift.frequency === 'hourly') {
    for (let d = start, n = 0; n < 200_000; d = d.plus({ hours: I }), n++) {
      const t = at(d, zone);
      if (t > until || t > limit) break;
      occurrences.push({ w: d, rotation: n });
    }
  } else if (shift.frequency === 'monthly') {
    // Every I-th month on the start's day of the month (RFC 5545: a month without that day has none); each occurrence a rotation.
    for (let m = 0, r = 0; m < 2000; m += I) {
      const d = start.plus({ months: m });
      if (d.day !== start.day) continue;
      const t = at(d, zone);
      if (t > until || t > limit) break;
      occurrences.push({ w: d, rotation: r++ });
    }
  } else return [];

  if (shift.type === 'recurrent_event') return groups[0]?.length ? occurrences.map((o) => ev(o.w, must(groups[0], 'groups[0]'))) : [];
  // rolling_users
  const rs = shift.rotation_start ? DateTime.fromISO(shift.rotation_start, { zone: 'utc' }) : s0;
  const rsAt = at(rs, zone);
  // A rotation is on call when it has an occurrence ending after rotation_start (shifts made in the web UI).
  const live = new Set<number>();
  for (const o of occurrences) if (at(o.w.plus({ seconds: D }), zone) > rsAt) live.add(o.rotation);
  const n = groups.length;
  return occurrences.flatMap((o) => {
    const group = groups[o.rotation % n];
    return live.has(o.rotation) && group?.length ? [ev(o.w, group)] : [];
  });
}

/** Grafana's final schedule over [from, to): one row per person per span, like final_shifts. */
export function resolveFinal(events: readonly SemEvent[], from: number, to: number): { start: number; end: number; user: string }[] {
  const cuts = new Set<number>([from, to]);
  for (const e of events) {
    if (e.start > from && e.start < to) cuts.add(e.start);
    if (e.end > from && e.end < to) cuts.add(e.end);
  }
  const points = [...cuts].sort((a, b) => a - b);
  const rows: { start: number; end: number; user: string }[] = [];
  const open = new Map<string, { start: number; end: number; user: string }>();
  for (let i = 0; i + 1 < points.length; i++) {
    const a = must(points[i], 'points[i]');
    const b = must(points[i + 1], 'points[i + 1]');
    const covering = events.filter((e) => e.start <= a && a < e.end && e.users.length);
    const overrides = covering.filter((e) => e.override);
    let who: string[] = [];
    if (overrides.length) who = overrides.flatMap((e) => e.users);
    else if (covering.length) {
      const top = Math.max(...covering.map((e) => e.priority));
      who = covering.filter((e) => e.priority === top).flatMap((e) => e.users);
    }
    const set = new Set(who);
    for (const u of [...open.keys()]) if (!set.has(u)) open.delete(u);
    for (const u of set) {
      const r = open.get(u);
      if (r && r.end === a) r.end = b;
      else {
        const row = { start: a, end: b, user: u };
        rows.push(row);
        open.set(u, row);
      }
    }
  }
  return rows;
}

/** Who Grafana has on call at one instant (user ids, sorted). */
export function onCallAt(shifts: readonly SemShift[], scheduleZone: string | null, t: number): string[] {
  const events = shifts.flatMap((s) => shiftEvents(s, scheduleZone, t + 1));
  return [...new Set(resolveFinal(events, t, t + 1).map((r) => r.user))].sort();
}
