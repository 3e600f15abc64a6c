/**
 * Property-based tests of the Opsgenie mapping (fast-check):
 * - random Opsgenie schedules (hourly/daily/weekly rotations of random lengths, user, team and "none"
 *   participants, both kinds of time restriction, end dates, overrides of all rotations, zones with
 *   and without DST) imported with the importer's own mapping: Klaxon's on-call at random instants
 *   (Klaxon's schedule compute on the imported layers, union layering) equals the evaluation of
 *   Opsgenie's documented semantics in test/fakes/opsgenie/semantics.ts;
 * - random escalations: every Opsgenie rule fires, in every repeat round, at the minute Opsgenie
 *   fires it (delays from alert creation), with Klaxon's initial delay and per-level waits;
 * - restrictions and phone numbers: the mappers never throw on any input of their shape.
 * Hand-off and restriction times avoid the local hours 00:30-03:59 where DST moves clocks in the
 * zones used: at a time that does not exist or exists twice, Opsgenie does not document what happens.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { localToInstant, onCallAt, type LayerSpec, type ScheduleSpec } from '../../src/schedule/compute/index.js';
import { e164, mapNotificationRules } from '../../src/migrate/opsgenie/index.js';
import { planLevels, restrictionsOf, rotationToLayer, type People } from '../../src/migrate/opsgenie/map.js';
import type { OgEscalation, OgNotificationRule, OgRotation } from '../../src/migrate/opsgenie/api.js';
import type { ReportItem } from '../../src/migrate/types.js';
import { scheduleAt, type Override, type Participant, type Rotation, type Schedule } from '../fakes/opsgenie/semantics.js';
import { must } from '../../src/lib/must.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const BASE = Date.parse('2026-02-16T00:00:00Z');
const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'Australia/Sydney', 'Asia/Kolkata', 'America/Sao_Paulo'];
const USERS = ['u1', 'u2', 'u3', 'u4'];
const TEAM = { id: 't1', members: ['u2', 'u3'] };
const DAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

const email = (id: string) => `${id}@example.com`;
const people: People = {
  email: (p) => (p.id ? email(p.id) : p.username),
  teamEmails: (id) => (id === TEAM.id ? TEAM.members.map(email) : undefined),
  escalationEmails: () => undefined,
};

/** A local hour outside 00:30-03:59 (DST changes) and its minute (Opsgenie allows :00 and :30). */
const safeHour = fc.oneof(fc.constant(0), fc.integer({ min: 4, max: 23 }));
const clock = fc.record({ h: safeHour, m: fc.constantFrom(0, 30) }).filter(({ h, m }) => !(h === 0 && m === 30));

const participant: fc.Arbitrary<Participant> = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...USERS).map((id) => ({ type: 'user' as const, id, username: email(id) })) },
  { weight: 1, arbitrary: fc.constant({ type: 'none' as const }) },
  { weight: 1, arbitrary: fc.constant({ type: 'team' as const, id: TEAM.id, name: 'Team' }) },
);

const restriction = fc.oneof(
  fc.constant(undefined),
  fc.record({ s: clock, e: clock }).map(({ s, e }) => ({ type: 'time-of-day' as const, restriction: { startHour: s.h, startMin: s.m, endHour: e.h, endMin: e.m } })),
  fc
    .array(fc.record({ sd: fc.constantFrom(...DAYS), s: clock, ed: fc.constantFrom(...DAYS), e: clock }), { minLength: 1, maxLength: 3 })
    .map((ws) => ({ type: 'weekday-and-time-of-day' as const, restrictions: ws.map((w) => ({ startDay: w.sd, startHour: w.s.h, startMin: w.s.m, endDay: w.ed, endHour: w.e.h, endMin: w.e.m })) })),
);

/** A rotation whose start is a local wall-clock time (safe hour) some days around BASE, in `zone`. */
const rotation = (zone: string, i: number): fc.Arbitrary<Rotation> =>
  fc
    .record({
      type: fc.constantFrom('hourly' as const, 'daily' as const, 'weekly' as const),
      length: fc.integer({ min: 1, max: 4 }),
      day: fc.integer({ min: -20, max: 10 }),
      at: clock,
      participants: fc.array(participant, { minLength: 1, maxLength: 5 }),
      timeRestriction: restriction,
      endAfterDays: fc.option(fc.integer({ min: 1, max: 60 }), { nil: undefined }),
    })
    .map((r) => {
      const startLocal = new Date(BASE + r.day * DAY).toISOString().slice(0, 10) + `T${String(r.at.h).padStart(2, '0')}:${String(r.at.m).padStart(2, '0')}`;
      const start = localToInstant(startLocal, zone);
      return {
        id: `r${i}`,
        name: `Rotation ${i}`,
        startDate: new Date(start).toISOString(),
        ...(r.endAfterDays !== undefined && { endDate: new Date(start + r.endAfterDays * DAY).toISOString() }),
        type: r.type,
        length: r.type === 'hourly' ? r.length * 3 : r.length,
        participants: r.participants,
        ...(r.timeRestriction && { timeRestriction: r.timeRestriction }),
      };
    });

