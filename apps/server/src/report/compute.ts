/*
 * Pure report arithmetic: percentiles, time-of-day parts (the schedule load-split definitions),
 * periods, CSV. No database, no clock.
 */
import { DateTime } from 'luxon';
import { loadSplit } from '../schedule/compute/index.js';
import { must } from '../lib/must.js';

/** The parts of a week on-call load is split into (schedule/compute loadSplit definitions). */
export type DayPart = 'business' | 'evening' | 'night' | 'weekend';
export const DAY_PARTS: readonly DayPart[] = ['business', 'evening', 'night', 'weekend'];

// Local wall-clock time is computed from the zone's UTC offset, looked up with luxon once per zone
// and UTC day (and per 15-minute slot only on the days the offset changes), so a year of pages costs
// a few thousand zone look-ups instead of one per page.
const SLOT = 15 * 60_000;
const DAY_MS = 86_400_000;
const MEMO_MAX = 500_000;
const memo = new Map<string, unknown>();
function memoized<T>(key: string, f: () => T): T {
  const hit = memo.get(key);
  if (hit !== undefined) return hit as T;
  if (memo.size > MEMO_MAX) memo.clear();
  const v = f();
  memo.set(key, v);
  return v;
}

const zoneOffset = (t: number, zone: string) => DateTime.fromMillis(t, { zone }).offset;

/** The UTC offset (minutes) of `zone` at `t`. */
let lastDay: { zone: string; day: number; offsets: readonly [number, number] } | undefined;
export function offsetAt(t: number, zone: string): number {
  if (zone === 'UTC') return 0;
  const day = Math.floor(t / DAY_MS) * DAY_MS;
  // Reports walk times in order, so the day before is usually the day asked for: skip the memo's string key.
  if (lastDay?.zone !== zone || lastDay.day !== day) lastDay = { zone, day, offsets: memoized(`o|${zone}|${day}`, () => [zoneOffset(day, zone), zoneOffset(day + DAY_MS - 1, zone)] as const) };
  const [a, b] = lastDay.offsets;
  if (a === b) return a;
  const slot = Math.floor(t / SLOT) * SLOT;
  return memoized(`os|${zone}|${slot}`, () => zoneOffset(slot, zone));
}

/** Local weekday (0 Sunday .. 6 Saturday), hour, minute and day number (days since 1970-01-01) of `t` in `zone`. */
function local(t: number, zone: string): { weekday: number; hour: number; minute: number; day: number } {
  const ms = t + offsetAt(t, zone) * 60_000;
  const day = Math.floor(ms / DAY_MS);
  const m = Math.floor((ms - day * DAY_MS) / 60_000);
  return { weekday: (((day + 4) % 7) + 7) % 7, hour: Math.floor(m / 60), minute: m % 60, day };
}

/**
 * Which part of the week the instant `t` falls in, at local wall-clock time in `zone`: the
 * definitions of schedule/compute loadSplit (weekdays 09-18 business, 18-22 evening, 22-09 night;
 * Saturday and Sunday weekend). A test checks both agree.
 */
export function dayPartOf(t: number, zone: string): DayPart {
  const l = local(t, zone);
  if (l.weekday === 0 || l.weekday === 6) return 'weekend';
  const m = l.hour * 60 + l.minute;
  return m < 9 * 60 ? 'night' : m < 18 * 60 ? 'business' : m < 22 * 60 ? 'evening' : 'night';
}

/** dayPartOf computed by schedule/compute loadSplit itself (slow; for tests). */
export function dayPartByLoadSplit(t: number, zone: string): DayPart {
  const s = loadSplit([{ start: t, end: t + 1000 }], zone);
  return s.business > 0 ? 'business' : s.evening > 0 ? 'evening' : s.night > 0 ? 'night' : 'weekend';
}

/** The local hour of day (0-23) of `t` in `zone`. */
export function hourOf(t: number, zone: string): number {
  return local(t, zone).hour;
}

