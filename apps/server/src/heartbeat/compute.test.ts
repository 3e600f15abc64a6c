import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dueAt, heartbeatState, isLate, missTitle, spoken } from './compute.js';

const MIN = 60_000;

describe('heartbeat miss computation', () => {
  it('late exactly when now - last check-in > interval + grace (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4e12 }),
        fc.array(fc.integer({ min: 0, max: 1e10 }), { maxLength: 8 }),
        fc.integer({ min: 1, max: 525_600 }),
        fc.integer({ min: 0, max: 525_600 }),
        fc.integer({ min: 0, max: 2e11 }),
        (since, offsets, interval, grace, nowOffset) => {
          const checkins = offsets.map((o) => since + o);
          const last = checkins.length ? Math.max(...checkins) : null;
          const now = since + nowOffset;
          const late = isLate({ lastCheckinAt: last, sinceAt: since, intervalMinutes: interval, graceMinutes: grace }, now);
          const ref = last ?? since;
          expect(late).toBe(now - ref > (interval + grace) * MIN);
          // The stored due time agrees: late exactly when now is past it.
          expect(late).toBe(now > dueAt(ref, interval, grace));
          const state = heartbeatState({ enabled: true, lastCheckinAt: last, sinceAt: since, intervalMinutes: interval, graceMinutes: grace }, now);
          expect(state).toBe(late ? 'late' : last === null ? 'never' : 'ok');
          expect(heartbeatState({ enabled: false, lastCheckinAt: last, sinceAt: since, intervalMinutes: interval, graceMinutes: grace }, now)).toBe('disabled');
        },
      ),
    );
  });

  it('the boundary: at exactly interval + grace it is not late, one ms later it is', () => {
    const h = { lastCheckinAt: 1_000, sinceAt: 0, intervalMinutes: 25 * 60, graceMinutes: 60 };
    expect(isLate(h, 1_000 + 26 * 60 * MIN)).toBe(false);
    expect(isLate(h, 1_000 + 26 * 60 * MIN + 1)).toBe(true);
  });

  it('titles say how long and what was expected', () => {
    expect(missTitle('nightly-backup', 26 * 60 * MIN + 30_000, 25 * 60)).toBe('No check-in from nightly-backup for 26 h (expected every 25 h)');
    expect(missTitle('etl', 66 * MIN, 60)).toBe('No check-in from etl for 66 min (expected every 60 min)');
    expect(spoken(5 * 24 * 60)).toBe('5 d');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e9 }), (m) => {
        expect(spoken(m)).toMatch(/^\d+ (min|h|d)$/);
      }),
    );
  });
});
