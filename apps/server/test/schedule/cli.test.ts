/** The schedule CLI's time reading and table layout (the commands themselves run against a server). */
import { describe, expect, it } from 'vitest';
import { cliInstant, parseCliTime, table } from '../../src/cli/schedule.js';

const NOW = Date.parse('2026-03-02T09:00:00Z');

describe('klaxon schedule commands', () => {
  it('reads now, relative times, epoch ms, ISO with offset and local date-times', () => {
    expect(parseCliTime('now', NOW)).toBe(NOW);
    expect(parseCliTime('+4h', NOW)).toBe(NOW + 4 * 3_600_000);
    expect(parseCliTime('-2d', NOW)).toBe(NOW - 2 * 86_400_000);
    expect(parseCliTime('1772442000000', NOW)).toBe(1772442000000);
    expect(parseCliTime('2026-03-05T10:00+01:00', NOW)).toBe(Date.parse('2026-03-05T09:00:00Z'));
    expect(parseCliTime('2026-03-29T02:30', NOW, 'Europe/Berlin')).toBe(Date.parse('2026-03-29T01:00:00Z')); // in the DST gap: 03:00
    expect(() => parseCliTime('tomorrowish', NOW)).toThrow(/Cannot read the time/);
  });

  it('passes local date-times on for the server to read in the schedule zone', () => {
    expect(cliInstant('2026-03-05T10:00', NOW)).toBe('2026-03-05T10:00');
    expect(cliInstant('2026-03-05', NOW)).toBe('2026-03-05');
    expect(cliInstant('+1h', NOW)).toBe(NOW + 3_600_000);
  });

  it('lays out a table', () => {
    expect(
      table(
        ['A', 'BB'],
        [
          ['xyz', '1'],
          ['q', '22'],
        ],
      ),
    ).toBe('A    BB\n---  --\nxyz  1\nq    22\n');
  });
});
