import { describe, expect, test } from 'vitest';
import { finalSchedule, gaps, layerShifts, localToInstant, nextHandoffs, onCallAt, userShifts, type LayerSpec, type ScheduleSpec } from './index.js';
import { must } from '../../lib/must.js';

const BERLIN = 'Europe/Berlin';
const HOUR = 3_600_000;
const iso = (t: number) => new Date(t).toISOString();
const who = (spec: ScheduleSpec, local: string, zone = spec.timeZone) => onCallAt(spec, localToInstant(local, zone))?.userIds ?? null;

/** alice, bob, carol take a week each, handing off Mondays 09:00 Berlin time, from Monday 1 January 2024. */
const weekly: LayerSpec = {
  name: 'primary',
  participants: ['alice', 'bob', 'carol'],
  turn: { unit: 'week', count: 1 },
  handoffTime: '09:00',
  start: localToInstant('2024-01-01T09:00', BERLIN),
};
const team: ScheduleSpec = { timeZone: BERLIN, layers: [weekly] };

describe('weekly rotation of three people', () => {
  test('who is on call on given dates', () => {
    expect(who(team, '2024-01-01T09:00')).toEqual(['alice']);
    expect(who(team, '2024-01-03T15:00')).toEqual(['alice']);
    expect(who(team, '2024-01-08T08:59')).toEqual(['alice']);
    expect(who(team, '2024-01-08T09:00')).toEqual(['bob']);
    expect(who(team, '2024-01-15T12:00')).toEqual(['carol']);
    expect(who(team, '2024-01-22T09:00')).toEqual(['alice']);
    // Week 12 (alice) ends on the Monday after the March DST change, still at 09:00 local.
    expect(who(team, '2024-04-01T08:59')).toEqual(['alice']);
    expect(who(team, '2024-04-01T09:00')).toEqual(['bob']);
    // A year later: 2025-01-06 is 53 weeks after the start; 53 % 3 = 2.
    expect(who(team, '2025-01-06T10:00')).toEqual(['carol']);
  });

  test('nobody before the rotation starts', () => {
    expect(who(team, '2024-01-01T08:59')).toBeNull();
    expect(gaps(team, { start: localToInstant('2023-12-31', BERLIN), end: localToInstant('2024-01-02', BERLIN) })).toEqual([
      { start: localToInstant('2023-12-31', BERLIN), end: localToInstant('2024-01-01T09:00', BERLIN) },
    ]);
  });

  test('a month of shifts, clipped to the range', () => {
    const shifts = finalSchedule(team, { start: localToInstant('2024-01-05', BERLIN), end: localToInstant('2024-01-20', BERLIN) });
    expect(shifts.map((s) => [iso(s.start), iso(s.end), s.userIds.join('+')])).toEqual([
      ['2024-01-04T23:00:00.000Z', '2024-01-08T08:00:00.000Z', 'alice'],
      ['2024-01-08T08:00:00.000Z', '2024-01-15T08:00:00.000Z', 'bob'],
      ['2024-01-15T08:00:00.000Z', '2024-01-19T23:00:00.000Z', 'carol'],
    ]);
    expect(must(shifts[0], 'shifts[0]').source).toEqual({ kind: 'layer', layerIndex: 0, layerName: 'primary' });
  });

  test('next hand-offs carry who hands over to whom', () => {
    const h = nextHandoffs(team, localToInstant('2024-01-03T12:00', BERLIN), 3);
    expect(h.map((x) => [iso(x.at), x.previous?.userIds, x.next?.userIds])).toEqual([
      ['2024-01-08T08:00:00.000Z', ['alice'], ['bob']],
      ['2024-01-15T08:00:00.000Z', ['bob'], ['carol']],
      ['2024-01-22T08:00:00.000Z', ['carol'], ['alice']],
    ]);
  });

  test('userShifts lists only that user', () => {
    const s = userShifts(team, 'bob', { start: localToInstant('2024-01-01', BERLIN), end: localToInstant('2024-02-01', BERLIN) });
    expect(s.map((x) => iso(x.start))).toEqual(['2024-01-08T08:00:00.000Z', '2024-01-29T08:00:00.000Z']);
  });
});

