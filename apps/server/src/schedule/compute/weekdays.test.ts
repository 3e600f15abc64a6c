/**
 * Day turns that count only some weekdays (`turn.weekdays`, docs/schedules.md "Rotations"): hand-offs
 * happen only on the listed days, the days between belong to the turn before. Without the field every
 * day counts, exactly as before.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { finalSchedule, localToInstant, onCallAt, validateScheduleSpec, WEEKDAYS, type LayerSpec, type ScheduleSpec, type Weekday } from './index.js';
import { must } from '../../lib/must.js';

const BERLIN = 'Europe/Berlin';
const who = (spec: ScheduleSpec, local: string) => onCallAt(spec, localToInstant(local, spec.timeZone))?.userIds ?? null;

/** alice, bob and carol take one weekday each from Monday 4 March 2024 09:00 Berlin: weekends stay with Friday's person. */
const weekdaysOnly: LayerSpec = {
  participants: ['alice', 'bob', 'carol'],
  turn: { unit: 'day', count: 1, weekdays: ['mon', 'tue', 'wed', 'thu', 'fri'] },
  handoffTime: '09:00',
  start: localToInstant('2024-03-04T09:00', BERLIN),
};

describe('day turns on weekdays only', () => {
  test('hand-offs skip the weekend and keep turning', () => {
    const s: ScheduleSpec = { timeZone: BERLIN, layers: [weekdaysOnly] };
    expect(who(s, '2024-03-04T09:00')).toEqual(['alice']); // Mon
    expect(who(s, '2024-03-05T08:59')).toEqual(['alice']);
    expect(who(s, '2024-03-05T09:00')).toEqual(['bob']); // Tue
    expect(who(s, '2024-03-06T12:00')).toEqual(['carol']); // Wed
    expect(who(s, '2024-03-07T12:00')).toEqual(['alice']); // Thu
    expect(who(s, '2024-03-08T12:00')).toEqual(['bob']); // Fri
    expect(who(s, '2024-03-10T23:00')).toEqual(['bob']); // Sunday: still Friday's turn
    expect(who(s, '2024-03-11T09:00')).toEqual(['carol']); // Mon
    // Across the DST change (31 March): Monday 1 April is the 20th weekday after the start; 20 % 3 = 2.
    expect(who(s, '2024-04-01T09:00')).toEqual(['carol']);
    expect(who(s, '2024-04-01T08:59')).toEqual(['bob']);
  });

  test('count 2 gives each person two listed days; a start on an unlisted day runs to the count-th listed day', () => {
    const s: ScheduleSpec = { timeZone: BERLIN, layers: [{ ...weekdaysOnly, turn: { unit: 'day', count: 2, weekdays: ['mon', 'wed', 'fri'] }, start: localToInstant('2024-03-03T09:00', BERLIN) }] };
    // Sunday start: turn 0 covers Monday and Wednesday (the 0th and 1st listed days), hand-off Friday.
    expect(who(s, '2024-03-03T10:00')).toEqual(['alice']);
    expect(who(s, '2024-03-08T08:59')).toEqual(['alice']);
    expect(who(s, '2024-03-08T09:00')).toEqual(['bob']);
    expect(who(s, '2024-03-13T09:00')).toEqual(['carol']); // Wed
  });

  test('validation: only for day turns, known and distinct weekdays', () => {
    const bad = (turn: unknown) => validateScheduleSpec({ timeZone: BERLIN, layers: [{ ...weekdaysOnly, turn }] }).map((e) => e.path);
    expect(bad({ unit: 'week', count: 1, weekdays: ['mon'] })).toEqual(['layers.0.turn.weekdays']);
    expect(bad({ unit: 'day', count: 1, weekdays: [] })).toEqual(['layers.0.turn.weekdays']);
    expect(bad({ unit: 'day', count: 1, weekdays: ['mon', 'mon'] })).toEqual(['layers.0.turn.weekdays']);
    expect(bad({ unit: 'day', count: 1, weekdays: ['monday'] })).toEqual(['layers.0.turn.weekdays']);
    expect(bad({ unit: 'day', count: 1, weekdays: ['sun', 'mon'] })).toEqual([]);
  });

  test('property: the owner at any instant is the one a day-by-day count of listed hand-offs gives; all seven days = no weekdays', () => {
    const zone = fc.constantFrom('UTC', BERLIN, 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe');
    fc.assert(
      fc.property(
        zone,
        fc.uniqueArray(fc.constantFrom(...WEEKDAYS), { minLength: 1, maxLength: 7 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 400 }),
        fc.constantFrom('00:00', '06:30', '09:00', '17:45', '23:00'),
        fc.integer({ min: 0, max: 120 * 24 }),
        (z, days, count, n, startDay, hhmm, hoursLater) => {
          const participants = Array.from({ length: n }, (_, i) => `p${i}`);
          const startLocal = new Date(Date.UTC(2024, 0, 1) + startDay * 86_400_000).toISOString().slice(0, 10);
          const start = localToInstant(`${startLocal}T${hhmm}`, z);
          const layer: LayerSpec = { participants, turn: { unit: 'day', count, weekdays: days as Weekday[] }, handoffTime: hhmm, start };
          const t = start + hoursLater * 3_600_000 + 1_234;
          const startDate = startLocal;
          // Reference, day by day: listed dates are numbered from the start's date (0 = the first listed date
          // on or after it); hand-off k is at hhmm on listed date number k * count.
          let turns = 0;
          let idx = 0;
          for (let d = 0; d < 1000; d++) {
            const date = new Date(Date.parse(`${startDate}T00:00Z`) + d * 86_400_000).toISOString().slice(0, 10);
            const wd = must(WEEKDAYS[(new Date(`${date}T00:00Z`).getUTCDay() + 6) % 7], 'the weekday');
            if (!days.includes(wd)) continue;
            if (idx > 0 && idx % count === 0) {
              if (localToInstant(`${date}T${hhmm}`, z) <= t) turns = idx / count;
              else break;
            }
            idx++;
          }
          const got = onCallAt({ timeZone: z, layers: [layer] }, t)?.userIds;
          expect(got).toEqual([participants[turns % n]]);
          if (days.length === 7) {
            const plain = onCallAt({ timeZone: z, layers: [{ ...layer, turn: { unit: 'day', count } }] }, t)?.userIds;
            expect(got).toEqual(plain);
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  test("final schedule of a weekday rotation: one shift per turn, weekends inside Friday's", () => {
    const s: ScheduleSpec = { timeZone: BERLIN, layers: [weekdaysOnly] };
    const shifts = finalSchedule(s, { start: localToInstant('2024-03-08T00:00', BERLIN), end: localToInstant('2024-03-12T00:00', BERLIN) });
    expect(shifts.map((x) => [new Date(x.start).toISOString(), x.userIds])).toEqual([
      ['2024-03-07T23:00:00.000Z', ['alice']],
      ['2024-03-08T08:00:00.000Z', ['bob']],
      ['2024-03-11T08:00:00.000Z', ['carol']],
    ]);
  });
});
