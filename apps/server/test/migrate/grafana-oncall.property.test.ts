/**
 * Property-based: random Grafana OnCall shifts (rolling_users hourly/daily/weekly with intervals,
 * partial durations, weekday masks, week starts, rotation_start, until; recurrent events; single
 * events; overrides; levels; zones with and without DST) are imported with the importer's mapping;
 * at every instant where either side changes, Klaxon's final schedule (its schedule compute on the
 * imported layers) names the same people as Grafana's own rules (test/fakes/grafana-oncall/semantics.ts,
 * written from Grafana's documentation and engine, sharing no code with either). A shift that is not
 * imported is reported as such, with why.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ScheduleLayerSpec } from '../../src/config/schema.js';
import { mapShift } from '../../src/migrate/grafana-oncall/shifts.js';
import { scheduleOverrides } from '../../src/migrate/grafana-oncall/map.js';
import type { ReportItem } from '../../src/migrate/types.js';
import type { GShift } from '../../src/migrate/grafana-oncall/api.js';
import { finalSchedule, validateScheduleSpec, type LayerSpec, type ScheduleSpec } from '../../src/schedule/compute/index.js';
import { parseInstant } from '../../src/schedule/types.js';
import { resolveFinal, shiftEvents, type SemShift } from '../fakes/grafana-oncall/semantics.js';
import { must } from '../../src/lib/must.js';

const DAY = 86_400_000;
const USERS = ['U1', 'U2', 'U3', 'U4', 'U5'];
const emailOf = (id: string) => (USERS.includes(id) ? `${id.toLowerCase()}@example.com` : undefined);
const ZONES = ['UTC', 'Asia/Kolkata', 'Europe/Berlin', 'America/New_York', 'Australia/Sydney', 'America/Sao_Paulo'];
const DST_FREE = ['UTC', 'Asia/Kolkata', 'America/Sao_Paulo'];
const CODES = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];
/** Whole hours that are never inside a clock change in these zones (Grafana refuses such local times). */
const HOURS = [0, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23];
const BASE = Date.UTC(2026, 0, 5); // a Monday
const NOW = Date.UTC(2026, 2, 9, 12); // "now" for the import: the span covers March's and April's clock changes

const wallAt = (day: number, hour: number) => new Date(BASE + day * DAY + hour * 3600_000).toISOString().slice(0, 19);
const okHour = (h: number) => HOURS.includes(((h % 24) + 24) % 24);

const groups = fc.array(fc.uniqueArray(fc.constantFrom(...USERS), { minLength: 1, maxLength: 2 }), { minLength: 1, maxLength: 3 });

const rolling = fc
  .record({
    freq: fc.constantFrom('hourly', 'daily', 'weekly'),
    interval: fc.integer({ min: 1, max: 3 }),
    day: fc.integer({ min: 0, max: 50 }),
    hour: fc.constantFrom(...HOURS),
    full: fc.boolean(),
    partialHours: fc.integer({ min: 1, max: 160 }),
    groups,
    from: fc.integer({ min: 0, max: 3 }),
    byDay: fc.option(fc.uniqueArray(fc.constantFrom(...CODES), { minLength: 1, maxLength: 7 }), { nil: null }),
    weekStart: fc.constantFrom(...CODES),
    rotationDays: fc.option(fc.integer({ min: 0, max: 40 }), { nil: null }),
    rotationHour: fc.constantFrom(...HOURS),
    untilDays: fc.option(fc.integer({ min: 60, max: 110 }), { nil: null }),
    recurrent: fc.boolean(),
  })
  .map((r) => {
    const periodH = r.interval * (r.freq === 'hourly' ? 1 : r.freq === 'daily' ? 24 : 168);
    const durH = r.full ? periodH : r.freq === 'hourly' ? Math.max(1, Math.min(periodH, r.partialHours % 12)) : Math.min(r.partialHours, periodH);
    const shift: SemShift & GShift = {
      id: '',
      name: '',
      type: r.recurrent ? 'recurrent_event' : 'rolling_users',
      time_zone: null,
      level: 0,
      start: wallAt(r.day, r.hour),
      rotation_start: r.rotationDays === null ? wallAt(r.day, r.hour) : wallAt(r.day + r.rotationDays, r.rotationHour),
      duration: durH * 3600,
      frequency: r.freq as 'hourly' | 'daily' | 'weekly',
      interval: r.interval,
      until: r.untilDays === null ? null : wallAt(r.day + r.untilDays, 0),
      week_start: r.weekStart,
      by_day: r.freq === 'hourly' ? null : r.byDay,
      ...(r.recurrent ? { users: must(r.groups[0], 'r.groups[0]') } : { rolling_users: r.groups, start_rotation_from_user_index: r.from }),
    };
    return { shift, endHourOk: okHour(r.hour + durH) };
  });

