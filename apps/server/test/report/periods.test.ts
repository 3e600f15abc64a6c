import { describe, expect, it } from 'vitest';
import { periodBucket, periodStart, type Period } from '../../src/report/compute.js';

const DAY = 86_400_000;

// Reports group creation times in the database by buckets of periodBucket() ms and map each bucket
// to its period in TypeScript: exact only if no period starts inside a bucket.
describe('period buckets', () => {
  it('are a day in UTC, an hour in Berlin, 15 minutes in Kolkata and Kathmandu', () => {
    const from = Date.parse('2026-01-01T00:00:00Z');
    const to = Date.parse('2027-01-01T00:00:00Z');
    expect(periodBucket(from, to, 'week', 'UTC')).toBe(DAY);
    expect(periodBucket(from, to, 'week', 'Europe/Berlin')).toBe(3_600_000);
    expect(periodBucket(from, to, 'day', 'Asia/Kolkata')).toBe(900_000);
    expect(periodBucket(from, to, 'month', 'Asia/Kathmandu')).toBe(900_000);
  });

  it('never hold two periods, across DST changes, in several zones', () => {
    const from = Date.parse('2026-02-20T05:30:00Z');
    const to = Date.parse('2026-11-10T17:00:00Z');
    for (const zone of ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe', 'Asia/Kathmandu']) {
      for (const period of ['day', 'week', 'month'] as Period[]) {
        const size = periodBucket(from, to, period, zone);
        // Every period start inside the range falls on a bucket boundary.
        const next = (b: number) => periodStart(b + (period === 'day' ? 26 * 3_600_000 : period === 'week' ? 8 * DAY : 32 * DAY), period, zone);
        for (let b = periodStart(from, period, zone); b < to; b = next(b)) if (b > from) expect([zone, period, b % size]).toEqual([zone, period, 0]);
      }
    }
  });
});
