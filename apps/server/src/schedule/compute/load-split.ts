import type { LoadSplit, TimeRange } from './types.js';
import { mergeIntervals } from './restrictions.js';
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

/**
 * Hours of `shifts` (clipped to `range` when given; overlaps counted once) split into business,
 * evening, night and weekend time at local wall-clock boundaries in `userZone`.
 */
export function loadSplit(shifts: readonly { start: number; end: number }[], userZone: string, range?: TimeRange): LoadSplit {
  const ms: Record<Kind, number> = { business: 0, evening: 0, night: 0, weekend: 0 };
  const clipped = shifts.map((s) => ({
    start: range ? Math.max(s.start, range.start) : s.start,
    end: range ? Math.min(s.end, range.end) : s.end,
  }));
  for (const iv of mergeIntervals(clipped)) {
    const first = localDay(toLocal(userZone, iv.start)) - 1;
    const last = localDay(toLocal(userZone, iv.end)) + 1;
    let dayStart = atLocal(userZone, first, 0);
    for (let day = first; day <= last; day++) {
      // The next midnight is 24 hours on when this day began at midnight (in a change at midnight it
      // may begin at 01:00) and the offset is the same at both ends (it changes at most once a day).
      const guess = dayStart + DAY_MS;
      const offset = offsetMs(userZone, dayStart);
      const nextStart = dayStart + offset === day * DAY_MS && offsetMs(userZone, guess) === offset ? guess : atLocal(userZone, day + 1, 0);
      // A day of exactly 24 hours from midnight has no clock change: its parts start at fixed
      // distances from its midnight. Only the days of a change convert each boundary on its own.
      const plain = nextStart === guess && dayStart + offset === day * DAY_MS;
      const parts = weekdayOfDay(day) >= 5 ? WEEKEND_PARTS : WEEKDAY_PARTS;
      for (const [from, to, kind] of parts) {
        const s = Math.max(plain ? dayStart + from * MINUTE_MS : atLocal(userZone, day, from), iv.start);
        const e = Math.min(to === 1440 ? nextStart : plain ? dayStart + to * MINUTE_MS : atLocal(userZone, day, to), iv.end);
        if (e > s) ms[kind] += e - s;
      }
      dayStart = nextStart;
    }
  }
  const h = (x: number) => x / HOUR_MS;
  const total = ms.business + ms.evening + ms.night + ms.weekend;
  return { business: h(ms.business), evening: h(ms.evening), night: h(ms.night), weekend: h(ms.weekend), total: h(total) };
}