const scheduleArb = fc.constantFrom(...ZONES).chain((zone) =>
  fc.record({
    zone: fc.constant(zone),
    rotations: fc.integer({ min: 1, max: 4 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => rotation(zone, i)))),
    overrides: fc.array(fc.record({ user: fc.constantFrom(...USERS), startH: fc.integer({ min: 0, max: 60 * 24 }), hours: fc.integer({ min: 1, max: 72 }) }), { maxLength: 2 }),
    instants: fc.array(fc.integer({ min: 0, max: 70 * DAY - 1 }), { minLength: 20, maxLength: 40 }),
  }),
);

describe('Opsgenie schedules imported into Klaxon', () => {
  it('Klaxon has the same people on call as Opsgenie at random instants', () => {
    fc.assert(
      fc.property(scheduleArb, ({ zone, rotations, overrides, instants }) => {
        const og: Schedule = { id: 's', name: 'S', timezone: zone, rotations };
        const ogOverrides: Override[] = overrides.map((o, i) => ({
          alias: `o${i}`,
          user: { type: 'user', id: o.user, username: email(o.user) },
          startDate: new Date(BASE + o.startH * HOUR).toISOString(),
          endDate: new Date(BASE + (o.startH + o.hours) * HOUR).toISOString(),
        }));
        const items: ReportItem[] = [];
        const layers: LayerSpec[] = [];
        for (const r of rotations) {
          const l = rotationToLayer(r as OgRotation, { id: 's', name: 'S', timezone: zone }, people, items);
          expect(l).toBeDefined();
          const layer = must(l, 'l');
          layers.push({
            ...(layer.name !== undefined && { name: layer.name }),
            participants: layer.participants,
            turn: layer.turn,
            start: localToInstant(layer.start, zone),
            ...(layer.end !== undefined && { end: localToInstant(layer.end, zone) }),
            ...(layer.restrictions && { restrictions: layer.restrictions }),
          } as LayerSpec);
        }
        const spec: ScheduleSpec = {
          timeZone: zone,
          layering: 'union',
          layers,
          overrides: ogOverrides.map((o) => ({ id: o.alias, userIds: [o.user.username], start: Date.parse(o.startDate), end: Date.parse(o.endDate) })),
        };
        for (const dt of instants) {
          const t = BASE + dt;
          const expected = new Set<string>();
          for (const x of scheduleAt(og, ogOverrides, t).values()) {
            if (x.recipient.type === 'user') expected.add(must(x.recipient.username, 'x.recipient.username'));
            if (x.recipient.type === 'team') for (const m of TEAM.members) expected.add(email(m));
          }
          const got = onCallAt(spec, t)?.userIds ?? [];
          expect([...new Set(got)].sort(), `${zone} at ${new Date(t).toISOString()}`).toEqual([...expected].sort());
        }
      }),
      { numRuns: 150 },
    );
  });

  it('a rotation with only "none" participants, or unknown ones, puts nobody on call and says so', () => {
    const items: ReportItem[] = [];
    const l = rotationToLayer(
      { id: 'r', name: 'R', startDate: '2026-03-02T09:00:00Z', type: 'daily', length: 1, participants: [{ type: 'none' }, { type: 'team', id: 'nope' }] },
      { id: 's', name: 'S', timezone: 'UTC' },
      people,
      items,
    );
    expect(must(l, 'l').participants).toEqual([[], []]);
    expect(items.map((i) => i.why)).toEqual(['participant team nope is unknown to the import (not in the users, teams or escalations read)']);
  });
});

