/**
 * Who an Opsgenie schedule has on call, evaluated from Opsgenie's documented semantics (Schedule,
 * Schedule Rotation, Schedule Override and Who is On Call APIs; the Opsgenie help pages on rotations
 * and time restrictions), written here independently of Klaxon's schedule code:
 *
 * - A rotation covers [startDate, endDate). Its turns last `length` hours (hourly: absolute hours),
 *   days (daily) or weeks (weekly); day and week turns hand off at the wall-clock time of startDate in
 *   the schedule's time zone (luxon's calendar arithmetic, which keeps the local time across DST).
 *   Turn k belongs to participants[k mod n]; "none" is a turn with nobody on call.
 * - A time restriction limits when the rotation puts anyone on call, without moving its hand-offs:
 *   time-of-day: every day from start to end (end before start: past midnight); weekday-and-time-of-
 *   day: each window from startDay start to endDay end (wrapping past Sunday when it ends earlier in
 *   the week). Times are wall-clock in the schedule's zone.
 * - All rotations of a schedule count at once: everyone on call in any rotation is on call (there is
 *   no precedence between rotations).
 * - An override puts its user on call instead of the rotations it names (all rotations when none),
 *   for its whole span.
 *
 * Participants are kept as recipients ({type, id, name}); the fake's API expands them (flat=true).
 */
import { DateTime } from 'luxon';
import { must } from '../../../src/lib/must.js';

export interface Participant {
  type: 'user' | 'team' | 'escalation' | 'none';
  id?: string;
  username?: string;
  name?: string;
}
export type TimeRestriction =
  | { type: 'time-of-day'; restriction: { startHour: number; startMin: number; endHour: number; endMin: number } }
  | { type: 'weekday-and-time-of-day'; restrictions: { startDay: string; startHour: number; startMin: number; endDay: string; endHour: number; endMin: number }[] };
export interface Rotation {
  id: string;
  name: string;
  startDate: string;
  endDate?: string;
  type: 'hourly' | 'daily' | 'weekly';
  length: number;
  participants: Participant[];
  timeRestriction?: TimeRestriction;
}
export interface Override {
  alias: string;
  user: { type: 'user'; id: string; username: string };
  startDate: string;
  endDate: string;
  rotations?: { id: string; name?: string }[];
}
export interface Schedule {
  id: string;
  name: string;
  timezone: string;
  rotations: Rotation[];
}

const HOUR = 3_600_000;
const DAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

/** The instant turn k of a rotation begins. */
export function turnStart(r: Rotation, zone: string, k: number): number {
  const start = Date.parse(r.startDate);
  if (r.type === 'hourly') return start + k * r.length * HOUR;
  const days = k * r.length * (r.type === 'weekly' ? 7 : 1);
  return DateTime.fromMillis(start, { zone }).plus({ days }).toMillis();
}

/** The turn containing t (t at or after the rotation start). */
export function turnAt(r: Rotation, zone: string, t: number): number {
  const start = Date.parse(r.startDate);
  const approx = r.length * (r.type === 'hourly' ? HOUR : r.type === 'daily' ? 24 * HOUR : 168 * HOUR);
  let k = Math.max(0, Math.floor((t - start) / approx));
  while (k > 0 && turnStart(r, zone, k) > t) k--;
  while (turnStart(r, zone, k + 1) <= t) k++;
  return k;
}

/** Whether the restriction allows instant t (wall-clock in zone). */
export function allowed(tr: TimeRestriction | undefined, zone: string, t: number): boolean {
  if (!tr) return true;
  const local = DateTime.fromMillis(t, { zone });
  const minute = local.hour * 60 + local.minute;
  if (tr.type === 'time-of-day') {
    const s = tr.restriction.startHour * 60 + tr.restriction.startMin;
    const e = tr.restriction.endHour * 60 + tr.restriction.endMin;
    if (s === e) return true;
    return s < e ? minute >= s && minute < e : minute >= s || minute < e;
  }
  const w = (local.weekday - 1) * 1440 + minute;
  for (const x of tr.restrictions) {
    const s = DAYS.indexOf(x.startDay) * 1440 + x.startHour * 60 + x.startMin;
    const e = DAYS.indexOf(x.endDay) * 1440 + x.endHour * 60 + x.endMin;
    if (s === e) return true;
    if (s < e ? w >= s && w < e : w >= s || w < e) return true;
  }
  return false;
}

