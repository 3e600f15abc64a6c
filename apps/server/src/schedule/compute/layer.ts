import type { Leave, LayerSpec, Shift, ShiftSource, TimeRange } from './types.js';
import { allowedIntervals, compileRestrictions, type WeekWindow } from './restrictions.js';
import { WEEKDAYS } from './types.js';
import { HOUR_MS, MINUTE_MS, atLocal, fromLocal, localDay, minuteOfDay, parseTime, toLocal, weekdayOfDay } from './zone.js';
import { must } from '../../lib/must.js';

/** A layer prepared for repeated evaluation: zone resolved, turn arithmetic and windows precomputed. */
export interface CompiledLayer {
  zone: string;
  start: number;
  /** Where turn 0 begins: rotationStart, else start. */
  anchor: number;
  end: number;
  /** Each participant's distinct user ids. */
  participants: string[][];
  /** Turn length in local days (day/week turns), or 0 for absolute turns. */
  days: number;
  /** Turn length in ms for absolute (hour/minute) turns. */
  lengthMs: number;
  /** Local day number of the anchor (day/week turns). */
  startDay: number;
  /** Hand-off minute of the day (day/week turns). */
  handoffMinute: number;
  /** Day turns counting only some weekdays: those weekdays (0 = Monday), sorted; null when every day counts. */
  counted: number[] | null;
  /** With `counted`: the index, among counted days, of the first counted day on or after the start's date. */
  countedBase: number;
  /** Only the first this-many minutes of each turn are on call; 0 = the whole turn. */
  onCallMinutes: number;
  /** Null when unrestricted. */
  windows: WeekWindow[] | null;
  source: ShiftSource;
}

/** Validates nothing; prepares a layer for turn arithmetic. Malformed layers throw. */
export function compileLayer(layer: LayerSpec, scheduleZone: string, layerIndex = 0): CompiledLayer {
  const zone = layer.timeZone ?? scheduleZone;
  const participants = layer.participants.map((p) => [...new Set(typeof p === 'string' ? [p] : p)]);
  if (participants.length === 0) throw new Error('A layer needs at least one participant');
  const { unit, count } = layer.turn;
  if (!(Number.isInteger(count) && count > 0)) throw new Error('A turn length must be a positive integer');
  const days = unit === 'day' ? count : unit === 'week' ? 7 * count : 0;
  const lengthMs = unit === 'hour' ? count * HOUR_MS : unit === 'minute' ? count * MINUTE_MS : unit === 'second' ? count * 1000 : 0;
  if (days === 0 && lengthMs === 0) throw new Error(`Unknown turn unit: ${String(unit)}`);
  const anchor = layer.rotationStart ?? layer.start;
  const startLocal = toLocal(zone, anchor);
  let handoffMinute = Math.floor(minuteOfDay(startLocal));
  if (layer.handoffTime !== undefined) {
    const m = parseTime(layer.handoffTime);
    if (m === null) throw new Error(`Not an HH:MM time: ${layer.handoffTime}`);
    handoffMinute = m;
  }
  const windows = layer.restrictions?.length ? compileRestrictions(layer.restrictions) : null;
  const counted = unit === 'day' && layer.turn.weekdays?.length ? [...new Set(layer.turn.weekdays.map((d) => WEEKDAYS.indexOf(d)))].sort((a, b) => a - b) : null;
  const source: ShiftSource = { kind: 'layer', layerIndex };
  if (layer.name !== undefined) source.layerName = layer.name;
  return {
    zone,
    start: layer.start,
    anchor,
    end: layer.end ?? Infinity,
    participants,
    days,
    lengthMs,
    startDay: localDay(startLocal),
    handoffMinute,
    counted,
    countedBase: counted ? countedBefore(counted, localDay(startLocal)) : 0,
    onCallMinutes: layer.turn.onCallMinutes ?? 0,
    windows,
    source,
  };
}

/** How many days of the `counted` weekdays fall before local day `day` (from a fixed Monday long ago; differences are what matter). */
function countedBefore(counted: readonly number[], day: number): number {
  const week = Math.floor((day + 3) / 7); // day -3 (1969-12-29) was a Monday
  const wd = weekdayOfDay(day);
  let n = week * counted.length;
  for (const d of counted) if (d < wd) n++;
  return n;
}

/** The local day number of the n-th counted day (the inverse of countedBefore on counted days). */
function nthCounted(counted: readonly number[], n: number): number {
  const m = counted.length;
  const week = Math.floor(n / m);
  return week * 7 - 3 + must(counted[n - week * m], 'counted[n - week * m]');
}

/** The instant turn `k` begins: the rotation anchor for k = 0, else the k-th hand-off. */
export function turnStart(c: CompiledLayer, k: number): number {
  if (k <= 0) return c.anchor;
  if (c.days === 0) return c.anchor + k * c.lengthMs;
  if (c.counted) return atLocal(c.zone, nthCounted(c.counted, c.countedBase + k * c.days), c.handoffMinute);
  return atLocal(c.zone, c.startDay + k * c.days, c.handoffMinute);
}

/** Where the on-call part of a turn that starts at `ts` ends (turn.onCallMinutes); Infinity when the whole turn is. */
function onCallEnd(c: CompiledLayer, ts: number): number {
  if (!c.onCallMinutes) return Infinity;
  if (c.days === 0) return ts + c.onCallMinutes * MINUTE_MS;
  return fromLocal(c.zone, toLocal(c.zone, ts) + c.onCallMinutes * MINUTE_MS);
}

