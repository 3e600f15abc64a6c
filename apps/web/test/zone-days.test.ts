import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays, dayMarks, fromLocalInput, startOfDay, toLocalInput, wallClock } from '../src/schedules/time.ts';
import { viewerZone } from '../src/lib/zone.tsx';

const H = 3_600_000;
const ZONES = ['UTC', 'Europe/Berlin', 'Asia/Tokyo', 'America/New_York', 'Australia/Adelaide', 'Asia/Kolkata', 'Pacific/Chatham'];

describe('days and inputs in a zone that is not the browser’s', () => {
  it('midnights are midnights of the zone, calendar days across DST', () => {
    // 2026-03-29 is the spring-forward day in Berlin: 23 hours.
    const from = startOfDay(Date.UTC(2026, 2, 28, 12), 'Europe/Berlin');
    expect(from).toBe(Date.UTC(2026, 2, 27, 23));
    expect(addDays(from, 1, 'Europe/Berlin')).toBe(Date.UTC(2026, 2, 28, 23));
    expect(addDays(from, 2, 'Europe/Berlin') - addDays(from, 1, 'Europe/Berlin')).toBe(23 * H);
    expect(startOfDay(Date.UTC(2026, 0, 1, 16), 'Asia/Tokyo')).toBe(Date.UTC(2026, 0, 1, 15));
    expect(dayMarks(from, 7, 'Europe/Berlin').map((t) => wallClock(t, 'Europe/Berlin').h)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('reads a datetime-local value in the zone', () => {
    expect(fromLocalInput('2026-03-02T09:00', 'Asia/Tokyo')).toBe(Date.UTC(2026, 2, 2, 0));
    expect(fromLocalInput('2026-07-01T09:30', 'America/New_York')).toBe(Date.UTC(2026, 6, 1, 13, 30));
    // The server's rule: a repeated time is its first occurrence, a skipped one the instant after the gap.
    expect(fromLocalInput('2026-11-01T01:30', 'America/New_York')).toBe(Date.UTC(2026, 10, 1, 5, 30));
    expect(fromLocalInput('2026-03-08T02:30', 'America/New_York')).toBe(Date.UTC(2026, 2, 8, 7, 0));
    expect(fromLocalInput('2026-03-29T02:30', 'Europe/Berlin')).toBe(Date.UTC(2026, 2, 29, 1, 0));
    expect(Number.isNaN(fromLocalInput('2026-13-01T09:00', 'UTC'))).toBe(true);
    expect(Number.isNaN(fromLocalInput('soon', 'UTC'))).toBe(true);
  });

  it('toLocalInput and fromLocalInput round-trip to the minute in any zone (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2040, 0, 1) }), fc.constantFrom(...ZONES), (t, zone) => {
        const minute = t - (t % 60_000);
        const back = fromLocalInput(toLocalInput(minute, zone), zone);
        // In the hour a clock goes back, a wall time names two instants: the first is taken.
        expect(toLocalInput(back, zone)).toBe(toLocalInput(minute, zone));
        expect(back).toBeLessThanOrEqual(minute);
        const day = startOfDay(t, zone);
        expect(day).toBeLessThanOrEqual(t);
        expect(addDays(day, 1, zone)).toBeGreaterThan(t);
        const w = wallClock(day, zone);
        expect([w.h, w.mi]).toEqual([0, 0]);
      }),
    );
  });

  it('the viewer zone is the profile’s when the browser knows it, else the browser’s', () => {
    const z = viewerZone('Asia/Tokyo');
    expect(z.zone).toBe('Asia/Tokyo');
    expect(z.fromProfile).toBe(true);
    expect(z.timeOfDay(Date.UTC(2026, 0, 1, 0, 5))).toMatch(/09:05/);
    expect(viewerZone('Mars/Olympus').fromProfile).toBe(false);
  });
});