describe('follow the sun', () => {
  // Three regions cover eight hours each in their own zones. In January that tiles the UTC day:
  // Tokyo 09-17 JST = 00-08 UTC, London 08-16 GMT = 08-16 UTC, New York 11-19 EST = 16-24 UTC.
  const region = (zone: string, people: string[], start: string, end: string, name: string): LayerSpec => ({
    name,
    participants: people,
    turn: { unit: 'week', count: 1 },
    handoffTime: start,
    timeZone: zone,
    start: localToInstant(`2024-01-01T${start}`, zone),
    restrictions: [{ kind: 'daily', days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], start, end }],
  });
  const sun: ScheduleSpec = {
    timeZone: 'UTC',
    layers: [
      region('Asia/Tokyo', ['kenji', 'yuki'], '09:00', '17:00', 'apac'),
      region('Europe/London', ['amelia', 'oliver'], '08:00', '16:00', 'emea'),
      region('America/New_York', ['mia', 'noah'], '11:00', '19:00', 'amer'),
    ],
  };

  test('in winter the three regions cover the whole day', () => {
    const day = { start: Date.UTC(2024, 0, 3), end: Date.UTC(2024, 0, 4) };
    expect(gaps(sun, day)).toEqual([]);
    const s = finalSchedule(sun, day);
    expect(s.map((x) => [iso(x.start), x.userIds[0], x.source.kind === 'layer' ? x.source.layerName : ''])).toEqual([
      ['2024-01-03T00:00:00.000Z', 'kenji', 'apac'],
      ['2024-01-03T08:00:00.000Z', 'amelia', 'emea'],
      ['2024-01-03T16:00:00.000Z', 'mia', 'amer'],
    ]);
    // The second week belongs to everyone's second participant.
    expect(onCallAt(sun, Date.UTC(2024, 0, 10, 12))?.userIds).toEqual(['oliver']);
  });

  test('in July DST moves London and New York an hour earlier: a gap at 23:00 UTC, London wins the overlap', () => {
    const day = { start: Date.UTC(2024, 6, 10), end: Date.UTC(2024, 6, 11) };
    expect(gaps(sun, day)).toEqual([{ start: Date.UTC(2024, 6, 10, 23), end: Date.UTC(2024, 6, 11) }]);
    // 07:00-08:00 UTC is both Tokyo (16:00 JST) and London (08:00 BST): the later layer wins.
    expect(onCallAt(sun, Date.UTC(2024, 6, 10, 7, 30))?.source).toMatchObject({ layerName: 'emea' });
    expect(onCallAt(sun, Date.UTC(2024, 6, 10, 6, 30))?.source).toMatchObject({ layerName: 'apac' });
  });

  test('an explicit priority beats list order', () => {
    const prioritised: ScheduleSpec = { ...sun, layers: sun.layers.map((l, i) => (i === 0 ? { ...l, priority: 1 } : l)) };
    expect(onCallAt(prioritised, Date.UTC(2024, 6, 10, 7, 30))?.source).toMatchObject({ layerName: 'apac' });
  });
});

describe('overrides', () => {
  test("a sick day: bob covers one day of carol's week", () => {
    const spec: ScheduleSpec = {
      ...team,
      overrides: [{ id: 'sick', userIds: ['bob'], start: localToInstant('2024-01-17T09:00', BERLIN), end: localToInstant('2024-01-18T09:00', BERLIN) }],
    };
    expect(who(spec, '2024-01-17T08:59')).toEqual(['carol']);
    expect(onCallAt(spec, localToInstant('2024-01-17T12:00', BERLIN))).toEqual({ userIds: ['bob'], source: { kind: 'override', overrideId: 'sick' } });
    expect(who(spec, '2024-01-18T09:00')).toEqual(['carol']);
    const s = finalSchedule(spec, { start: localToInstant('2024-01-15T09:00', BERLIN), end: localToInstant('2024-01-22T09:00', BERLIN) });
    expect(s.map((x) => x.userIds[0])).toEqual(['carol', 'bob', 'carol']);
  });

  test("a swap is two overrides: alice takes bob's Wednesday, bob takes alice's Friday", () => {
    const spec: ScheduleSpec = {
      ...team,
      overrides: [
        { id: 'swap-1', userIds: ['alice'], start: localToInstant('2024-01-10T00:00', BERLIN), end: localToInstant('2024-01-11T00:00', BERLIN) },
        { id: 'swap-2', userIds: ['bob'], start: localToInstant('2024-01-26T00:00', BERLIN), end: localToInstant('2024-01-27T00:00', BERLIN) },
      ],
    };
    expect(who(spec, '2024-01-10T12:00')).toEqual(['alice']);
    expect(who(spec, '2024-01-09T12:00')).toEqual(['bob']);
    expect(who(spec, '2024-01-26T12:00')).toEqual(['bob']);
    expect(who(spec, '2024-01-25T12:00')).toEqual(['alice']);
  });

  test('overlapping overrides: the later one wins; an override fills a gap too', () => {
    const spec: ScheduleSpec = {
      timeZone: BERLIN,
      layers: [],
      overrides: [
        { id: 'one', userIds: ['a'], start: Date.UTC(2024, 0, 1, 0), end: Date.UTC(2024, 0, 1, 10) },
        { id: 'two', userIds: ['b', 'c'], start: Date.UTC(2024, 0, 1, 5), end: Date.UTC(2024, 0, 1, 8) },
      ],
    };
    const s = finalSchedule(spec, { start: Date.UTC(2024, 0, 1), end: Date.UTC(2024, 0, 2) });
    expect(s.map((x) => [x.start, x.end, x.userIds.join('+')])).toEqual([
      [Date.UTC(2024, 0, 1, 0), Date.UTC(2024, 0, 1, 5), 'a'],
      [Date.UTC(2024, 0, 1, 5), Date.UTC(2024, 0, 1, 8), 'b+c'],
      [Date.UTC(2024, 0, 1, 8), Date.UTC(2024, 0, 1, 10), 'a'],
    ]);
  });

  test('take on-call now for 4 hours', () => {
    const now = localToInstant('2024-01-09T14:10', BERLIN);
    const spec: ScheduleSpec = { ...team, overrides: [{ id: 'now', userIds: ['carol'], start: now, end: now + 4 * HOUR }] };
    expect(nextHandoffs(spec, now, 2).map((h) => [iso(h.at), h.previous?.userIds, h.next?.userIds])).toEqual([
      ['2024-01-09T17:10:00.000Z', ['carol'], ['bob']],
      ['2024-01-15T08:00:00.000Z', ['bob'], ['carol']],
    ]);
  });
});

