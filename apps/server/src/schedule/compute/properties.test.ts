import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, test } from 'vitest';
import {
  PRESETS,
  WEEKDAYS,
  finalSchedule,
  fromLocal,
  gaps,
  layerShifts,
  loadSplit,
  nextHandoffs,
  onCallAndHandoffs,
  onCallAt,
  toLocal,
  validateScheduleSpec,
  type LayerSpec,
  type Leave,
  type Override,
  type Restriction,
  type ScheduleSpec,
  type Shift,
  type TimeRange,
} from './index.js';
import { must } from '../../lib/must.js';

/*
 * Property tests against a deliberately naive oracle. The oracle converts local times with luxon
 * directly (not the cached offsets of zone.ts), walks turns one by one from the layer start, checks
 * restriction windows instance by instance and applies the leave rule and precedence one instant at
 * a time.
 */

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

const ZONES = [
  'UTC',
  'Europe/Berlin',
  'Europe/London',
  'America/New_York',
  'America/St_Johns', // -03:30 with DST
  'America/Santiago', // DST changes at midnight
  'America/Sao_Paulo', // DST until 2019, changes at midnight
  'Asia/Tokyo',
  'Asia/Kolkata', // +05:30
  'Asia/Kathmandu', // +05:45
  'Australia/Adelaide', // +09:30/+10:30
  'Australia/Lord_Howe', // 30-minute DST
  'Pacific/Chatham', // +12:45/+13:45
  'Pacific/Apia', // skipped 30 December 2011
];

// ---------------------------------------------------------------------------------------------
// Oracle

type Parts = { year: number; month: number; day: number; hour: number; minute: number };

/** Wall-clock reading of `t` in `zone` as UTC-encoded ms, straight from luxon. */
function wall(zone: string, t: number): number {
  return t + DateTime.fromMillis(t, { zone }).offset * MIN;
}

function partsOf(local: number): Parts {
  const d = new Date(local);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes() };
}

const memo = new Map<string, number>();

/** The earliest instant whose wall-clock reading is >= `local` (documented rule), via luxon. */
function oracleFromLocal(zone: string, local: number): number {
  const key = `${zone}|${local}`;
  const hit = memo.get(key);
  if (hit !== undefined) return hit;
  const r = DateTime.fromObject(partsOf(local), { zone }).toMillis();
  let answer: number;
  if (wall(zone, r) !== local) {
    // In a gap: luxon moved forward by the gap length. The transition is the first instant in
    // (r - gap, r] with r's offset.
    let lo = r - (wall(zone, r) - local);
    let hi = r;
    const target = DateTime.fromMillis(r, { zone }).offset;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (DateTime.fromMillis(mid, { zone }).offset === target) hi = mid;
      else lo = mid;
    }
    answer = hi;
  } else {
    // Possibly ambiguous: luxon may pick the later occurrence. Try the offsets a few hours earlier.
    answer = r;
    for (const back of [3 * HOUR, DAY]) {
      const c = local - DateTime.fromMillis(r - back, { zone }).offset * MIN;
      if (c < answer && wall(zone, c) === local) answer = c;
    }
  }
  memo.set(key, answer);
  return answer;
}

const hhmm = (s: string) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5));
const localDayOf = (zone: string, t: number) => Math.floor(wall(zone, t) / DAY);
const weekday = (day: number) => (((day + 3) % 7) + 7) % 7;

/** [start minute from Monday 00:00, end minute] windows, computed independently from restrictions.ts. */
function oracleWindows(rs: readonly Restriction[]): [number, number][] {
  const out: [number, number][] = [];
  for (const r of rs) {
    if (r.kind === 'preset') out.push(...oracleWindows(PRESETS[r.preset]));
    else if (r.kind === 'daily') {
      const s = hhmm(r.start);
      const e = r.end === '24:00' ? 1440 : hhmm(r.end);
      for (const d of r.days) {
        const base = WEEKDAYS.indexOf(d) * 1440;
        out.push([base + s, base + (e > s ? e : e + 1440)]);
      }
    } else {
      const s = WEEKDAYS.indexOf(r.startDay) * 1440 + hhmm(r.startTime);
      const e = WEEKDAYS.indexOf(r.endDay) * 1440 + (r.endTime === '24:00' ? 1440 : hhmm(r.endTime));
      out.push([s, e > s ? e : e + 7 * 1440]);
    }
  }
  return out;
}

