import { DateTime } from 'luxon';
import { describe, expect, test } from 'vitest';
import { finalSchedule, layerShifts, localToInstant, onCallAt, type LayerSpec, type ScheduleSpec } from './index.js';

const HOUR = 3_600_000;
const iso = (t: number) => new Date(t).toISOString();
const local = (t: number, zone: string) => DateTime.fromMillis(t, { zone }).toFormat("yyyy-MM-dd'T'HH:mmZZ");

function daily(zone: string, start: string, handoffTime: string, count = 1): LayerSpec {
  return { participants: ['a', 'b'], turn: { unit: 'day', count }, handoffTime, timeZone: zone, start: localToInstant(start, zone) };
}

function starts(layer: LayerSpec, zone: string, from: string, to: string): string[] {
  return layerShifts(layer, zone, { start: localToInstant(from, zone), end: localToInstant(to, zone) }).map((s) => local(s.start, zone));
}

function lengths(layer: LayerSpec, zone: string, from: string, to: string): number[] {
  return layerShifts(layer, zone, { start: localToInstant(from, zone), end: localToInstant(to, zone) }).map((s) => (s.end - s.start) / HOUR);
}

describe('local time conversion (gap and ambiguity rule)', () => {
  test('a nonexistent time moves to the first valid instant after the gap', () => {
    expect(iso(localToInstant('2024-03-10T02:30', 'America/New_York'))).toBe('2024-03-10T07:00:00.000Z'); // 03:00 EDT
    expect(iso(localToInstant('2024-03-31T02:30', 'Europe/Berlin'))).toBe('2024-03-31T01:00:00.000Z'); // 03:00 CEST
    expect(iso(localToInstant('2024-10-06T02:15', 'Australia/Lord_Howe'))).toBe('2024-10-05T15:30:00.000Z'); // 02:30 +11
  });

  test('an ambiguous time is its first occurrence', () => {
    expect(iso(localToInstant('2024-11-03T01:30', 'America/New_York'))).toBe('2024-11-03T05:30:00.000Z'); // 01:30 EDT
    expect(iso(localToInstant('2024-10-27T02:30', 'Europe/Berlin'))).toBe('2024-10-27T00:30:00.000Z'); // 02:30 CEST
    expect(iso(localToInstant('2024-04-07T01:45', 'Australia/Lord_Howe'))).toBe('2024-04-06T14:45:00.000Z'); // 01:45 +11
  });

  test('a whole missing day (Samoa skipped 30 December 2011)', () => {
    expect(iso(localToInstant('2011-12-30T12:00', 'Pacific/Apia'))).toBe('2011-12-30T10:00:00.000Z'); // 31 Dec 00:00 +14
  });
});

