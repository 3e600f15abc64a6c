/**
 * Property-based tests (fast-check) of the PagerDuty mapping: random PagerDuty schedules (turn lengths
 * of days, weeks, hours, minutes and odd seconds; rotation_virtual_start before or after start; layer
 * end; daily and weekly restrictions; users repeated; zones with and without DST; overrides; the GET
 * answer listing layers either way round) are imported with the real mapper, and Klaxon's schedule
 * compute on the imported layers names the same person at random instants as PagerDuty's own
 * semantics (test/fakes/pagerduty/semantics.ts, written from PagerDuty's documentation).
 *
 * Limit: hand-offs and restriction edges are drawn outside 01:00-04:59 local time, where DST changes
 * happen: PagerDuty does not document where a hand-off due in a skipped or repeated hour falls.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { ianaZone, mapLayer, mapRestrictions, mapUrgency, mergeRules, turnOf, uniqueNames, type PdLayer as MappedLayer } from '../../src/migrate/pagerduty/map.js';
import { confirmOrder, mismatch } from '../../src/migrate/pagerduty/precedence.js';
import { onCallAt } from '../../src/schedule/compute/index.js';
import type { LayerSpec, ScheduleSpec } from '../../src/schedule/compute/types.js';
import { inSupportHours } from '../../src/service/urgency.js';
import { renderFinal, renderLayer, renderOverrides, scheduleAt, type PdLayer, type PdSchedule } from '../fakes/pagerduty/semantics.js';
import { must } from '../../src/lib/must.js';

const ZONES = ['UTC', 'Asia/Kolkata', 'Europe/Berlin', 'America/New_York', 'Australia/Sydney'];
const USERS = ['PU0', 'PU1', 'PU2', 'PU3', 'PU4'];
const BASE = Date.parse('2026-01-05T00:00:00Z');
const DAY = 86_400_000;
const SAFE_HOURS = [0, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23];

const hms = (h: number, m: number) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:00`;

const turnLength = fc.oneof(
  fc.integer({ min: 1, max: 3 }).map((d) => d * 86_400),
  fc.integer({ min: 1, max: 2 }).map((w) => w * 604_800),
  fc.integer({ min: 1, max: 47 }).map((h) => h * 3600),
  fc.integer({ min: 15, max: 600 }).map((m) => m * 60),
  fc.integer({ min: 900, max: 30_000 }),
);

const restriction = fc.oneof(
  fc.record({ h: fc.constantFrom(...SAFE_HOURS), m: fc.constantFrom(0, 30), endH: fc.constantFrom(...SAFE_HOURS), endM: fc.constantFrom(0, 30) }).map(({ h, m, endH, endM }) => {
    let dur = (endH * 60 + endM - (h * 60 + m) + 1440) % 1440;
    if (dur === 0) dur = 1440;
    return { type: 'daily_restriction' as const, start_time_of_day: hms(h, m), duration_seconds: dur * 60 };
  }),
  fc.record({ day: fc.integer({ min: 1, max: 7 }), h: fc.constantFrom(...SAFE_HOURS), days: fc.integer({ min: 0, max: 6 }), endH: fc.constantFrom(...SAFE_HOURS) }).map(({ day, h, days, endH }) => {
    const dur = days * 1440 + (((endH - h) * 60 + 1440) % 1440) || 1440;
    return { type: 'weekly_restriction' as const, start_day_of_week: day, start_time_of_day: hms(h, 0), duration_seconds: dur * 60 };
  }),
);

const layer = (zone: string, i: number) =>
  fc
    .record({
      len: turnLength,
      users: fc.array(fc.constantFrom(...USERS), { minLength: 1, maxLength: 4 }),
      vDay: fc.integer({ min: -30, max: 20 }),
      vHour: fc.constantFrom(...SAFE_HOURS.filter((h) => h > 0)),
      vMinute: fc.constantFrom(0, 15, 30),
      startOffsetHours: fc.integer({ min: -240, max: 240 }),
      endDays: fc.option(fc.integer({ min: 1, max: 60 }), { nil: undefined }),
      restrictions: fc.array(restriction, { maxLength: 2 }),
    })
    .map((r): PdLayer => {
      const v = DateTime.fromMillis(BASE, { zone }).plus({ days: r.vDay }).set({ hour: r.vHour, minute: r.vMinute }).toMillis();
      const start = v + r.startOffsetHours * 3_600_000;
      return {
        id: `PL${i}`,
        name: `Layer ${i + 1}`,
        start,
        ...(r.endDays !== undefined && { end: start + r.endDays * DAY }),
        rotation_virtual_start: v,
        rotation_turn_length_seconds: r.len,
        users: r.users,
        restrictions: r.restrictions,
      };
    });

const schedule = fc.constantFrom(...ZONES).chain((zone) =>
  fc
    .record({
      layers: fc.integer({ min: 1, max: 3 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => layer(zone, i)))),
      overrides: fc.array(fc.record({ day: fc.integer({ min: 0, max: 25 }), hours: fc.integer({ min: 1, max: 30 }), user: fc.constantFrom(...USERS) }), { maxLength: 2 }),
      reversed: fc.boolean(),
    })
    .map((r): PdSchedule & { reversed: boolean } => ({
      id: 'PS1',
      name: 'Random',
      time_zone: zone,
      layers: r.layers,
      overrides: r.overrides.map((o, i) => ({ id: `PO${i}`, start: BASE + o.day * DAY + 7 * 3_600_000, end: BASE + o.day * DAY + (7 + o.hours) * 3_600_000, user: o.user })),
      reversed: r.reversed,
    })),
);

const iso = (t: number) => new Date(t).toISOString();

/** The layer as PagerDuty's API answers it. */
function asApi(l: PdLayer): MappedLayer {
  return {
    id: l.id,
    name: l.name,
    start: iso(l.start),
    end: l.end === undefined ? null : iso(l.end),
    rotation_virtual_start: must(DateTime.fromMillis(l.rotation_virtual_start).toISO(), 'toISO()'),
    rotation_turn_length_seconds: l.rotation_turn_length_seconds,
    users: l.users.map((id) => ({ user: { id } })),
    restrictions: l.restrictions,
  };
}

