/** lib/format.ts: the one way durations and UTC times read in messages, reports and drafts. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDuration, formatUtc, formatUtcSeconds } from '../../src/lib/format.js';
import { must } from '../../src/lib/must.js';

describe('formatDuration', () => {
  it('reads as hours and minutes, minutes and seconds, or seconds', () => {
    expect(formatDuration(null)).toBe('—');
    expect(formatDuration(0)).toBe('0 s');
    expect(formatDuration(45_000)).toBe('45 s');
    expect(formatDuration(180_000)).toBe('3 min');
    expect(formatDuration(200_000)).toBe('3 min 20 s');
    expect(formatDuration(3_900_000)).toBe('1 h 5 min');
    expect(formatDuration(26 * 3_600_000)).toBe('26 h 0 min');
  });

  it('says the duration to the second below an hour and to the minute above', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 400 * 24 * 3_600_000 }), (ms) => {
        const text = formatDuration(ms);
        const m = /^(?:(\d+) h (\d+) min|(\d+) min(?: (\d+) s)?|(\d+) s)$/.exec(text);
        expect(m, text).not.toBeNull();
        const [, h, hm, mm, ms2, s] = must(m, 'm');
        const seconds = h !== undefined ? Number(h) * 3600 + Number(hm) * 60 : mm !== undefined ? Number(mm) * 60 + Number(ms2 ?? 0) : Number(s);
        const exact = Math.round(ms / 1000);
        expect(exact - seconds).toBeGreaterThanOrEqual(0);
        expect(exact - seconds).toBeLessThan(h !== undefined ? 60 : 1);
      }),
    );
  });
});

describe('formatUtc', () => {
  it('is the UTC date and time to the minute (or second), and empty for an invalid instant', () => {
    expect(formatUtc(Date.UTC(2026, 0, 5, 9, 0, 30))).toBe('2026-01-05 09:00 UTC');
    expect(formatUtcSeconds(Date.UTC(2026, 0, 5, 9, 0, 30))).toBe('2026-01-05 09:00:30 UTC');
    expect(formatUtc(Number.NaN)).toBe('');
    expect(formatUtcSeconds(Number.POSITIVE_INFINITY)).toBe('');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Date.UTC(9999, 11, 31) }), (ms) => {
        const text = formatUtcSeconds(ms);
        expect(text).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
        expect(Date.parse(`${text.slice(0, 19).replace(' ', 'T')}Z`)).toBe(Math.floor(ms / 1000) * 1000);
        expect(formatUtc(ms)).toBe(`${text.slice(0, 16)} UTC`);
      }),
    );
  });
});