function oracleAllowed(rs: readonly Restriction[], zone: string, t: number): boolean {
  const day = localDayOf(zone, t);
  const monday = day - weekday(day);
  for (const m of [monday - 14, monday - 7, monday, monday + 7]) {
    for (const [s, e] of oracleWindows(rs)) {
      if (oracleFromLocal(zone, m * DAY + s * MIN) <= t && t < oracleFromLocal(zone, m * DAY + e * MIN)) return true;
    }
  }
  return false;
}

function oracleTurn(layer: LayerSpec, zone: string, t: number): number {
  const { unit, count } = layer.turn;
  if (unit === 'hour' || unit === 'minute') return Math.floor((t - layer.start) / (count * (unit === 'hour' ? HOUR : MIN)));
  const days = unit === 'day' ? count : 7 * count;
  const startDay = localDayOf(zone, layer.start);
  const handoff = layer.handoffTime ? hhmm(layer.handoffTime) : Math.floor((wall(zone, layer.start) - startDay * DAY) / MIN);
  const boundary = (k: number) => oracleFromLocal(zone, (startDay + k * days) * DAY + handoff * MIN);
  let k = 0;
  while (boundary(k + 1) <= t) k++;
  return k;
}

function onLeave(leave: readonly Leave[], user: string, t: number): boolean {
  return leave.some((l) => l.userId === user && l.start <= t && t < l.end);
}

function oracleLayer(layer: LayerSpec, scheduleZone: string, t: number, leave: readonly Leave[]): string[] | null {
  const zone = layer.timeZone ?? scheduleZone;
  if (t < layer.start || (layer.end !== undefined && t >= layer.end)) return null;
  if (layer.restrictions?.length && !oracleAllowed(layer.restrictions, zone, t)) return null;
  const n = layer.participants.length;
  const owner = oracleTurn(layer, zone, t) % n;
  for (let i = 0; i < n; i++) {
    const p = must(layer.participants[(owner + i) % n], 'layer.participants[(owner + i) % n]');
    const members = [...new Set(typeof p === 'string' ? [p] : p)].filter((u) => !onLeave(leave, u, t));
    if (members.length) return members;
  }
  return null;
}

type Expected = { userIds: string[]; source: string } | null;

function oracle(spec: ScheduleSpec, t: number): Expected {
  const overrides = spec.overrides ?? [];
  for (let i = overrides.length - 1; i >= 0; i--) {
    const o = must(overrides[i], 'overrides[i]');
    if (o.start <= t && t < o.end) return { userIds: [...new Set(o.userIds)], source: `override:${o.id}` };
  }
  const order = spec.layers.map((l, i) => ({ l, i })).sort((a, b) => (b.l.priority ?? 0) - (a.l.priority ?? 0) || b.i - a.i);
  for (const { l, i } of order) {
    const users = oracleLayer(l, spec.timeZone, t, spec.leave ?? []);
    if (users) return { userIds: users, source: `layer:${i}` };
  }
  return null;
}

const sourceKey = (s: Shift['source']) => (s.kind === 'layer' ? `layer:${s.layerIndex}` : `override:${s.overrideId}`);

function shiftAt(shifts: readonly Shift[], t: number): Shift | undefined {
  let lo = 0;
  let hi = shifts.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = must(shifts[mid], 'shifts[mid]');
    if (t < s.start) hi = mid - 1;
    else if (t >= s.end) lo = mid + 1;
    else return s;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Generators

const USERS = ['u0', 'u1', 'u2', 'u3', 'u4', 'u5'];
const BASE_MIN = Date.UTC(2008, 0, 1);
const BASE_MAX = Date.UTC(2032, 0, 1);

const user = fc.constantFrom(...USERS);
const zone = fc.constantFrom(...ZONES);
const time = fc.tuple(fc.integer({ min: 0, max: 23 }), fc.constantFrom(0, 0, 15, 30, 45, 59)).map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);
const endTime = fc.oneof(time, fc.constant('24:00'));
const day = fc.constantFrom(...WEEKDAYS);

const restriction: fc.Arbitrary<Restriction> = fc.oneof(
  fc.record({ kind: fc.constant('preset' as const), preset: fc.constantFrom('business-hours' as const, 'weekdays' as const, 'nights' as const, 'weekends' as const) }),
  fc.record({ kind: fc.constant('daily' as const), days: fc.uniqueArray(day, { minLength: 1, maxLength: 7 }), start: time, end: endTime }),
  fc.record({ kind: fc.constant('weekly' as const), startDay: day, startTime: time, endDay: day, endTime: endTime }),
);