/** The import's layers for Klaxon's compute: participants are the PagerDuty ids (emailOf is the identity). */
function imported(s: PdSchedule, listed: PdLayer[], order: number[]): ScheduleSpec {
  const layers: LayerSpec[] = order.map((i) => {
    const m = mapLayer(asApi(must(listed[i], 'listed[i]')), s.time_zone, (id) => id);
    expect(m.problem).toBeUndefined();
    const l = must(m.layer, 'm.layer');
    return {
      ...(l.name && { name: l.name }),
      participants: l.participants as string[],
      turn: l.turn,
      ...(l.handoffTime && { handoffTime: l.handoffTime }),
      start: Date.parse(l.start),
      ...(l.rotationStart && { rotationStart: Date.parse(l.rotationStart) }),
      ...(l.end && { end: Date.parse(l.end) }),
      ...(l.restrictions && { restrictions: l.restrictions }),
    };
  });
  return { timeZone: s.time_zone, layers, overrides: s.overrides.map((o) => ({ id: o.id, userIds: [o.user], start: o.start, end: o.end })) };
}

describe('PagerDuty schedules imported: Klaxon names the same person as PagerDuty', () => {
  it('at random instants, with the layer order confirmed from the rendered final schedule whichever way GET listed them', () => {
    fc.assert(
      fc.property(schedule, fc.array(fc.integer({ min: 0, max: 10 * 24 * 60 - 1 }), { minLength: 20, maxLength: 20 }), (s, minutes) => {
        const from = BASE;
        const to = BASE + 10 * DAY;
        const listed = s.reversed ? [...s.layers].reverse() : s.layers;
        const verdict = confirmOrder(
          listed.map((l) => renderLayer(l, s.time_zone, from, to)),
          renderOverrides(s, from, to),
          renderFinal(s, from, to),
          from,
          to,
        );
        expect(verdict.verdict).not.toBe('neither');
        if (verdict.verdict !== 'undecided' && s.layers.length > 1) expect(verdict.verdict).toBe(s.reversed ? 'reversed' : 'as-listed');
        const spec = imported(s, listed, verdict.order);
        for (const m of minutes) {
          const t = from + m * 60_000 + (m % 7) * 1000;
          const pd = scheduleAt(s, t);
          const k = onCallAt(spec, t);
          expect({ t: iso(t), who: k?.userIds ?? [] }).toEqual({ t: iso(t), who: pd ? [pd] : [] });
        }
      }),
      { numRuns: 80 },
    );
  }, 240_000);

  it('with the true precedence, everywhere (not only where the window confirmed it)', () => {
    fc.assert(
      fc.property(schedule, fc.array(fc.integer({ min: -10 * 24 * 60, max: 120 * 24 * 60 }), { minLength: 20, maxLength: 20 }), (s, minutes) => {
        const spec = imported(
          s,
          s.layers,
          s.layers.map((_, i) => i),
        );
        for (const m of minutes) {
          const t = BASE + m * 60_000;
          const pd = scheduleAt(s, t);
          expect({ t: iso(t), who: onCallAt(spec, t)?.userIds ?? [] }).toEqual({ t: iso(t), who: pd ? [pd] : [] });
        }
      }),
      { numRuns: 80 },
    );
  }, 120_000);
});