describe('hand-offs at local wall-clock time across DST', () => {
  test('Europe/Berlin: 09:00 stays 09:00 on the March and October transition days', () => {
    const z = 'Europe/Berlin';
    const l = daily(z, '2024-03-01T09:00', '09:00');
    expect(starts(l, z, '2024-03-30T09:00', '2024-04-02T00:00')).toEqual(['2024-03-30T09:00+01:00', '2024-03-31T09:00+02:00', '2024-04-01T09:00+02:00']);
    expect(lengths(l, z, '2024-03-30T09:00', '2024-04-01T09:00')).toEqual([23, 24]);
    expect(starts(l, z, '2024-10-26T09:00', '2024-10-28T10:00')).toEqual(['2024-10-26T09:00+02:00', '2024-10-27T09:00+01:00', '2024-10-28T09:00+01:00']);
    expect(lengths(l, z, '2024-10-26T09:00', '2024-10-28T09:00')).toEqual([25, 24]);
  });

  test('Europe/Berlin: weekly turns are 7 local days (167 and 169 hours across the transitions)', () => {
    const z = 'Europe/Berlin';
    const l: LayerSpec = { participants: ['a', 'b'], turn: { unit: 'week', count: 1 }, handoffTime: '09:00', start: localToInstant('2024-03-04T09:00', z) };
    expect(lengths(l, z, '2024-03-25T09:00', '2024-04-08T09:00')).toEqual([167, 168]);
    expect(lengths(l, z, '2024-10-21T09:00', '2024-11-04T09:00')).toEqual([169, 168]);
    expect(starts(l, z, '2024-10-21T09:00', '2024-11-04T09:00')).toEqual(['2024-10-21T09:00+02:00', '2024-10-28T09:00+01:00']);
  });

  test('hour turns are absolute: 24-hour turns drift by an hour of local time at the transition', () => {
    const z = 'Europe/Berlin';
    const l: LayerSpec = { participants: ['a', 'b'], turn: { unit: 'hour', count: 24 }, start: localToInstant('2024-03-30T09:00', z) };
    expect(starts(l, z, '2024-03-30T09:00', '2024-04-01T12:00')).toEqual(['2024-03-30T09:00+01:00', '2024-03-31T10:00+02:00', '2024-04-01T10:00+02:00']);
    const twelve: LayerSpec = { participants: ['a', 'b'], turn: { unit: 'hour', count: 12 }, start: localToInstant('2024-01-01T08:00', 'Asia/Kolkata') };
    expect(onCallAt({ timeZone: 'Asia/Kolkata', layers: [twelve] }, localToInstant('2024-07-01T19:59', 'Asia/Kolkata'))?.userIds).toEqual(['a']);
    expect(onCallAt({ timeZone: 'Asia/Kolkata', layers: [twelve] }, localToInstant('2024-07-01T20:00', 'Asia/Kolkata'))?.userIds).toEqual(['b']);
  });

  test('America/New_York: 09:00 hand-offs and turns of 23 and 25 hours', () => {
    const z = 'America/New_York';
    const l = daily(z, '2024-01-01T09:00', '09:00');
    expect(starts(l, z, '2024-03-09T09:00', '2024-03-11T10:00')).toEqual(['2024-03-09T09:00-05:00', '2024-03-10T09:00-04:00', '2024-03-11T09:00-04:00']);
    expect(lengths(l, z, '2024-03-09T09:00', '2024-03-11T09:00')).toEqual([23, 24]);
    expect(lengths(l, z, '2024-11-02T09:00', '2024-11-04T09:00')).toEqual([25, 24]);
  });

  test('America/New_York: a 02:30 hand-off moves to 03:00 on the spring-forward day; 01:30 is its first occurrence in the fall', () => {
    const z = 'America/New_York';
    const spring = daily(z, '2024-03-01T02:30', '02:30');
    expect(starts(spring, z, '2024-03-09T02:30', '2024-03-11T03:00')).toEqual(['2024-03-09T02:30-05:00', '2024-03-10T03:00-04:00', '2024-03-11T02:30-04:00']);
    expect(lengths(spring, z, '2024-03-09T02:30', '2024-03-11T02:30')).toEqual([23.5, 23.5]);
    const fall = daily(z, '2024-10-01T01:30', '01:30');
    const s = layerShifts(fall, z, { start: localToInstant('2024-11-02T01:30', z), end: localToInstant('2024-11-04T01:30', z) });
    expect(s.map((x) => iso(x.start))).toEqual(['2024-11-02T05:30:00.000Z', '2024-11-03T05:30:00.000Z']);
    expect(s.map((x) => (x.end - x.start) / HOUR)).toEqual([24, 25]);
  });

  test('Asia/Kolkata (+05:30, no DST): 09:00 is 03:30 UTC all year', () => {
    const z = 'Asia/Kolkata';
    const l = daily(z, '2024-01-01T09:00', '09:00');
    const spec: ScheduleSpec = { timeZone: z, layers: [l] };
    for (const day of ['2024-01-15', '2024-03-31', '2024-07-01', '2024-10-27', '2024-11-03']) {
      const shifts = finalSchedule(spec, { start: Date.parse(`${day}T00:00:00Z`), end: Date.parse(`${day}T23:59:00Z`) });
      expect(shifts.map((s) => iso(s.start).slice(11, 16))).toEqual(['00:00', '03:30']);
    }
  });

  test('Australia/Adelaide (+10:30/+09:30): turns of 25 and 23 hours', () => {
    const z = 'Australia/Adelaide';
    const l = daily(z, '2024-01-01T09:00', '09:00');
    expect(starts(l, z, '2024-04-06T09:00', '2024-04-08T00:00')).toEqual(['2024-04-06T09:00+10:30', '2024-04-07T09:00+09:30']);
    expect(lengths(l, z, '2024-04-06T09:00', '2024-04-07T09:00')).toEqual([25]);
    expect(lengths(l, z, '2024-10-05T09:00', '2024-10-06T09:00')).toEqual([23]);
  });

  test('Australia/Lord_Howe (30-minute DST): turns of 24.5 and 23.5 hours, gap hand-off at 02:30', () => {
    const z = 'Australia/Lord_Howe';
    const l = daily(z, '2024-01-01T09:00', '09:00');
    expect(starts(l, z, '2024-04-06T09:00', '2024-04-08T00:00')).toEqual(['2024-04-06T09:00+11:00', '2024-04-07T09:00+10:30']);
    expect(lengths(l, z, '2024-04-06T09:00', '2024-04-07T09:00')).toEqual([24.5]);
    expect(lengths(l, z, '2024-10-05T09:00', '2024-10-06T09:00')).toEqual([23.5]);
    const gap = daily(z, '2024-09-01T02:15', '02:15');
    expect(starts(gap, z, '2024-10-05T02:15', '2024-10-07T03:00')).toEqual(['2024-10-05T02:15+10:30', '2024-10-06T02:30+11:00', '2024-10-07T02:15+11:00']);
  });

  test('restriction windows are wall-clock windows: none on the missing hour, two hours on the repeated one', () => {
    const z = 'Europe/Berlin';
    const l: LayerSpec = { ...daily(z, '2024-03-01T09:00', '09:00'), restrictions: [{ kind: 'daily', days: ['sun'], start: '02:00', end: '03:00' }] };
    expect(layerShifts(l, z, { start: localToInstant('2024-03-30', z), end: localToInstant('2024-04-01', z) })).toEqual([]);
    const oct = layerShifts(l, z, { start: localToInstant('2024-10-26', z), end: localToInstant('2024-10-28', z) });
    expect(oct.map((s) => [iso(s.start), iso(s.end)])).toEqual([['2024-10-27T00:00:00.000Z', '2024-10-27T02:00:00.000Z']]);
  });
});