/** Nearest-rank percentile (p in 0..100) of sorted values, or null when empty. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (!sorted.length) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return must(sorted[Math.min(rank, sorted.length) - 1], 'the value at the rank');
}

/** The mean, or null when empty (rounded to whole ms). */
export function mean(values: readonly number[]): number | null {
  if (!values.length) return null;
  let s = 0;
  for (const v of values) s += v;
  return Math.round(s / values.length);
}

/** A reporting period size. */
export type Period = 'day' | 'week' | 'month';

/** The start of the period containing `t` in `zone` (weeks start on Monday). */
export function periodStart(t: number, period: Period, zone = 'UTC'): number {
  const day = local(t, zone).day;
  return memoized(`s|${period}|${zone}|${day}`, () =>
    DateTime.fromISO(new Date(day * DAY_MS).toISOString().slice(0, 10), { zone })
      .startOf(period)
      .toMillis(),
  );
}

/**
 * The largest bucket (a day, an hour, 15 minutes, a minute, else 1 ms) that divides every start of a
 * `period` in `zone` between `from` and `to`: then every bucket of creation time lies in one period,
 * so the database can group by bucket and TypeScript map buckets to periods exactly.
 */
export function periodBucket(from: number, to: number, period: Period, zone = 'UTC'): number {
  const step = period === 'day' ? 26 * 3_600_000 : period === 'week' ? 8 * DAY_MS : 32 * DAY_MS;
  const sizes = [DAY_MS, 3_600_000, SLOT, 60_000];
  let best = 0;
  for (let b = periodStart(from, period, zone); b < to; b = periodStart(b + step, period, zone)) {
    if (b <= from) continue;
    while (best < sizes.length && b % must(sizes[best], 'sizes[best]') !== 0) best++;
    if (best === sizes.length) return 1;
  }
  return must(sizes[best], 'sizes[best]');
}

/** The label of a period start: 2026-03-02 (day, week) or 2026-03 (month). */
export function periodLabel(start: number, period: Period, zone = 'UTC'): string {
  return memoized(`l|${period}|${zone}|${start}`, () => {
    const d = DateTime.fromMillis(start, { zone });
    return period === 'month' ? d.toFormat('yyyy-LL') : d.toFormat('yyyy-LL-dd');
  });
}

/** Duration statistics of a set of durations (ms). */
export interface DurationStats {
  mean: number | null;
  p50: number | null;
  p90: number | null;
}

/** Mean, p50 and p90 of the durations. */
export function durationStats(values: number[]): DurationStats {
  const sorted = [...values].sort((a, b) => a - b);
  return { mean: mean(sorted), p50: percentile(sorted, 50), p90: percentile(sorted, 90) };
}

/** The change from `prev` to `cur`: absolute and percent (null when either is missing or prev is 0). */
export function change(cur: number | null, prev: number | null): { delta: number | null; percent: number | null } {
  if (cur === null || prev === null) return { delta: null, percent: null };
  return { delta: cur - prev, percent: prev === 0 ? null : Math.round(((cur - prev) / prev) * 1000) / 10 };
}

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\r\n]/.test(s) || /^[=+\-@]/.test(s) ? `"${(/^[=+\-@]/.test(s) && !/^-?\d/.test(s) ? "'" : '') + s.replace(/"/g, '""')}"` : s;
}

/** Flattens nested objects one level ("mtta.p50") so a row fits in CSV columns. */
export function flatten(row: Record<string, unknown>, prefix = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    if (v && typeof v === 'object' && !Array.isArray(v)) Object.assign(out, flatten(v as Record<string, unknown>, `${prefix}${k}.`));
    else out[`${prefix}${k}`] = v;
  }
  return out;
}

/** CSV (RFC 4180, CRLF) of rows; columns are the union of the flattened keys in first-seen order. */
export function toCsv(rows: readonly Record<string, unknown>[]): string {
  const flat = rows.map((r) => flatten(r));
  const cols: string[] = [];
  const seen = new Set<string>();
  for (const r of flat) {
    for (const k of Object.keys(r)) {
      if (seen.has(k)) continue;
      seen.add(k);
      cols.push(k);
    }
  }
  return [cols.join(','), ...flat.map((r) => cols.map((c) => csvCell(r[c])).join(','))].join('\r\n') + '\r\n';
}