describe('leave', () => {
  const leave = (userId: string, from: string, to: string) => ({ userId, start: localToInstant(from, BERLIN), end: localToInstant(to, BERLIN) });

  test("a holiday in alice's week is covered by bob; the rotation order does not shift", () => {
    const spec: ScheduleSpec = { ...team, leave: [leave('alice', '2024-01-03', '2024-01-06')] };
    expect(who(spec, '2024-01-02T12:00')).toEqual(['alice']);
    expect(who(spec, '2024-01-04T12:00')).toEqual(['bob']);
    expect(who(spec, '2024-01-06T00:00')).toEqual(['alice']);
    expect(who(spec, '2024-01-08T09:00')).toEqual(['bob']);
    expect(who(spec, '2024-01-15T09:00')).toEqual(['carol']);
    expect(who(spec, '2024-01-22T09:00')).toEqual(['alice']);
  });

  test('when the next person is away too, the one after covers', () => {
    const spec: ScheduleSpec = { ...team, leave: [leave('alice', '2024-01-03', '2024-01-06'), leave('bob', '2024-01-01', '2024-01-05')] };
    expect(who(spec, '2024-01-03T12:00')).toEqual(['carol']);
    expect(who(spec, '2024-01-05T12:00')).toEqual(['bob']);
  });

  test('everyone away: the layer is absent and a lower layer fills in', () => {
    const backup: LayerSpec = { name: 'backup', participants: ['manager'], turn: { unit: 'week', count: 1 }, start: weekly.start };
    const spec: ScheduleSpec = {
      timeZone: BERLIN,
      layers: [backup, weekly],
      leave: ['alice', 'bob', 'carol'].map((u) => leave(u, '2024-01-04', '2024-01-05')),
    };
    expect(onCallAt(spec, localToInstant('2024-01-04T12:00', BERLIN))).toEqual({ userIds: ['manager'], source: { kind: 'layer', layerIndex: 0, layerName: 'backup' } });
    expect(who(spec, '2024-01-05T00:00')).toEqual(['alice']);
  });

  test('a group member on leave is dropped; a fully absent group is covered by the next participant', () => {
    const pairs: ScheduleSpec = {
      timeZone: BERLIN,
      layers: [{ participants: [['dana', 'erin'], 'frank'], turn: { unit: 'day', count: 1 }, handoffTime: '09:00', start: localToInstant('2024-01-01T09:00', BERLIN) }],
      leave: [leave('dana', '2024-01-01', '2024-01-02'), leave('erin', '2024-01-01T18:00', '2024-01-01T20:00')],
    };
    expect(who(pairs, '2024-01-01T10:00')).toEqual(['erin']);
    expect(who(pairs, '2024-01-01T19:00')).toEqual(['frank']);
    expect(who(pairs, '2024-01-02T08:00')).toEqual(['dana', 'erin']);
    expect(who(pairs, '2024-01-02T10:00')).toEqual(['frank']);
  });

  test('overrides are not affected by leave', () => {
    const spec: ScheduleSpec = {
      ...team,
      overrides: [{ id: 'o', userIds: ['alice'], start: localToInstant('2024-01-10', BERLIN), end: localToInstant('2024-01-11', BERLIN) }],
      leave: [leave('alice', '2024-01-09', '2024-01-12')],
    };
    expect(who(spec, '2024-01-10T12:00')).toEqual(['alice']);
  });

  test('layerShifts applies leave for a single layer', () => {
    const s = layerShifts(weekly, BERLIN, { start: localToInstant('2024-01-01', BERLIN), end: localToInstant('2024-01-08', BERLIN) }, [leave('alice', '2024-01-03', '2024-01-04')]);
    expect(s.map((x) => [iso(x.start), x.userIds[0]])).toEqual([
      ['2024-01-01T08:00:00.000Z', 'alice'],
      ['2024-01-02T23:00:00.000Z', 'bob'],
      ['2024-01-03T23:00:00.000Z', 'alice'],
    ]);
  });
});