const turn = fc.oneof(
  fc.record({ unit: fc.constant('minute' as const), count: fc.integer({ min: 30, max: 600 }) }),
  fc.record({ unit: fc.constant('hour' as const), count: fc.integer({ min: 1, max: 48 }) }),
  fc.record({ unit: fc.constant('day' as const), count: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ unit: fc.constant('week' as const), count: fc.integer({ min: 1, max: 2 }) }),
);

const participant = fc.oneof({ weight: 3, arbitrary: user }, { weight: 1, arbitrary: fc.uniqueArray(user, { minLength: 1, maxLength: 3 }) });

function layerArb(base: number): fc.Arbitrary<LayerSpec> {
  return fc
    .record(
      {
        name: fc.constantFrom('a', 'b', 'c'),
        participants: fc.array(participant, { minLength: 1, maxLength: 4 }),
        turn,
        handoffTime: time,
        timeZone: zone,
        startOffset: fc.integer({ min: -120 * DAY, max: 10 * DAY }),
        duration: fc.integer({ min: DAY, max: 200 * DAY }),
        restrictions: fc.array(restriction, { minLength: 1, maxLength: 2 }),
        priority: fc.integer({ min: -1, max: 1 }),
      },
      { requiredKeys: ['participants', 'turn', 'startOffset'] },
    )
    .map(({ startOffset, duration, turn: tl, handoffTime, ...rest }) => {
      const start = base + startOffset;
      const layer: LayerSpec = { ...rest, turn: tl, start };
      if (handoffTime !== undefined && (tl.unit === 'day' || tl.unit === 'week')) layer.handoffTime = handoffTime;
      if (duration !== undefined) layer.end = start + duration;
      return layer;
    })
    .filter((l) => validateScheduleSpec({ timeZone: 'UTC', layers: [l] }).length === 0);
}

/** Days with DST changes somewhere in ZONES (and Samoa's missing day), to aim ranges at transitions. */
const TRANSITION_DAYS = [
  '2024-03-10',
  '2024-03-31',
  '2024-04-07',
  '2024-09-08',
  '2024-09-29',
  '2024-10-06',
  '2024-10-27',
  '2024-11-03',
  '2018-02-18',
  '2018-11-04',
  '2011-12-29',
  '2025-04-06',
  '2025-03-30',
  '2025-10-26',
].map((d) => Date.parse(`${d}T00:00:00Z`));
const baseInstant = fc.oneof(
  fc.integer({ min: BASE_MIN, max: BASE_MAX }),
  fc.tuple(fc.constantFrom(...TRANSITION_DAYS), fc.integer({ min: -2 * DAY, max: DAY })).map(([d, o]) => d + o),
);

const scheduleArb: fc.Arbitrary<{ spec: ScheduleSpec; range: TimeRange }> = fc
  .record({ base: baseInstant.map((t) => t - (t % MIN)), jitter: fc.integer({ min: 0, max: MIN - 1 }), sub: fc.boolean() })
  .chain(({ base, jitter, sub }) => {
    const b = sub ? base + jitter : base;
    const span = (max: number) => fc.tuple(fc.integer({ min: -3 * DAY, max: 40 * DAY }), fc.integer({ min: MIN, max })).map(([o, d]) => ({ start: b + o, end: b + o + d }));
    return fc
      .record({
        timeZone: zone,
        layers: fc.array(layerArb(b), { minLength: 0, maxLength: 3 }),
        overrides: fc.array(fc.record({ userIds: fc.uniqueArray(user, { minLength: 1, maxLength: 2 }), span: span(3 * DAY) }), { maxLength: 3 }),
        leave: fc.array(fc.record({ userId: user, span: span(10 * DAY) }), { maxLength: 4 }),
        length: fc.integer({ min: HOUR, max: 35 * DAY }),
        rangeOffset: fc.integer({ min: -DAY, max: DAY }),
      })
      .map(({ timeZone, layers, overrides, leave, length, rangeOffset }) => {
        const spec: ScheduleSpec = {
          timeZone,
          layers,
          overrides: overrides.map((o, i): Override => ({ id: `o${i}`, userIds: o.userIds, ...o.span })),
          leave: leave.map((l): Leave => ({ userId: l.userId, ...l.span })),
        };
        return { spec, range: { start: b + rangeOffset, end: b + rangeOffset + length } };
      });
  });

const RUNS = Number(process.env.SCHEDULE_PROPERTY_RUNS ?? 120);

// ---------------------------------------------------------------------------------------------
// Properties

