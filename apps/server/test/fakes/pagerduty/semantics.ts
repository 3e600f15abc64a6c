/*
 * PagerDuty's schedule semantics, written from its documentation (REST API v2 reference: Schedule,
 * ScheduleLayer, Restriction, Override; support "Schedule Basics"), independently of Klaxon's schedule
 * code. The fake PagerDuty answers final_schedule, each layer's rendered entries and /oncalls from this.
 *
 * - A layer hands on-call around its `users` in order, one turn each, counted from
 *   `rotation_virtual_start` ("the effective start time of the layer; this can be before the start
 *   time"); turn k belongs to users[k mod n]. The layer covers nothing before `start` or from `end`.
 * - `rotation_turn_length_seconds`: a whole number of days hands off at the same wall-clock time in
 *   the schedule's time zone (PagerDuty's daily and weekly rotations have a "handoff time"); any other
 *   length is that many seconds of elapsed time.
 * - Restrictions ("a limit on which period of the day or week the schedule layer can accept
 *   assignments"; they "respect the time_zone"): a daily_restriction is a window every day from
 *   start_time_of_day lasting duration_seconds, a weekly_restriction one window a week from
 *   start_day_of_week (ISO, 1 = Monday) at start_time_of_day. Windows are read at wall-clock time in the
 *   schedule zone (the duration as wall-clock time). A restricted layer covers the parts of its turns
 *   inside a window; the rotation keeps its calendar.
 * - Precedence: "In a schedule with multiple layers, the lowest layer always takes precedence ... The
 *   last layer, then, essentially acts as an override for all layers that it overlaps." Layers here are
 *   in creation (PUT) order: Layer 1 first, and the last one wins. Only one user is on call at a time.
 * - Overrides put their user on call for [start, end), above every layer; a later override wins.
 */
import { DateTime } from 'luxon';
import { must } from '../../../src/lib/must.js';

export interface PdRestriction {
  type: 'daily_restriction' | 'weekly_restriction';
  start_time_of_day: string;
  duration_seconds: number;
  start_day_of_week?: number;
}

export interface PdLayer {
  id: string;
  name: string;
  start: number;
  end?: number;
  rotation_virtual_start: number;
  rotation_turn_length_seconds: number;
  /** User ids in rotation order (a user may appear more than once). */
  users: string[];
  restrictions: PdRestriction[];
}

export interface PdOverride {
  id: string;
  start: number;
  end: number;
  user: string;
}

export interface PdSchedule {
  id: string;
  name: string;
  time_zone: string;
  /** Precedence order: the last layer wins (PagerDuty's PUT order). */
  layers: PdLayer[];
  overrides: PdOverride[];
}

const DAY_S = 86_400;

function secondsOfDay(hms: string): number {
  const [h, m, s] = hms.split(':').map(Number);
  return (h ?? 0) * 3600 + (m ?? 0) * 60 + (s ?? 0);
}

/** The local date-time in `zone` at `sod` seconds after midnight of `day` (a DateTime at local midnight). */
function atLocal(day: DateTime, sod: number): DateTime {
  return day.set({ hour: Math.floor(sod / 3600), minute: Math.floor((sod % 3600) / 60), second: sod % 60, millisecond: 0 });
}

/** Start instant of turn k of a layer. */
export function turnStart(l: PdLayer, zone: string, k: number): number {
  const len = l.rotation_turn_length_seconds;
  if (len % DAY_S === 0) {
    const v = DateTime.fromMillis(l.rotation_virtual_start, { zone });
    return v.plus({ days: k * (len / DAY_S) }).toMillis();
  }
  return l.rotation_virtual_start + k * len * 1000;
}

/** The turn index containing t. */
export function turnAt(l: PdLayer, zone: string, t: number): number {
  const len = l.rotation_turn_length_seconds;
  let k = Math.floor((t - l.rotation_virtual_start) / (len * 1000));
  while (turnStart(l, zone, k) > t) k--;
  while (turnStart(l, zone, k + 1) <= t) k++;
  return k;
}

