import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, test } from 'vitest';
import { loadSplit, localToInstant } from './index.js';

const QUARTER = 15 * 60_000;

/**
 * The split counted the slow way, as an oracle: quarter hour by quarter hour, each classed by its
 * wall-clock reading in `zone` from luxon. Every zone's offset and every clock change is a whole
 * number of quarter hours, so each quarter lies inside one part of the day.
 */
function quarterByQuarter(start: number, end: number, zone: string) {
  const h = { business: 0, evening: 0, night: 0, weekend: 0 };
  for (let t = start; t < end; t += QUARTER) {
    const d = DateTime.fromMillis(t, { zone });
    const kind = d.weekday >= 6 ? 'weekend' : d.hour >= 9 && d.hour < 18 ? 'business' : d.hour >= 18 && d.hour < 22 ? 'evening' : 'night';
    h[kind] += 0.25;
  }
  return { ...h, total: (end - start) / 3_600_000 };
}

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

  // Zones whose clocks change on a weekday (Jerusalem and Cairo on a Friday or Thursday: in most
  // zones the change is on a weekend day, which is one part whole), at midnight (Santiago, Havana),
  // by half an hour (Lord Howe), with a 45-minute offset (Chatham, Kathmandu), and never (Kolkata).
  // Each run's span starts within three days of one of the zone's clock changes in 2024.
  test('property: equals the quarter-by-quarter count around clock changes of every kind', () => {
    const zones = [
      'Asia/Jerusalem',
      'Africa/Cairo',
      'Europe/Berlin',
      'America/New_York',
      'America/Santiago',
      'America/Havana',
      'Australia/Lord_Howe',
      'Pacific/Chatham',
      'Asia/Kathmandu',
      'Asia/Kolkata',
    ];
    const changes = new Map(zones.map((zone) => [zone, changesIn2024(zone)]));
    fc.assert(
      fc.property(fc.constantFrom(...zones), fc.nat(), fc.integer({ min: -3 * 96, max: 3 * 96 }), fc.integer({ min: 1, max: 3 * 96 }), (zone, pick, from, length) => {
        const near = changes.get(zone) ?? [];
        const start = (near.length ? (near[pick % near.length] ?? 0) : Date.UTC(2024, 5, 1)) + from * QUARTER;
        const end = start + length * QUARTER;
        const got = loadSplit([{ start, end }], zone);
        const want = quarterByQuarter(start, end, zone);
        for (const k of ['business', 'evening', 'night', 'weekend', 'total'] as const) expect(got[k]).toBeCloseTo(want[k], 9);
      }),
      { numRuns: 1000 },
    );
  });

  // With a range, the zone's day parts are computed once for the range and kept for the next call
  // (a report splits everyone's hours over one range): several shifts, clipped and merged, over a
  // range that is one of a few, so later runs reuse what earlier ones computed.
  test('property: with a range, several shifts equal the quarter-by-quarter count of their union', () => {
    const zones = ['Asia/Jerusalem', 'America/Santiago', 'Australia/Lord_Howe', 'Pacific/Chatham', 'Europe/London'];
    const changes = new Map(zones.map((zone) => [zone, changesIn2024(zone)]));
    const shift = fc.tuple(fc.integer({ min: -4 * 96, max: 4 * 96 }), fc.integer({ min: 0, max: 2 * 96 }));
    fc.assert(
      fc.property(fc.constantFrom(...zones), fc.nat(), fc.array(shift, { maxLength: 5 }), fc.integer({ min: 0, max: 2 }), (zone, pick, shifts, r) => {
        const near = changes.get(zone) ?? [];
        const base = near[pick % near.length] ?? 0;
        const range = { start: base - (r + 1) * 96 * QUARTER, end: base + (3 - r) * 96 * QUARTER };
        const spans = shifts.map(([from, length]) => ({ start: base + from * QUARTER, end: base + (from + length) * QUARTER }));
        const got = loadSplit(spans, zone, range);
        // The union of the spans inside the range, quarter by quarter.
        const want = { business: 0, evening: 0, night: 0, weekend: 0, total: 0 };
        for (let t = range.start; t < range.end; t += QUARTER) {
          if (!spans.some((x) => x.start <= t && t < x.end)) continue;
          const q = quarterByQuarter(t, t + QUARTER, zone);
          for (const k of ['business', 'evening', 'night', 'weekend', 'total'] as const) want[k] += q[k];
        }
        for (const k of ['business', 'evening', 'night', 'weekend', 'total'] as const) expect(got[k]).toBeCloseTo(want[k], 9);
      }),
      { numRuns: 300 },
    );
  });
});

/** The instants (to the quarter hour) at which `zone`'s UTC offset changes in 2024, from luxon. */
function changesIn2024(zone: string): number[] {
  const out: number[] = [];
  let last = DateTime.fromMillis(Date.UTC(2024, 0, 1), { zone }).offset;
  for (let t = Date.UTC(2024, 0, 1); t < Date.UTC(2025, 0, 1); t += QUARTER) {
    const o = DateTime.fromMillis(t, { zone }).offset;
    if (o !== last) out.push(t);
    last = o;
  }
  return out;
}