/** The index of the turn containing `t` (t >= layer start), computed arithmetically. */
export function turnIndexAt(c: CompiledLayer, t: number): number {
  if (t < c.anchor) return 0;
  if (c.days === 0) return Math.floor((t - c.anchor) / c.lengthMs);
  const day = localDay(toLocal(c.zone, t));
  const elapsedDays = c.counted ? countedBefore(c.counted, day) - c.countedBase : day - c.startDay;
  let k = Math.max(0, Math.floor(elapsedDays / c.days));
  while (k > 0 && t < turnStart(c, k)) k--;
  while (t >= turnStart(c, k + 1)) k++;
  return k;
}

/** The participant index whose turn `k` is. */
export function ownerOf(c: CompiledLayer, k: number): number {
  return k % c.participants.length;
}

/** True when `a` and `b` hold the same ids in the same order. */
export function sameIds(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Who covers participant `owner`'s turn while `away` users are on leave: the owner's available
 * members, else the next participant in rotation order with anyone available; empty if nobody is.
 */
export function coverFor(participants: readonly string[][], owner: number, away: ReadonlySet<string>): string[] {
  const n = participants.length;
  // An empty slot is a turn nobody covers by design (Opsgenie's "none"): nobody stands in for it.
  if ((participants[owner] ?? []).length === 0) return [];
  for (let i = 0; i < n; i++) {
    const members = participants[(owner + i) % n] ?? [];
    const available = away.size ? members.filter((u) => !away.has(u)) : members;
    if (available.length) return available;
  }
  return [];
}

function pushShift(out: Shift[], start: number, end: number, userIds: string[], source: ShiftSource): void {
  if (end <= start || userIds.length === 0) return;
  const last = out[out.length - 1];
  if (last && last.end === start && sameIds(last.userIds, userIds)) {
    last.end = end;
    return;
  }
  out.push({ start, end, userIds: [...userIds], source });
}

/** The shifts of a compiled layer within `range` (clipped), after restrictions and leave. */
export function compiledLayerShifts(c: CompiledLayer, range: TimeRange, leave: readonly Leave[]): Shift[] {
  const from = Math.max(range.start, c.start);
  const to = Math.min(range.end, c.end);
  if (!(to > from)) return [];
  const allowed = c.windows ? allowedIntervals(c.windows, c.zone, { start: from, end: to }) : [{ start: from, end: to }];
  if (allowed.length === 0) return [];

  const users = new Set<string>();
  for (const p of c.participants) for (const u of p) users.add(u);
  const away = leave.filter((l) => users.has(l.userId) && l.end > from && l.start < to && l.end > l.start);

  const out: Shift[] = [];
  let w = 0;
  let k = turnIndexAt(c, must(allowed[0], 'allowed[0]').start);
  let ts = turnStart(c, k);
  while (w < allowed.length) {
    const te = turnStart(c, k + 1);
    const owner = ownerOf(c, k);
    const onEnd = Math.min(te, onCallEnd(c, ts));
    // Intersect turn [ts, te) (its on-call part) with the allowed windows.
    while (w < allowed.length) {
      const win = must(allowed[w], 'allowed[w]');
      if (win.start >= te) break;
      const s = Math.max(ts, win.start);
      const e = Math.min(onEnd, win.end);
      if (e > s) emit(c, owner, s, e, away, out);
      if (win.end <= te) w++;
      else break;
    }
    k++;
    ts = te;
    const next = allowed[w];
    // Jump over turns with no allowed time (long restricted stretches, long gaps between windows).
    if (next && next.start >= turnStart(c, k + 1)) {
      k = turnIndexAt(c, next.start);
      ts = turnStart(c, k);
    }
  }
  return out;
}

function emit(c: CompiledLayer, owner: number, s: number, e: number, away: readonly Leave[], out: Shift[]): void {
  const participants = c.participants;
  if (away.length === 0) {
    pushShift(out, s, e, participants[owner] ?? [], c.source);
    return;
  }
  const cuts = [s, e];
  for (const l of away) {
    if (l.start > s && l.start < e) cuts.push(l.start);
    if (l.end > s && l.end < e) cuts.push(l.end);
  }
  cuts.sort((a, b) => a - b);
  for (let i = 0; i + 1 < cuts.length; i++) {
    const a = must(cuts[i], 'cuts[i]');
    const b = must(cuts[i + 1], 'cuts[i + 1]');
    if (b <= a) continue;
    const gone = new Set<string>();
    for (const l of away) if (l.start <= a && l.end > a) gone.add(l.userId);
    pushShift(out, a, b, coverFor(participants, owner, gone), c.source);
  }
}

/**
 * The shifts of one layer within `range` (clipped), after restrictions and the leave rule. Shifts
 * are sorted, non-overlapping, and adjacent shifts with the same users are merged.
 */
export function layerShifts(layer: LayerSpec, scheduleZone: string, range: TimeRange, leave: readonly Leave[] = [], layerIndex = 0): Shift[] {
  return compiledLayerShifts(compileLayer(layer, scheduleZone, layerIndex), range, leave);
}