const oneOff = fc
  .record({
    day: fc.integer({ min: 55, max: 110 }),
    hour: fc.constantFrom(...HOURS),
    hours: fc.integer({ min: 1, max: 72 }),
    users: fc.uniqueArray(fc.constantFrom(...USERS), { minLength: 1, maxLength: 2 }),
    override: fc.boolean(),
  })
  .map((r) => {
    const shift: SemShift & GShift = {
      id: '',
      name: '',
      type: r.override ? 'override' : 'single_event',
      time_zone: null,
      level: 0,
      start: wallAt(r.day, r.hour),
      duration: r.hours * 3600,
      users: r.users,
      ...(r.override ? { rolling_users: [r.users] } : {}),
    };
    return { shift, endHourOk: okHour(r.hour + r.hours) };
  });

const schedule = fc
  .record({
    zone: fc.constantFrom(...ZONES),
    shifts: fc.array(fc.oneof({ weight: 4, arbitrary: rolling }, { weight: 1, arbitrary: oneOff }), { minLength: 1, maxLength: 3 }),
    levels: fc.shuffledSubarray([0, 1, 2, 3, 4], { minLength: 3, maxLength: 3 }),
  })
  .filter((s) => s.shifts.every((x) => x.endHourOk) && !s.shifts.some((x) => x.shift.frequency === 'hourly' && !DST_FREE.includes(s.zone)))
  .map((s) => ({
    zone: s.zone,
    // Distinct levels: one layer per level, where Klaxon's precedence is Grafana's level rule exactly
    // (several shifts at one level need layering: union, from the Opsgenie branch).
    shifts: s.shifts.map((x, i) => ({ ...x.shift, id: `OS${i}`, name: `shift ${i}`, level: must(s.levels[i], 's.levels[i]') })),
  }));

function toCompute(zone: string, layers: ScheduleLayerSpec[]): ScheduleSpec {
  const out: LayerSpec[] = layers.map((l) => {
    const z = l.timeZone ?? zone;
    return {
      name: l.name,
      participants: l.participants,
      turn: l.turn,
      ...(l.handoffTime ? { handoffTime: l.handoffTime } : {}),
      timeZone: z,
      start: must(parseInstant(l.start, z), 'parseInstant(l.start, z)'),
      ...(l.end ? { end: must(parseInstant(l.end, z), 'parseInstant(l.end, z)') } : {}),
      ...(l.restrictions ? { restrictions: l.restrictions } : {}),
      ...(l.priority !== undefined ? { priority: l.priority } : {}),
    };
  });
  return { timeZone: zone, layers: out };
}

describe('Grafana OnCall shifts imported: Klaxon on call = Grafana on call', () => {
  it('at every change of either side over ten weeks', () => {
    let imported = 0;
    let overridden = 0;
    fc.assert(
      fc.property(schedule, ({ zone, shifts }) => {
        const layers: ScheduleLayerSpec[] = [];
        const kept: SemShift[] = [];
        const overrides: Parameters<typeof scheduleOverrides>[0][number][] = [];
        for (const s of shifts) {
          const m = mapShift(s, zone, emailOf, NOW);
          if (m.override) {
            overrides.push({ ...m.override, id: s.id, name: s.name });
            kept.push(s);
          } else if (m.layer) {
            layers.push(m.layer);
            kept.push(s);
          } else if (m.past) kept.push(s);
          else {
            // Not imported: the report says so and why.
            expect(m.items.some((i) => i.severity === 'not-imported' && i.id === s.id && i.why.length > 10)).toBe(true);
          }
        }
        imported += layers.length;
        // Overrides go to the schedule's overrides (overlapping ones cut into pieces naming everyone).
        const items: ReportItem[] = [];
        const spec = {
          ...toCompute(zone, layers),
          overrides: scheduleOverrides(overrides, zone, { name: 'S', id: 'S' }, items).map((o, i) => ({
            id: `o${i}`,
            userIds: o.users,
            start: must(parseInstant(o.start, zone), 'parseInstant(o.start, zone)'),
            end: must(parseInstant(o.end, zone), 'parseInstant(o.end, zone)'),
          })),
        };
        overridden += spec.overrides.length;
        expect(items.filter((i) => i.severity === 'not-imported')).toEqual([]);
        expect(validateScheduleSpec(spec)).toEqual([]);
        const from = NOW;
        const to = NOW + 70 * DAY;
        const events = kept.flatMap((s) => shiftEvents(s, zone, to));
        const klaxon = finalSchedule(spec, { start: from, end: to });
        const points = new Set<number>([from]);
        for (const e of events) for (const t of [e.start, e.end]) if (t >= from && t < to) points.add(t);
        for (const k of klaxon) for (const t of [k.start, k.end]) if (t >= from && t < to) points.add(t);
        for (const t of points) {
          const g = [...new Set(resolveFinal(events, t, t + 1).map((r) => must(emailOf(r.user), 'emailOf(r.user)')))].sort();
          const k = [...(klaxon.find((x) => x.start <= t && t < x.end)?.userIds ?? [])].sort();
          expect({ at: new Date(t).toISOString(), who: k }).toEqual({ at: new Date(t).toISOString(), who: g });
        }
      }),
      { numRuns: 150 },
    );
    // The generator must reach the exact mappings, not only the reported ones.
    expect(imported).toBeGreaterThan(80);
    expect(overridden).toBeGreaterThan(10);
  }, 120_000);
});