describe('restrictions and gaps', () => {
  test('a business-hours-only schedule leaves nights and weekends as gaps', () => {
    const spec: ScheduleSpec = { timeZone: BERLIN, layers: [{ ...weekly, restrictions: [{ kind: 'preset', preset: 'business-hours' }] }] };
    const range = { start: localToInstant('2024-01-05T00:00', BERLIN), end: localToInstant('2024-01-09T00:00', BERLIN) };
    expect(gaps(spec, range).map((g) => [iso(g.start), iso(g.end)])).toEqual([
      ['2024-01-04T23:00:00.000Z', '2024-01-05T08:00:00.000Z'],
      ['2024-01-05T16:00:00.000Z', '2024-01-08T08:00:00.000Z'],
      ['2024-01-08T16:00:00.000Z', '2024-01-08T23:00:00.000Z'],
    ]);
    // The Monday 09:00 hand-off still happens at 09:00 inside the window.
    expect(who(spec, '2024-01-08T09:00')).toEqual(['bob']);
    expect(nextHandoffs(spec, localToInstant('2024-01-05T12:00', BERLIN), 2).map((h) => [iso(h.at), h.previous?.userIds ?? null, h.next?.userIds ?? null])).toEqual([
      ['2024-01-05T16:00:00.000Z', ['alice'], null],
      ['2024-01-08T08:00:00.000Z', null, ['bob']],
    ]);
  });

  test('a weekly window crossing midnight and the week end: fri 18:00 to mon 08:00', () => {
    const spec: ScheduleSpec = {
      timeZone: BERLIN,
      layers: [{ ...weekly, restrictions: [{ kind: 'weekly', startDay: 'fri', startTime: '18:00', endDay: 'mon', endTime: '08:00' }] }],
    };
    expect(who(spec, '2024-01-05T17:59')).toBeNull();
    expect(who(spec, '2024-01-05T18:00')).toEqual(['alice']);
    expect(who(spec, '2024-01-07T03:00')).toEqual(['alice']);
    expect(who(spec, '2024-01-08T07:59')).toEqual(['alice']);
    expect(who(spec, '2024-01-08T08:00')).toBeNull();
  });

  test('daily windows crossing midnight (22:00 to 06:00) on chosen days', () => {
    const spec: ScheduleSpec = {
      timeZone: BERLIN,
      layers: [{ ...weekly, restrictions: [{ kind: 'daily', days: ['fri', 'sat'], start: '22:00', end: '06:00' }] }],
    };
    expect(who(spec, '2024-01-05T23:00')).toEqual(['alice']);
    expect(who(spec, '2024-01-06T05:00')).toEqual(['alice']);
    expect(who(spec, '2024-01-07T05:00')).toEqual(['alice']);
    expect(who(spec, '2024-01-07T07:00')).toBeNull();
    expect(who(spec, '2024-01-07T23:00')).toBeNull();
  });

  test('presets: nights and weekends with business hours cover the whole week', () => {
    const day: LayerSpec = { ...weekly, name: 'day', restrictions: [{ kind: 'preset', preset: 'business-hours' }] };
    const off: LayerSpec = {
      ...weekly,
      name: 'off',
      participants: ['x', 'y'],
      restrictions: [
        { kind: 'preset', preset: 'nights' },
        { kind: 'preset', preset: 'weekends' },
      ],
    };
    const spec: ScheduleSpec = { timeZone: BERLIN, layers: [off, day] };
    expect(gaps(spec, { start: localToInstant('2024-01-08T09:00', BERLIN), end: localToInstant('2024-03-04T09:00', BERLIN) })).toEqual([]);
    expect(who(spec, '2024-01-09T12:00')).toEqual(['bob']);
    expect(who(spec, '2024-01-09T20:00')).toEqual(['y']);
    const weekdays: ScheduleSpec = { timeZone: BERLIN, layers: [{ ...weekly, restrictions: [{ kind: 'preset', preset: 'weekdays' }] }] };
    expect(who(weekdays, '2024-01-12T23:59')).toEqual(['bob']);
    expect(who(weekdays, '2024-01-13T00:00')).toBeNull();
  });
});