describe('PagerDuty mappers', () => {
  it('turnOf picks the largest exact unit and never rounds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 31_536_000 }), (s) => {
        const t = turnOf(s);
        const unit = { second: 1, minute: 60, hour: 3600, day: 86_400, week: 604_800 }[t.unit];
        expect(t.count * unit).toBe(s);
        expect(Number.isInteger(t.count)).toBe(true);
      }),
    );
  });

  it('mapRestrictions never throws on any input and says why whenever it cannot be exact', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            type: fc.constantFrom('daily_restriction', 'weekly_restriction', 'monthly_restriction'),
            start_time_of_day: fc.oneof(fc.constantFrom('09:00:00', '23:59:59', '00:00:30', 'x'), fc.string()),
            duration_seconds: fc.integer({ min: -10, max: 700_000 }),
            start_day_of_week: fc.option(fc.integer({ min: 0, max: 8 }), { nil: null }),
          }),
          { maxLength: 4 },
        ),
        (rs) => {
          const r = mapRestrictions(rs);
          const exactInput = rs.every(
            (x) =>
              /^\d\d:\d\d:00$/.test(x.start_time_of_day) &&
              x.duration_seconds > 0 &&
              x.duration_seconds % 60 === 0 &&
              x.type !== 'monthly_restriction' &&
              (x.type === 'daily_restriction' || (must(x.start_day_of_week, 'x.start_day_of_week') >= 1 && must(x.start_day_of_week, 'x.start_day_of_week') <= 7)),
          );
          if (!exactInput) expect(r.inexact.length).toBeGreaterThan(0);
          if (r.empty) expect(r.inexact.length).toBeGreaterThan(0);
          for (const x of r.restrictions) expect(x.kind === 'daily' ? x.start !== x.end : x.kind === 'weekly' ? `${x.startDay}${x.startTime}` !== `${x.endDay}${x.endTime}` : true).toBe(true);
        },
      ),
    );
  });

  it('mergeRules keeps every (method, delay, urgency) a person had, and nothing else', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ contactMethod: fc.constantFrom('a', 'b', 'c'), delayMinutes: fc.integer({ min: 0, max: 30 }), urgency: fc.constantFrom<'high' | 'low'>('high', 'low') })),
        (rules) => {
          const merged = mergeRules(rules);
          const expand = new Set(merged.flatMap((r) => (r.urgency ? [r.urgency] : ['high', 'low']).map((u) => `${r.contactMethod}/${r.delayMinutes}/${u}`)));
          expect(expand).toEqual(new Set(rules.map((r) => `${r.contactMethod}/${r.delayMinutes}/${r.urgency}`)));
          expect(new Set(merged.map((r) => `${r.contactMethod}/${r.delayMinutes}`)).size).toBe(merged.length);
        },
      ),
    );
  });

  it("mapUrgency's support hours contain exactly the instants PagerDuty's do (listed days, start <= local time < end)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom('America/Lima', 'Europe/Berlin', 'Asia/Kolkata'),
        fc.uniqueArray(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 7 }),
        fc.integer({ min: 0, max: 22 }),
        fc.integer({ min: 1, max: 23 }),
        fc.integer({ min: 0, max: 365 * 24 * 60 }),
        (zone, days, a, len, minute) => {
          const b = Math.min(24, a + len);
          const h = { type: 'fixed_time_per_day', time_zone: zone, days_of_week: days, start_time: hms(a, 0), end_time: b === 24 ? '00:00:00' : hms(b, 0) };
          const u = mapUrgency({
            incident_urgency_rule: { type: 'use_support_hours', during_support_hours: { type: 'constant', urgency: 'high' }, outside_support_hours: { type: 'constant', urgency: 'low' } },
            support_hours: h,
          });
          expect(u.inexact).toEqual([]);
          const t = BASE + minute * 60_000;
          const local = DateTime.fromMillis(t, { zone });
          const pd = days.includes(local.weekday) && local.hour >= a && local.hour < b;
          expect(inSupportHours(must(u.supportHours, 'u.supportHours'), t)).toBe(pd);
        },
      ),
    );
  });

  it('confirmOrder says "neither" when no order of the layers gives the final schedule, and picks the closer one', () => {
    const e = (start: number, end: number, user: string) => ({ start, end, user });
    const r = confirmOrder([[e(0, 10, 'a')], [e(5, 8, 'b')]], [], [e(0, 10, 'c')], 0, 10);
    expect(r.verdict).toBe('neither');
    const s = confirmOrder([[e(0, 10, 'a')], [e(5, 8, 'b')]], [], [e(0, 5, 'a'), e(5, 6, 'c'), e(6, 8, 'b'), e(8, 10, 'a')], 0, 10);
    expect(s).toMatchObject({ verdict: 'neither', order: [0, 1], mismatchMs: { asListed: 1, reversed: 3 } });
  });

  it('uniqueNames gives every object a distinct name within the length limit, and keeps names that were already unique', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.record({ id: fc.stringMatching(/^P[A-Z0-9]{6}$/), name: fc.oneof(fc.constantFrom('Primary', 'primary', 'Ops', ''), fc.string({ maxLength: 120 })) }), {
          selector: (x) => x.id,
          maxLength: 12,
        }),
        fc.integer({ min: 20, max: 200 }),
        (xs, max) => {
          const names = uniqueNames(
            xs,
            (x) => x.name,
            (x) => x.id,
            max,
          );
          const all = xs.map((x) => must(names.get(x.id), 'names.get(x.id)'));
          expect(new Set(all.map((n) => n.toLowerCase())).size).toBe(xs.length);
          for (const n of all) expect(n.length).toBeLessThanOrEqual(max);
          for (const x of xs) {
            const clash = xs.filter((y) => y.name.trim().toLowerCase() === x.name.trim().toLowerCase()).length > 1;
            if (!clash && x.name.trim() && x.name.trim().length <= max) expect(names.get(x.id)).toBe(x.name.trim());
          }
        },
      ),
    );
  });

  it('ianaZone passes IANA names through and maps known ActiveSupport names; anything else is unknown', () => {
    expect(ianaZone('Eastern Time (US & Canada)')).toBe('America/New_York');
    expect(ianaZone('Europe/Berlin')).toBe('Europe/Berlin');
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.constantFrom('America/Lima', 'Mars/Olympus', 'Tokyo', 'EST5EDT', 'constructor', 'toString', '__proto__', 'hasOwnProperty')), (s) => {
        const z = ianaZone(s);
        expect(z === undefined || DateTime.now().setZone(z).isValid).toBe(true);
      }),
    );
  });

  it('mismatch is zero exactly when the predicted and final schedules agree', () => {
    const e = (start: number, end: number, user: string) => ({ start, end, user });
    expect(mismatch([[e(0, 10, 'a')], [e(5, 8, 'b')]], [], [e(0, 5, 'a'), e(5, 8, 'b'), e(8, 10, 'a')], 0, 10)).toBe(0);
    expect(mismatch([[e(5, 8, 'b')], [e(0, 10, 'a')]], [], [e(0, 5, 'a'), e(5, 8, 'b'), e(8, 10, 'a')], 0, 10)).toBe(3);
  });
});
