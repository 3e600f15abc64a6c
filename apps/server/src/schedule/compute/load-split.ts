import type { LoadSplit, TimeRange } from './types.js';
import { DAY_MS, HOUR_MS, MINUTE_MS, atLocal, localDay, offsetMs, toLocal, weekdayOfDay } from './zone.js';

type Kind = 'business' | 'evening' | 'night' | 'weekend';

/** Each weekday's parts as [start minute, end minute, kind]; Saturday and Sunday are all weekend. */
const WEEKDAY_PARTS: readonly (readonly [number, number, Kind])[] = [
  [0, 9 * 60, 'night'],
  [9 * 60, 18 * 60, 'business'],
  [18 * 60, 22 * 60, 'evening'],
  [22 * 60, 24 * 60, 'night'],
];
const WEEKEND_PARTS: readonly (readonly [number, number, Kind])[] = [[0, 24 * 60, 'weekend']];

const KIND_INDEX: Record<Kind, number> = { business: 0, evening: 1, night: 2, weekend: 3 };

/**
 * The parts of every local day in `zone` from `firstDay` to `lastDay`, in order: part k runs from
 * starts[k] to ends[k] and is of kind kinds[k] (an index into KIND_INDEX's order).
 */
interface DayParts {
  starts: Float64Array;
  ends: Float64Array;
  kinds: Uint8Array;
}

function dayParts(zone: string, firstDay: number, lastDay: number): DayParts {
  const n = (lastDay - firstDay + 1) * WEEKDAY_PARTS.length;
  const starts = new Float64Array(n);
  const ends = new Float64Array(n);
  const kinds = new Uint8Array(n);
  let k = 0;
  let dayStart = atLocal(zone, firstDay, 0);
  for (let day = firstDay; day <= lastDay; day++) {
    // The next midnight is 24 hours on when this day began at midnight (in a change at midnight it
    // may begin at 01:00) and the offset is the same at both ends (it changes at most once a day).
    const guess = dayStart + DAY_MS;
    const offset = offsetMs(zone, dayStart);
    const nextStart = dayStart + offset === day * DAY_MS && offsetMs(zone, guess) === offset ? guess : atLocal(zone, day + 1, 0);
    // A day of exactly 24 hours from midnight has no clock change: its parts start at fixed
    // distances from its midnight. Only the days of a change convert each boundary on its own.
    const plain = nextStart === guess && dayStart + offset === day * DAY_MS;
    for (const [from, to, kind] of weekdayOfDay(day) >= 5 ? WEEKEND_PARTS : WEEKDAY_PARTS) {
      starts[k] = plain ? dayStart + from * MINUTE_MS : atLocal(zone, day, from);
      ends[k] = to === 1440 ? nextStart : plain ? dayStart + to * MINUTE_MS : atLocal(zone, day, to);
      kinds[k] = KIND_INDEX[kind];
      k++;
    }
    dayStart = nextStart;
  }
  return { starts: starts.subarray(0, k), ends: ends.subarray(0, k), kinds: kinds.subarray(0, k) };
}

/**
 * Day parts of a zone over a report's range, kept for the next user in the same zone (a report
 * splits every person's hours over one range). Bounded: emptied when it holds CACHED_PARTS ranges.
 */
const partsCache = new Map<string, DayParts>();
const CACHED_PARTS = 64;

function partsCovering(zone: string, start: number, end: number, cache: boolean): DayParts {
  const firstDay = localDay(toLocal(zone, start)) - 1;
  const lastDay = localDay(toLocal(zone, end)) + 1;
  if (!cache) return dayParts(zone, firstDay, lastDay);
  const key = `${zone}\u0000${firstDay}\u0000${lastDay}`;
  let parts = partsCache.get(key);
  if (!parts) {
    if (partsCache.size >= CACHED_PARTS) partsCache.clear();
    parts = dayParts(zone, firstDay, lastDay);
    partsCache.set(key, parts);
  }
  return parts;
}

/**
 * Hours of `shifts` (clipped to `range` when given; overlaps counted once) split into business,
 * evening, night and weekend time at local wall-clock boundaries in `userZone`.
 */
export function loadSplit(shifts: readonly { start: number; end: number }[], userZone: string, range?: TimeRange): LoadSplit {
  const pairs = new Float64Array(shifts.length * 2);
  shifts.forEach((x, i) => {
    pairs[2 * i] = x.start;
    pairs[2 * i + 1] = x.end;
  });
  return loadSplitOfPairs(pairs, userZone, range);
}

/**
 * loadSplit of shifts given as [start, end, start, end, ...]: a report over everyone's year of shifts
 * collects them this way, since a year of short-lived objects per person costs more than the split.
 */
export function loadSplitOfPairs(pairs: ArrayLike<number>, userZone: string, range?: TimeRange): LoadSplit {
  const ms = new Float64Array(4);
  const lo = range ? range.start : -Infinity;
  const hi = range ? range.end : Infinity;
  // The shifts in start order (by index), clipped and merged as they are read.
  const order: number[] = [];
  for (let i = 0; 2 * i + 1 < pairs.length; i++) if (Math.min(pairs[2 * i + 1] as number, hi) > Math.max(pairs[2 * i] as number, lo)) order.push(i);
  order.sort((a, b) => (pairs[2 * a] as number) - (pairs[2 * b] as number));
  const startOf = (i: number) => Math.max(pairs[2 * i] as number, lo);
  const endOf = (i: number) => Math.min(pairs[2 * i + 1] as number, hi);
  const first = order[0];
  if (first !== undefined) {
    // One table of the zone's day parts from the first shift to the last (the range's, when given).
    const parts = range
      ? partsCovering(userZone, range.start, range.end, true)
      : partsCovering(
          userZone,
          startOf(first),
          order.reduce((m, i) => Math.max(m, endOf(i)), endOf(first)),
          false,
        );
    let start = startOf(first);
    let end = endOf(first);
    for (let k = 1; k < order.length; k++) {
      const i = order[k] as number;
      const s = startOf(i);
      if (s <= end) end = Math.max(end, endOf(i));
      else {
        addParts(parts, start, end, ms);
        start = s;
        end = endOf(i);
      }
    }
    addParts(parts, start, end, ms);
  }
  const [business = 0, evening = 0, night = 0, weekend = 0] = ms;
  const h = (x: number) => x / HOUR_MS;
  const total = business + evening + night + weekend;
  return { business: h(business), evening: h(evening), night: h(night), weekend: h(weekend), total: h(total) };
}

/** Adds the milliseconds of [start, end) in each part of the day to `ms`, by kind. */
function addParts({ starts, ends, kinds }: DayParts, start: number, end: number, ms: Float64Array): void {
  // The first part that ends after `start` (parts are in time order).
  let lo = 0;
  let hi = ends.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((ends[mid] as number) <= start) lo = mid + 1;
    else hi = mid;
  }
  for (let k = lo; k < starts.length && (starts[k] as number) < end; k++) {
    const s = Math.max(starts[k] as number, start);
    const e = Math.min(ends[k] as number, end);
    const kind = kinds[k] as number;
    if (e > s) ms[kind] = (ms[kind] as number) + e - s;
  }
}
