import type { LoadSplit, TimeRange } from './types.js';
import { mergeIntervals } from './restrictions.js';
import { HOUR_MS, atLocal, localDay, toLocal, weekdayOfDay } from './zone.js';

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
    for (let day = first; day <= last; day++) {
      const parts = weekdayOfDay(day) >= 5 ? WEEKEND_PARTS : WEEKDAY_PARTS;
      for (const [from, to, kind] of parts) {
        const s = Math.max(atLocal(userZone, day, from), iv.start);
        const e = Math.min(atLocal(userZone, day, to), iv.end);
        if (e > s) ms[kind] += e - s;
      }
    }
  }
  const h = (x: number) => x / HOUR_MS;
  const total = ms.business + ms.evening + ms.night + ms.weekend;
  return { business: h(ms.business), evening: h(ms.evening), night: h(ms.night), weekend: h(ms.weekend), total: h(total) };
}