/** The restriction windows of a layer overlapping [from, to), as instants. */
export function restrictionWindows(l: PdLayer, zone: string, from: number, to: number): [number, number][] {
  const out: [number, number][] = [];
  let day = DateTime.fromMillis(from, { zone }).startOf('day').minus({ days: 8 });
  const last = DateTime.fromMillis(to, { zone }).startOf('day').plus({ days: 1 });
  while (day <= last) {
    for (const r of l.restrictions) {
      if (r.type === 'weekly_restriction' && day.weekday !== r.start_day_of_week) continue;
      // The end is read on the wall clock: start time of day plus the duration, in local days and seconds.
      const sod = secondsOfDay(r.start_time_of_day);
      const s = atLocal(day, sod);
      const endSod = sod + r.duration_seconds;
      const e = atLocal(day.plus({ days: Math.floor(endSod / DAY_S) }), endSod % DAY_S);
      const a = s.toMillis();
      const b = e.toMillis();
      if (b > from && a < to) out.push([a, b]);
    }
    day = day.plus({ days: 1 });
  }
  return out;
}

/** Who a layer has on call at t (a user id), or null. `windows`: its restriction windows around t, if already known. */
export function layerAt(l: PdLayer, zone: string, t: number, windows?: [number, number][]): string | null {
  if (t < l.start || (l.end !== undefined && t >= l.end)) return null;
  if (l.restrictions.length && !(windows ?? restrictionWindows(l, zone, t, t + 1)).some(([a, b]) => a <= t && t < b)) return null;
  const k = turnAt(l, zone, t);
  const n = l.users.length;
  return l.users[((k % n) + n) % n] ?? null;
}

/** Who the schedule has on call at t, by PagerDuty's precedence, or null. */
export function scheduleAt(s: PdSchedule, t: number, windows?: [number, number][][]): string | null {
  for (const o of [...s.overrides].reverse()) if (o.start <= t && t < o.end) return o.user;
  for (let i = s.layers.length - 1; i >= 0; i--) {
    const u = layerAt(must(s.layers[i], 's.layers[i]'), s.time_zone, t, windows?.[i]);
    if (u) return u;
  }
  return null;
}

/** Every instant in [from, to) where a layer's answer may change. */
function layerCuts(l: PdLayer, zone: string, from: number, to: number, windows: [number, number][]): number[] {
  const cuts = [l.start, ...(l.end !== undefined ? [l.end] : [])];
  let k = turnAt(l, zone, Math.max(from, l.start));
  for (let t = turnStart(l, zone, k); t < to; t = turnStart(l, zone, ++k)) cuts.push(t);
  for (const [a, b] of windows) cuts.push(a, b);
  return cuts;
}

export interface Entry {
  start: number;
  end: number;
  user: string;
}

/** Renders who `at(t)` names over [from, to) as entries, adjacent equal ones merged; nobody: no entry. */
function render(cuts: number[], from: number, to: number, at: (t: number) => string | null): Entry[] {
  const points = [...new Set([from, to, ...cuts.filter((c) => c > from && c < to)])].sort((a, b) => a - b);
  const out: Entry[] = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const user = at(must(points[i], 'points[i]'));
    if (!user) continue;
    const last = out[out.length - 1];
    if (last && last.end === points[i] && last.user === user) last.end = must(points[i + 1], 'points[i + 1]');
    else out.push({ start: must(points[i], 'points[i]'), end: must(points[i + 1], 'points[i + 1]'), user });
  }
  return out;
}

/** One layer's rendered entries over [from, to). */
export function renderLayer(l: PdLayer, zone: string, from: number, to: number): Entry[] {
  const windows = restrictionWindows(l, zone, from, to);
  return render(layerCuts(l, zone, from, to, windows), from, to, (t) => layerAt(l, zone, t, windows));
}

/** The final schedule's rendered entries over [from, to). */
export function renderFinal(s: PdSchedule, from: number, to: number): Entry[] {
  const windows = s.layers.map((l) => restrictionWindows(l, s.time_zone, from, to));
  const cuts = s.layers.flatMap((l, i) => layerCuts(l, s.time_zone, from, to, must(windows[i], 'windows[i]')));
  for (const o of s.overrides) cuts.push(o.start, o.end);
  return render(cuts, from, to, (t) => scheduleAt(s, t, windows));
}

/** The overrides subschedule's rendered entries over [from, to). */
export function renderOverrides(s: PdSchedule, from: number, to: number): Entry[] {
  const cuts = s.overrides.flatMap((o) => [o.start, o.end]);
  return render(cuts, from, to, (t) => {
    for (const o of [...s.overrides].reverse()) if (o.start <= t && t < o.end) return o.user;
    return null;
  });
}
