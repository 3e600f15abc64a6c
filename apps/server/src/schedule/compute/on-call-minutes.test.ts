/**
 * Turns on call for only their first N minutes (`turn.onCallMinutes`, docs/schedules.md "Rotations"):
 * for day and week turns N wall-clock minutes from the turn's start, for hour and minute turns N
 * absolute minutes; the rest of the turn has nobody from the layer. Absent: the whole turn, as before.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { localToInstant, onCallAt, validateScheduleSpec, type LayerSpec, type ScheduleSpec } from './index.js';

const BERLIN = 'Europe/Berlin';
const who = (spec: ScheduleSpec, local: string) => onCallAt(spec, localToInstant(local, spec.timeZone))?.userIds ?? null;

describe('turn.onCallMinutes', () => {
  test('every other evening, 4 hours, alternating people', () => {
    const layer: LayerSpec = { participants: ['alice', 'bob'], turn: { unit: 'day', count: 2, onCallMinutes: 240 }, handoffTime: '20:00', start: localToInstant('2024-03-25T20:00', BERLIN) };
    const s: ScheduleSpec = { timeZone: BERLIN, layers: [layer] };
    expect(who(s, '2024-03-25T20:00')).toEqual(['alice']);
    expect(who(s, '2024-03-25T23:59')).toEqual(['alice']);
    expect(who(s, '2024-03-26T00:00')).toBeNull();
    expect(who(s, '2024-03-26T21:00')).toBeNull(); // inside alice's turn, after its 4 hours
    expect(who(s, '2024-03-27T21:00')).toEqual(['bob']);
    // Across the DST change (31 March, 02:00 -> 03:00): the 4 hours are wall-clock, 20:00 to 24:00.
    expect(who(s, '2024-03-29T23:30')).toEqual(['alice']);
  });

  test('one week on in two; hour turns are absolute', () => {
    const weeks: ScheduleSpec = { timeZone: 'UTC', layers: [{ participants: ['a', 'b'], turn: { unit: 'week', count: 2, onCallMinutes: 10_080 }, start: Date.UTC(2024, 0, 1, 9) }] };
    expect(onCallAt(weeks, Date.UTC(2024, 0, 5))?.userIds).toEqual(['a']);
    expect(onCallAt(weeks, Date.UTC(2024, 0, 10))).toBeNull();
    expect(onCallAt(weeks, Date.UTC(2024, 0, 16))?.userIds).toEqual(['b']);
    const hours: ScheduleSpec = { timeZone: 'UTC', layers: [{ participants: ['a', 'b'], turn: { unit: 'hour', count: 12, onCallMinutes: 480 }, start: Date.UTC(2024, 0, 1, 6) }] };
    expect(onCallAt(hours, Date.UTC(2024, 0, 1, 13, 59))?.userIds).toEqual(['a']);
    expect(onCallAt(hours, Date.UTC(2024, 0, 1, 14))).toBeNull();
    expect(onCallAt(hours, Date.UTC(2024, 0, 1, 18))?.userIds).toEqual(['b']);
  });

  test('validation: 1 to the turn length', () => {
    const bad = (turn: unknown) => validateScheduleSpec({ timeZone: 'UTC', layers: [{ participants: ['a'], turn, start: 0 }] }).map((e) => e.path);
    expect(bad({ unit: 'day', count: 1, onCallMinutes: 0 })).toEqual(['layers.0.turn.onCallMinutes']);
    expect(bad({ unit: 'day', count: 1, onCallMinutes: 1441 })).toEqual(['layers.0.turn.onCallMinutes']);
    expect(bad({ unit: 'hour', count: 2, onCallMinutes: 1.5 })).toEqual(['layers.0.turn.onCallMinutes']);
    expect(bad({ unit: 'week', count: 1, onCallMinutes: 10_080 })).toEqual([]);
  });

  test('property: on call exactly inside the first N minutes after each hand-off (a reference walking hand-offs)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('UTC', BERLIN, 'America/New_York', 'Asia/Kolkata'),
        fc.constantFrom('hour', 'day', 'week'),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 0, max: 300 }),
        fc.constantFrom('00:00', '06:00', '09:30', '20:00'),
        fc.integer({ min: 0, max: 100 * 24 * 60 }),
        (zone, unit, count, rawMinutes, day, hhmm, minutesLater) => {
          const unitMinutes = unit === 'hour' ? 60 : unit === 'day' ? 1440 : 10_080;
          const n = 1 + (rawMinutes % (count * unitMinutes));
          const date = new Date(Date.UTC(2024, 0, 1) + day * 86_400_000).toISOString().slice(0, 10);
          const start = localToInstant(`${date}T${hhmm}`, zone);
          const layer: LayerSpec = { participants: ['p0', 'p1', 'p2'], turn: { unit: unit as 'hour' | 'day' | 'week', count, onCallMinutes: n }, start };
          const t = start + minutesLater * 60_000 + 7;
          // Reference: the hand-offs, then the wall-clock (day/week) or absolute (hour) end of the on-call part.
          const handoff = (k: number) => {
            if (unit === 'hour') return start + k * count * 3_600_000;
            const d = new Date(Date.parse(`${date}T00:00Z`) + k * count * (unit === 'day' ? 1 : 7) * 86_400_000).toISOString().slice(0, 10);
            return localToInstant(`${d}T${hhmm}`, zone);
          };
          let k = 0;
          while (handoff(k + 1) <= t) k++;
          let onEnd: number;
          if (unit === 'hour') onEnd = handoff(k) + n * 60_000;
          else {
            const d = new Date(Date.parse(`${date}T${hhmm}Z`) + k * count * (unit === 'day' ? 1 : 7) * 86_400_000 + n * 60_000).toISOString().slice(0, 16);
            onEnd = localToInstant(d, zone);
          }
          const expected = t < Math.min(onEnd, handoff(k + 1)) ? [`p${k % 3}`] : null;
          expect(onCallAt({ timeZone: zone, layers: [layer] }, t)?.userIds ?? null).toEqual(expected);
        },
      ),
      { numRuns: 500 },
    );
  });
});
