import { describe, expect, test } from 'vitest';
import { loadSplit, localToInstant } from './index.js';

const span = (from: string, to: string, zone: string) => ({ start: localToInstant(from, zone), end: localToInstant(to, zone) });

describe('loadSplit', () => {
  test('a whole Monday: 11 night, 9 business, 4 evening hours', () => {
    expect(loadSplit([span('2024-01-08T00:00', '2024-01-09T00:00', 'Europe/Berlin')], 'Europe/Berlin')).toEqual({
      business: 9,
      evening: 4,
      night: 11,
      weekend: 0,
      total: 24,
    });
  });

  test('a week from Monday 09:00 to Monday 09:00', () => {
    expect(loadSplit([span('2024-01-08T09:00', '2024-01-15T09:00', 'Europe/Berlin')], 'Europe/Berlin')).toEqual({
      business: 45,
      evening: 20,
      night: 55,
      weekend: 48,
      total: 168,
    });
  });

  test('DST: a spring-forward week has 167 hours, its Sunday 23', () => {
    const r = loadSplit([span('2024-03-04T09:00', '2024-03-11T09:00', 'America/New_York')], 'America/New_York');
    expect(r).toEqual({ business: 45, evening: 20, night: 55, weekend: 47, total: 167 });
  });

  test("split in the user's own zone, not the schedule's", () => {
    // 00:00-08:00 UTC on a Monday is 05:30-13:30 in Kolkata.
    const r = loadSplit([{ start: Date.UTC(2024, 0, 8, 0), end: Date.UTC(2024, 0, 8, 8) }], 'Asia/Kolkata');
    expect(r).toEqual({ business: 4.5, evening: 0, night: 3.5, weekend: 0, total: 8 });
  });

  test('overlapping shifts count once; the range clips', () => {
    const z = 'Europe/Berlin';
    const shifts = [span('2024-01-06T00:00', '2024-01-06T12:00', z), span('2024-01-06T06:00', '2024-01-07T00:00', z)];
    expect(loadSplit(shifts, z).total).toBe(24);
    expect(loadSplit(shifts, z, span('2024-01-06T20:00', '2024-01-10T00:00', z))).toEqual({ business: 0, evening: 0, night: 0, weekend: 4, total: 4 });
  });
});