/** Who one rotation puts on call at t, before overrides (undefined: nobody). */
export function rotationAt(r: Rotation, zone: string, t: number): Participant | undefined {
  const start = Date.parse(r.startDate);
  if (t < start || (r.endDate && t >= Date.parse(r.endDate))) return undefined;
  if (!allowed(r.timeRestriction, zone, t)) return undefined;
  const p = r.participants[turnAt(r, zone, t) % r.participants.length];
  return p && p.type !== 'none' ? p : undefined;
}

/** Each rotation's recipient at t after overrides, by rotation id (absent: nobody). */
export function scheduleAt(s: Schedule, overrides: readonly Override[], t: number): Map<string, { recipient: Participant; override?: string }> {
  const out = new Map<string, { recipient: Participant; override?: string }>();
  for (const r of s.rotations) {
    const p = rotationAt(r, s.timezone, t);
    if (p) out.set(r.id, { recipient: p });
  }
  for (const o of overrides) {
    if (t < Date.parse(o.startDate) || t >= Date.parse(o.endDate)) continue;
    const ids = o.rotations?.length ? o.rotations.map((r) => r.id) : s.rotations.map((r) => r.id);
    for (const id of ids) out.set(id, { recipient: { type: 'user', id: o.user.id, username: o.user.username }, override: o.alias });
  }
  return out;
}

/** Every instant in [from, to) where something may change: rotation starts/ends, hand-offs, restriction edges, override edges. */
export function boundaries(s: Schedule, overrides: readonly Override[], from: number, to: number): number[] {
  const cuts = new Set<number>([from, to]);
  const add = (t: number) => {
    if (t > from && t < to) cuts.add(t);
  };
  for (const r of s.rotations) {
    const start = Date.parse(r.startDate);
    add(start);
    if (r.endDate) add(Date.parse(r.endDate));
    for (let k = turnAt(r, s.timezone, Math.max(from, start)); ; k++) {
      const t = turnStart(r, s.timezone, k);
      if (t >= to) break;
      add(t);
    }
    const tr = r.timeRestriction;
    if (!tr) continue;
    // Restriction edges: every local day (and week) around the span, at each window's start and end.
    const first = DateTime.fromMillis(from, { zone: s.timezone }).startOf('day').minus({ days: 8 });
    for (let d = first; d.toMillis() < to + 8 * 24 * HOUR; d = d.plus({ days: 1 })) {
      const at = (h: number, m: number) => add(DateTime.fromObject({ year: d.year, month: d.month, day: d.day, hour: h, minute: m }, { zone: s.timezone }).toMillis());
      if (tr.type === 'time-of-day') {
        at(tr.restriction.startHour, tr.restriction.startMin);
        at(tr.restriction.endHour, tr.restriction.endMin);
      } else {
        for (const x of tr.restrictions) {
          if (DAYS.indexOf(x.startDay) === d.weekday - 1) at(x.startHour, x.startMin);
          if (DAYS.indexOf(x.endDay) === d.weekday - 1) at(x.endHour, x.endMin);
        }
      }
    }
  }
  for (const o of overrides) {
    add(Date.parse(o.startDate));
    add(Date.parse(o.endDate));
  }
  return [...cuts].sort((a, b) => a - b);
}

/** The final timeline over [from, to): per rotation, periods with one recipient each (merged when the same). */
export function timeline(
  s: Schedule,
  overrides: readonly Override[],
  from: number,
  to: number,
): { id: string; name: string; order: number; periods: { startDate: number; endDate: number; type: string; recipient: Participant }[] }[] {
  const cuts = boundaries(s, overrides, from, to);
  const rots = s.rotations.map((r, i) => ({ id: r.id, name: r.name, order: i + 1, periods: [] as { startDate: number; endDate: number; type: string; recipient: Participant }[] }));
  for (let i = 0; i + 1 < cuts.length; i++) {
    const a = must(cuts[i], 'cuts[i]');
    const b = must(cuts[i + 1], 'cuts[i + 1]');
    const now = scheduleAt(s, overrides, a);
    for (const rot of rots) {
      const x = now.get(rot.id);
      if (!x) continue;
      const type = x.override ? 'override' : 'default';
      const last = rot.periods[rot.periods.length - 1];
      if (last && last.endDate === a && last.type === type && JSON.stringify(last.recipient) === JSON.stringify(x.recipient)) last.endDate = b;
      else rot.periods.push({ startDate: a, endDate: b, type, recipient: x.recipient });
    }
  }
  return rots;
}
