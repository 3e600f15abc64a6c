import type { Restriction, RestrictionPreset, TimeRange, Weekday } from './types.js';
import { WEEKDAYS } from './types.js';
import { DAY_MS, MINUTE_MS, WEEK_MINUTES, atLocal, localDay, parseTime, toLocal, weekdayOfDay } from './zone.js';

/** A window in minutes from Monday 00:00 local: 0 <= start < 10080, start < end <= start + 10080. */
export interface WeekWindow {
  start: number;
  end: number;
}

/** The restrictions each preset stands for. */
export const PRESETS: Record<RestrictionPreset, readonly Restriction[]> = {
  'business-hours': [{ kind: 'daily', days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '17:00' }],
  weekdays: [{ kind: 'weekly', startDay: 'mon', startTime: '00:00', endDay: 'sat', endTime: '00:00' }],
  nights: [{ kind: 'daily', days: WEEKDAYS, start: '17:00', end: '09:00' }],
  weekends: [{ kind: 'weekly', startDay: 'sat', startTime: '00:00', endDay: 'mon', endTime: '00:00' }],
};

function dayIndex(d: Weekday): number {
  const i = WEEKDAYS.indexOf(d);
  if (i < 0) throw new Error(`Unknown weekday: ${String(d)}`);
  return i;
}

function time(s: string, allow24: boolean): number {
  const m = parseTime(s, allow24);
  if (m === null) throw new Error(`Not an HH:MM time: ${s}`);
  return m;
}

function pushWindow(out: WeekWindow[], start: number, end: number): void {
  let s = start % WEEK_MINUTES;
  let e = end - (start - s);
  if (s < 0) {
    s += WEEK_MINUTES;
    e += WEEK_MINUTES;
  }
  if (e > s) out.push({ start: s, end: e });
}

/** The week windows of a list of restrictions (unvalidated input throws). */
export function compileRestrictions(restrictions: readonly Restriction[]): WeekWindow[] {
  const out: WeekWindow[] = [];
  for (const r of restrictions) {
    switch (r.kind) {
      case 'preset': {
        const p = PRESETS[r.preset];
        if (!p) throw new Error(`Unknown restriction preset: ${String(r.preset)}`);
        out.push(...compileRestrictions(p));
        break;
      }
      case 'daily': {
        const s = time(r.start, false);
        let e = time(r.end, true);
        if (e === s) throw new Error('A restriction window cannot end when it starts');
        if (e < s) e += 1440;
        for (const d of r.days) pushWindow(out, dayIndex(d) * 1440 + s, dayIndex(d) * 1440 + e);
        break;
      }
      case 'weekly': {
        const s = dayIndex(r.startDay) * 1440 + time(r.startTime, false);
        let e = dayIndex(r.endDay) * 1440 + time(r.endTime, true);
        if (e % WEEK_MINUTES === s) throw new Error('A restriction window cannot end when it starts');
        if (e < s) e += WEEK_MINUTES;
        pushWindow(out, s, e);
        break;
      }
      default:
        throw new Error(`Unknown restriction kind: ${String((r as { kind?: unknown }).kind)}`);
    }
  }
  return out;
}

/** Sorts and merges overlapping or touching intervals into a new list; empty ones are dropped. */
export function mergeIntervals(xs: TimeRange[]): TimeRange[] {
  const sorted = xs.filter((x) => x.end > x.start).sort((a, b) => a.start - b.start);
  const out: TimeRange[] = [];
  for (const x of sorted) {
    const last = out[out.length - 1];
    if (last && x.start <= last.end) {
      if (x.end > last.end) last.end = x.end;
    } else out.push({ start: x.start, end: x.end });
  }
  return out;
}

/**
 * The instants within `range` that fall inside any window, as sorted disjoint intervals. Each
 * window's ends are converted from local wall-clock time in `zone` with the hand-off rule (gap: the
 * first valid instant after; ambiguous: the first occurrence).
 */
export function allowedIntervals(windows: readonly WeekWindow[], zone: string, range: TimeRange): TimeRange[] {
  if (range.end <= range.start) return [];
  const localStart = toLocal(zone, range.start);
  const localEnd = toLocal(zone, range.end);
  const firstDay = localDay(localStart);
  const lastDay = localDay(localEnd);
  // Windows may wrap up to a week past their Monday, so start one week early. Windows more than two
  // local days away from the range cannot touch it (no zone moves its clock by that much), so they
  // are skipped without converting.
  const firstMonday = firstDay - weekdayOfDay(firstDay) - 7;
  const out: TimeRange[] = [];
  for (let monday = firstMonday; monday <= lastDay; monday += 7) {
    for (const w of windows) {
      const ls = monday * DAY_MS + w.start * MINUTE_MS;
      const le = monday * DAY_MS + w.end * MINUTE_MS;
      if (le < localStart - 2 * DAY_MS || ls > localEnd + 2 * DAY_MS) continue;
      const s = atLocal(zone, monday, w.start);
      if (s >= range.end) continue;
      const e = atLocal(zone, monday, w.end);
      if (e <= range.start) continue;
      out.push({ start: Math.max(s, range.start), end: Math.min(e, range.end) });
    }
  }
  return mergeIntervals(out);
}