describe('schedule properties', () => {
  test('local conversion: the earliest instant at or after a wall-clock time, matching luxon', () => {
    fc.assert(
      fc.property(zone, baseInstant, (z, t) => {
        expect(toLocal(z, t)).toBe(wall(z, t));
        const l = wall(z, t) - (wall(z, t) % MIN);
        expect(fromLocal(z, l)).toBe(oracleFromLocal(z, l));
        // Exactly at and around transitions.
        const r = fromLocal(z, l);
        expect(wall(z, r)).toBeGreaterThanOrEqual(l);
        expect(wall(z, r - 1)).toBeLessThan(l);
      }),
      { numRuns: 2000 },
    );
  });

  test('finalSchedule is sorted, disjoint, merged and matches the oracle and onCallAt at sampled instants', () => {
    fc.assert(
      fc.property(scheduleArb, fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 20, maxLength: 40 }), ({ spec, range }, fractions) => {
        expect(validateScheduleSpec(spec)).toEqual([]);
        const shifts = finalSchedule(spec, range);
        for (let i = 0; i < shifts.length; i++) {
          const s = must(shifts[i], 'shifts[i]');
          expect(s.end).toBeGreaterThan(s.start);
          expect(s.start).toBeGreaterThanOrEqual(range.start);
          expect(s.end).toBeLessThanOrEqual(range.end);
          expect(s.userIds.length).toBeGreaterThan(0);
          const prev = shifts[i - 1];
          if (prev) {
            expect(s.start).toBeGreaterThanOrEqual(prev.end);
            const identical = prev.end === s.start && sourceKey(prev.source) === sourceKey(s.source) && prev.userIds.join() === s.userIds.join();
            expect(identical).toBe(false);
          }
        }
        const samples = fractions.map((f) => Math.min(range.end - 1, range.start + Math.floor(f * (range.end - range.start))));
        for (const s of shifts.slice(0, 30)) samples.push(s.start, s.end - 1, s.end);
        for (const t of samples) {
          if (t < range.start || t >= range.end) continue;
          const expected = oracle(spec, t);
          const got = shiftAt(shifts, t);
          const actual = got ? { userIds: got.userIds, source: sourceKey(got.source) } : null;
          expect(actual, `at ${new Date(t).toISOString()}`).toEqual(expected);
          const now = onCallAt(spec, t);
          expect(now ? { userIds: now.userIds, source: sourceKey(now.source) } : null).toEqual(expected);
        }
      }),
      { numRuns: RUNS },
    );
  });

  test('gaps and finalSchedule tile the range exactly', () => {
    fc.assert(
      fc.property(scheduleArb, ({ spec, range }) => {
        const pieces = [...finalSchedule(spec, range), ...gaps(spec, range)].sort((a, b) => a.start - b.start);
        let pos = range.start;
        for (const p of pieces) {
          expect(p.start).toBe(pos);
          expect(p.end).toBeGreaterThan(p.start);
          pos = p.end;
        }
        expect(pos).toBe(range.end);
        for (const g of gaps(spec, range)) expect(oracle(spec, g.start)).toBeNull();
      }),
      { numRuns: RUNS },
    );
  });

  test('rendering in pieces gives the same schedule as rendering at once', () => {
    fc.assert(
      fc.property(scheduleArb, fc.double({ min: 0, max: 1, noNaN: true }), ({ spec, range }, f) => {
        const cut = range.start + Math.floor(f * (range.end - range.start));
        const whole = finalSchedule(spec, range);
        const parts = [...finalSchedule(spec, { start: range.start, end: cut }), ...finalSchedule(spec, { start: cut, end: range.end })];
        const merged: Shift[] = [];
        for (const s of parts) {
          const last = merged[merged.length - 1];
          if (last && last.end === s.start && sourceKey(last.source) === sourceKey(s.source) && last.userIds.join() === s.userIds.join()) last.end = s.end;
          else merged.push({ ...s });
        }
        expect(merged).toEqual(whole);
      }),
      { numRuns: RUNS },
    );
  });

  test('every hand-off of a day or week rotation lands at the configured local time', () => {
    const rotation = fc
      .record({
        z: zone,
        base: baseInstant.map((t) => t - (t % MIN) - 30 * DAY),
        handoff: time,
        unit: fc.constantFrom('day' as const, 'week' as const),
        count: fc.integer({ min: 1, max: 3 }),
        n: fc.integer({ min: 2, max: 4 }),
        restrictions: fc.option(fc.array(restriction, { minLength: 1, maxLength: 2 }), { nil: undefined }),
      })
      .filter(({ restrictions }) => validateScheduleSpec({ timeZone: 'UTC', layers: [{ participants: ['x'], turn: { unit: 'day', count: 1 }, start: 0, restrictions }] }).length === 0);
    fc.assert(
      fc.property(rotation, ({ z, base, handoff, unit, count, n, restrictions }) => {
        const layer: LayerSpec = {
          participants: USERS.slice(0, n),
          turn: { unit, count },
          handoffTime: handoff,
          start: base,
          ...(restrictions ? { restrictions } : {}),
        };
        const range = { start: base + 3 * DAY, end: base + 90 * DAY };
        const shifts = layerShifts(layer, z, range);
        const h = hhmm(handoff);
        const windowStarts = new Set(restrictions ? oracleWindows(restrictions).map(([s]) => s % 1440) : []);
        const windowEnds = new Set(restrictions ? oracleWindows(restrictions).map(([, e]) => e % 1440) : []);
        const startDay = localDayOf(z, base);
        const isTransition = (t: number) => DateTime.fromMillis(t - 1, { zone: z }).offset !== DateTime.fromMillis(t, { zone: z }).offset;
        const minuteOf = (t: number) => (((wall(z, t) % DAY) + DAY) % DAY) / MIN;
        for (let i = 0; i < shifts.length; i++) {
          const s = must(shifts[i], 'shifts[i]');
          const prev = shifts[i - 1];
          if (s.start === range.start) continue;
          const m = minuteOf(s.start);
          if (!restrictions) {
            // Unrestricted: shifts touch and each boundary is a hand-off on the right day.
            if (prev) expect(prev.end).toBe(s.start);
            expect(m === h || isTransition(s.start)).toBe(true);
            if (!isTransition(s.start)) expect((localDayOf(z, s.start) - startDay) % (unit === 'day' ? count : 7 * count)).toBe(0);
          } else if (prev && prev.end === s.start) {
            // A change inside a window is a hand-off.
            expect(m === h || isTransition(s.start)).toBe(true);
          } else {
            // After a gap the layer resumes at a window start.
            expect(windowStarts.has(m) || isTransition(s.start)).toBe(true);
          }
          if (s.end !== range.end && restrictions) {
            const next = shifts[i + 1];
            if (!next || next.start !== s.end) expect(windowEnds.has(minuteOf(s.end)) || isTransition(s.end)).toBe(true);
          }
        }
      }),
      { numRuns: RUNS },
    );
  });

  test('onCallAt, nextHandoffs and onCallAndHandoffs agree', () => {
    fc.assert(
      fc.property(scheduleArb, ({ spec, range }) => {
        const hs = nextHandoffs(spec, range.start, 5, 40 * DAY);
        // Who is on call at the start, from the same computation as the hand-offs: as onCallAt says.
        const both = onCallAndHandoffs(spec, range.start, 5, 40 * DAY);
        expect(both.now).toEqual(onCallAt(spec, range.start));
        expect(both.handoffs).toEqual(hs);
        if (hs[0]) expect(hs[0].previous?.userIds.slice().sort() ?? null).toEqual(both.now?.userIds.slice().sort() ?? null);
        let prevAt = range.start;
        for (const h of hs) {
          expect(h.at).toBeGreaterThan(prevAt);
          prevAt = h.at;
          const after = onCallAt(spec, h.at);
          const before = onCallAt(spec, h.at - 1);
          expect(after?.userIds.slice().sort() ?? null).toEqual(h.next?.userIds.slice().sort() ?? null);
          expect(before?.userIds.slice().sort() ?? null).toEqual(h.previous?.userIds.slice().sort() ?? null);
          expect(JSON.stringify(after?.userIds.slice().sort() ?? null)).not.toBe(JSON.stringify(before?.userIds.slice().sort() ?? null));
        }
      }),
      { numRuns: Math.ceil(RUNS / 2) },
    );
  });

  test('loadSplit: the parts add up, and each instant lands in the part its local time says', () => {
    fc.assert(
      fc.property(zone, baseInstant, fc.integer({ min: 1, max: 20 * DAY }), (z, start, len) => {
        const r = loadSplit([{ start, end: start + len }], z);
        expect(r.business + r.evening + r.night + r.weekend).toBeCloseTo(r.total, 6);
        expect(r.total).toBeCloseTo(len / HOUR, 6);
        const one = loadSplit([{ start, end: start + 1 }], z);
        const dt = DateTime.fromMillis(start, { zone: z });
        const kind = dt.weekday >= 6 ? 'weekend' : dt.hour < 9 || dt.hour >= 22 ? 'night' : dt.hour < 18 ? 'business' : 'evening';
        expect(one[kind]).toBeCloseTo(1 / HOUR, 12);
      }),
      { numRuns: 1000 },
    );
  });
});