describe('Opsgenie escalations imported into Klaxon', () => {
  const ruleArb = fc.record({
    condition: fc.constantFrom('if-not-acked' as const, 'if-not-closed' as const),
    minutes: fc.integer({ min: 0, max: 120 }),
    unit: fc.constantFrom('minutes', 'hours'),
  });
  it('every rule fires at the minute Opsgenie fires it, in every repeat round', () => {
    fc.assert(
      fc.property(
        fc.array(ruleArb, { minLength: 1, maxLength: 8 }),
        fc.option(fc.record({ waitInterval: fc.integer({ min: 0, max: 60 }), count: fc.integer({ min: 1, max: 3 }) }), { nil: undefined }),
        (rules, repeat) => {
          const esc: OgEscalation = {
            id: 'e',
            name: 'E',
            rules: rules.map((r, i) => ({
              condition: r.condition,
              notifyType: 'default',
              delay: { timeAmount: r.unit === 'hours' ? Math.floor(r.minutes / 30) : r.minutes, timeUnit: r.unit },
              recipient: { type: 'user', id: `u${i}` },
            })),
            repeat: repeat ?? null,
          };
          const plan = planLevels(esc);
          const delays = esc.rules.map((r) => r.delay.timeAmount * (r.delay.timeUnit === 'hours' ? 60 : 1));
          const last = Math.max(...delays);
          const rounds = (repeat?.count ?? 0) + 1;
          // Klaxon: level 1 at the initial delay, each next level after the previous level's wait, round after round.
          let t = plan.initialDelayMinutes;
          for (let round = 0; round < rounds; round++) {
            for (const level of plan.levels) {
              expect(level.delayMinutes).toBeGreaterThanOrEqual(0);
              for (const rule of level.rules) {
                const i = esc.rules.indexOf(rule);
                expect(t).toBe(round * (last + (repeat?.waitInterval ?? 0)) + must(delays[i], 'delays[i]'));
                expect(level.until).toBe(rule.condition === 'if-not-closed' ? 'resolved' : 'acknowledged');
              }
              t += level.delayMinutes;
            }
          }
          expect(plan.levels.reduce((n, l) => n + l.rules.length, 0)).toBe(esc.rules.length);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('Opsgenie mappers on any input', () => {
  it('restrictions map or are reported, never throw', () => {
    fc.assert(
      fc.property(fc.anything(), (x) => {
        const items: ReportItem[] = [];
        const out = restrictionsOf(x as never, { kind: 'k', name: 'n', id: 'i' }, items);
        expect(out === undefined || Array.isArray(out)).toBe(true);
      }),
    );
    fc.assert(
      fc.property(fc.constantFrom('time-of-day', 'weekday-and-time-of-day'), fc.anything(), fc.anything(), (type, restriction, restrictions) => {
        const items: ReportItem[] = [];
        restrictionsOf({ type, restriction, restrictions: Array.isArray(restrictions) ? restrictions : [] } as never, { kind: 'k', name: 'n', id: 'i' }, items);
      }),
    );
  });
  it('phone numbers become E.164 or nothing', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const p = e164(s);
        if (p !== undefined) expect(p).toMatch(/^\+\d{6,15}$/);
      }),
    );
    expect(e164('1-5550000000')).toBe('+15550000000');
    expect(e164('90-5055555555')).toBe('+905055555555');
  });
});

describe('Opsgenie notification rules imported into Klaxon', () => {
  const stepArb = fc.record({
    method: fc.constantFrom('email', 'sms', 'voice', 'mobile'),
    amount: fc.integer({ min: 0, max: 30 }),
    unit: fc.constantFrom('minutes', 'hours', 'days'),
    enabled: fc.boolean(),
  });
  const ruleArb = fc.record({
    actionType: fc.constantFrom('create-alert', 'create-alert', 'acknowledged-alert', 'schedule-start'),
    enabled: fc.boolean(),
    conditional: fc.boolean(),
    restricted: fc.boolean(),
    steps: fc.array(stepArb, { maxLength: 6 }),
  });
  it("the chosen rule's enabled steps come over with their exact minutes; every other rule and step is reported", () => {
    fc.assert(
      fc.property(fc.array(ruleArb, { maxLength: 5 }), (raw) => {
        const rules: OgNotificationRule[] = raw.map((r, i) => ({
          id: `r${i}`,
          name: `Rule ${i}`,
          actionType: r.actionType,
          order: i,
          enabled: r.enabled,
          criteria: r.conditional ? { type: 'match-any-condition', conditions: [{ field: 'priority' }] } : { type: 'match-all' },
          timeRestriction: r.restricted ? { type: 'time-of-day', restriction: { startHour: 9, startMin: 0, endHour: 17, endMin: 0 } } : null,
          steps: r.steps.map((x) => ({ sendAfter: { timeAmount: x.amount, timeUnit: x.unit }, contact: { method: x.method, to: `${x.method}-to` }, enabled: x.enabled })),
        }));
        const nameOf = new Map(['email', 'sms', 'voice'].map((m) => [`${m}\n${m}-to`, m]));
        const items: ReportItem[] = [];
        const out = mapNotificationRules({ id: 'u', username: 'u@x' }, 'u@x', rules, nameOf, items);
        const create = rules.filter((r) => r.actionType === 'create-alert' && r.enabled !== false);
        const unconditional = create.find((r) => r.criteria?.type === 'match-all' && !r.timeRestriction);
        const chosen = unconditional ?? create[0];
        const per = { minutes: 1, hours: 60, days: 1440 } as Record<string, number>;
        const expected = new Map<string, { contactMethod: string; delayMinutes: number }>();
        for (const st of chosen?.steps ?? []) {
          const after = must(st.sendAfter, 'st.sendAfter');
          const d = after.timeAmount * must(per[must(after.timeUnit, 'st.sendAfter.timeUnit')], `minutes per ${after.timeUnit}`);
          if (st.enabled === false || st.contact.method === 'mobile' || d > 1440) continue;
          expected.set(`${st.contact.method} ${d}`, { contactMethod: st.contact.method, delayMinutes: d });
        }
        expect(out).toEqual([...expected.values()]);
        // Every rule that is not the chosen one is in the report by its id.
        for (const r of rules) if (r !== chosen) expect(items.some((i) => i.id === r.id)).toBe(true);
        if (chosen && chosen !== unconditional) expect(items.some((i) => i.id === chosen.id && i.severity === 'changed')).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
