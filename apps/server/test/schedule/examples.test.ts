/**
 * The examples a person checks by hand, through the schedule service on a real database: a weekly
 * rotation of three, follow-the-sun across three zones, a sick-day override, a swap, a holiday
 * skip, "take it now", and on-call load in each person's own zone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM, type Actor } from '../../src/auth/actor.js';
import { AppError } from '../../src/lib/errors.js';
import { scheduleToInput } from '../../src/schedule/portable.js';
import * as schedules from '../../src/schedule/service.js';
import { DIALECTS } from '../harness.js';
import { iso, world, type World } from './helpers.js';
import { must } from '../../src/lib/must.js';

const HOUR = 3_600_000;

async function refused(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof AppError) return e.code;
    throw e;
  }
  return 'ok';
}

describe.each(DIALECTS)('schedule examples (%s)', (dialect) => {
  let w: World;
  let admin: Actor;
  let alice: Actor & { type: 'user'; email: string };
  let bob: Actor & { type: 'user'; email: string };
  let carol: Actor & { type: 'user'; email: string };
  let viewer: Actor & { type: 'user'; email: string };
  let primary: string;

  const who = async (at: string, id = primary) => {
    const r = await schedules.getOnCall(w.ctx, admin, id, at);
    return r.users.map((u) => u.name).join('+') || null;
  };

  beforeAll(async () => {
    // Monday 2 March 2026, 09:00 in Berlin.
    w = await world(dialect, '2026-03-02T08:00:00Z');
    admin = await w.person('Admin', { role: 'admin' });
    alice = await w.person('Alice');
    bob = await w.person('Bob');
    carol = await w.person('Carol', { timeZone: 'America/New_York' });
    viewer = await w.person('Vic', { role: 'viewer' });
    // alice, bob and carol take a week each, handing off Mondays 09:00 Berlin time.
    const s = await schedules.createSchedule(w.ctx, admin, {
      name: 'Primary',
      timeZone: 'Europe/Berlin',
      layers: [{ name: 'weekly', participants: [alice.email, bob.id, carol.id], turn: { unit: 'week', count: 1 }, handoffTime: '09:00', start: '2026-03-02T09:00' }],
    });
    primary = s.id;
  });
  afterAll(() => w?.close());

  it('weekly rotation of three: who is on call, hand-offs at 09:00 local across the DST change', async () => {
    const now = await schedules.getOnCall(w.ctx, admin, 'Primary');
    expect(now.users.map((u) => u.name)).toEqual(['Alice']);
    expect(now.source).toEqual({ kind: 'layer', layerIndex: 0, layerName: 'weekly' });
    expect(iso(must(now.until, 'now.until'))).toBe('2026-03-09T08:00:00.000Z');
    expect(now.next.map((u) => u.name)).toEqual(['Bob']);

    expect(await who('2026-03-09T08:59')).toBe('Alice');
    expect(await who('2026-03-09T09:00')).toBe('Bob');
    expect(await who('2026-03-18T03:00')).toBe('Carol');
    // Berlin springs forward on Sunday 29 March: the hand-off stays at 09:00 local (07:00 UTC).
    expect(await who('2026-03-30T06:59:00Z')).toBe('Alice');
    expect(await who('2026-03-30T07:00:00Z')).toBe('Bob');

    const final = await schedules.getFinalSchedule(w.ctx, admin, 'Primary', { from: '2026-03-02', to: '2026-03-23' });
    expect(final.shifts.map((s) => [iso(s.start), iso(s.end), must(final.users[must(s.userIds[0], 's.userIds[0]')], 'final.users[s.userIds[0]]').name])).toEqual([
      ['2026-03-02T08:00:00.000Z', '2026-03-09T08:00:00.000Z', 'Alice'],
      ['2026-03-09T08:00:00.000Z', '2026-03-16T08:00:00.000Z', 'Bob'],
      ['2026-03-16T08:00:00.000Z', '2026-03-22T23:00:00.000Z', 'Carol'],
    ]);
    // Nobody before the rotation's first hand-off on 2 March.
    expect(final.gaps.map((g) => [iso(g.start), iso(g.end)])).toEqual([['2026-03-01T23:00:00.000Z', '2026-03-02T08:00:00.000Z']]);

    const bobs = await schedules.getUserShifts(w.ctx, admin, bob.email);
    expect(bobs.shifts.map((s) => [s.scheduleName, iso(s.start), iso(s.end)])).toEqual([
      ['Primary', '2026-03-09T08:00:00.000Z', '2026-03-16T08:00:00.000Z'],
      ['Primary', '2026-03-30T07:00:00.000Z', '2026-03-30T08:00:00.000Z'], // clipped at now + 28 days
    ]);
  });

  it('a sick-day override: carol covers bob on Wednesday, then bob is back', async () => {
    // bob may not put someone else in; carol may put herself in; admins anyone.
    expect(await refused(schedules.addOverride(w.ctx, bob, primary, { userIds: [carol.id], start: '2026-03-11T09:00', end: '2026-03-12T09:00' }))).toBe('forbidden');
    expect(await refused(schedules.addOverride(w.ctx, viewer, primary, { userIds: [viewer.id], start: '2026-03-11T09:00', end: '2026-03-12T09:00' }))).toBe('forbidden');
    expect(await refused(schedules.addOverride(w.ctx, carol, primary, { userIds: [carol.id], start: '2026-03-12T09:00', end: '2026-03-11T09:00' }))).toBe('invalid');
    const o = await schedules.addOverride(w.ctx, carol, primary, { userIds: [carol.email], start: '2026-03-11T09:00', end: '2026-03-12T09:00', note: 'bob is sick' });
    expect(iso(o.start)).toBe('2026-03-11T08:00:00.000Z');

    const wed = await schedules.getOnCall(w.ctx, admin, primary, '2026-03-11T12:00');
    expect(wed.users.map((u) => u.name)).toEqual(['Carol']);
    expect(wed.source).toEqual({ kind: 'override', overrideId: o.id });
    expect(iso(must(wed.until, 'wed.until'))).toBe('2026-03-12T08:00:00.000Z');
    expect(await who('2026-03-12T10:00')).toBe('Bob');

    const week = await schedules.getFinalSchedule(w.ctx, admin, primary, { from: '2026-03-09T09:00', to: '2026-03-16T09:00' });
    expect(week.shifts.map((s) => [iso(s.start), must(week.users[must(s.userIds[0], 's.userIds[0]')], 'week.users[s.userIds[0]]').name, s.source.kind])).toEqual([
      ['2026-03-09T08:00:00.000Z', 'Bob', 'layer'],
      ['2026-03-11T08:00:00.000Z', 'Carol', 'override'],
      ['2026-03-12T08:00:00.000Z', 'Bob', 'layer'],
    ]);

    expect(await refused(schedules.removeOverride(w.ctx, alice, o.id))).toBe('forbidden');
    await schedules.removeOverride(w.ctx, carol, o.id);
    expect(await who('2026-03-11T12:00')).toBe('Bob');
  });

  it('a swap: alice offers her Wednesday, bob takes it, nobody else can take it again', async () => {
    // alice's second week is 23-30 March.
    expect(await refused(schedules.offerSwap(w.ctx, alice, primary, { start: '2026-03-11T09:00', end: '2026-03-12T09:00' }))).toBe('invalid'); // not her shift
    const offer = await schedules.offerSwap(w.ctx, alice, primary, { start: '2026-03-25T09:00', end: '2026-03-26T09:00', note: 'dentist' });
    expect(offer.status).toBe('open');
    expect((await schedules.listSwaps(w.ctx, viewer, primary)).map((s) => s.id)).toEqual([offer.id]);

    expect(await refused(schedules.takeSwap(w.ctx, alice, offer.id))).toBe('invalid'); // her own offer
    const taken = await schedules.takeSwap(w.ctx, bob, offer.id);
    expect(taken.swap).toMatchObject({ status: 'taken', takenBy: bob.id });
    expect(taken.overrides.map((o) => [o.userIds, iso(o.start), iso(o.end), o.kind])).toEqual([[[bob.id], '2026-03-25T08:00:00.000Z', '2026-03-26T08:00:00.000Z', 'swap']]);
    expect(await refused(schedules.takeSwap(w.ctx, carol, offer.id))).toBe('conflict');

    expect(await who('2026-03-24T12:00')).toBe('Alice');
    expect(await who('2026-03-25T12:00')).toBe('Bob');
    expect(await who('2026-03-26T12:00')).toBe('Alice');
    await schedules.removeOverride(w.ctx, admin, must(taken.overrides[0], 'taken.overrides[0]').id);
  });

  it('a holiday skip: alice is away Wednesday to Friday of her week, bob covers, nobody else moves', async () => {
    expect(await refused(schedules.addLeave(w.ctx, bob, alice.id, { start: '2026-03-25', end: '2026-03-28' }))).toBe('forbidden');
    const leave = await schedules.addLeave(w.ctx, alice, alice.id, { start: '2026-03-25', end: '2026-03-28', note: 'holiday' });
    expect(iso(leave.start)).toBe('2026-03-24T23:00:00.000Z'); // midnight in alice's zone (Berlin)
    expect((await schedules.listLeave(w.ctx, viewer, alice.email)).map((l) => l.id)).toEqual([leave.id]);

    const f = await schedules.getFinalSchedule(w.ctx, admin, primary, { from: '2026-03-23T09:00', to: '2026-04-13T09:00' });
    expect(f.shifts.map((s) => [iso(s.start), must(f.users[must(s.userIds[0], 's.userIds[0]')], 'f.users[s.userIds[0]]').name])).toEqual([
      ['2026-03-23T08:00:00.000Z', 'Alice'],
      ['2026-03-24T23:00:00.000Z', 'Bob'], // covers while alice is away
      ['2026-03-27T23:00:00.000Z', 'Alice'], // back on Saturday
      ['2026-03-30T07:00:00.000Z', 'Bob'], // bob's own week, as always
      ['2026-04-06T07:00:00.000Z', 'Carol'],
    ]);
    await schedules.removeLeave(w.ctx, alice, leave.id);
    expect(await who('2026-03-25T12:00')).toBe('Alice');
  });

  it('take on-call now for 4 hours', async () => {
    const o = await schedules.takeOnCall(w.ctx, carol, primary, { hours: 4 });
    expect(o).toMatchObject({ kind: 'take', userIds: [carol.id], start: w.clock.now(), end: w.clock.now() + 4 * HOUR });
    const now = await schedules.getOnCall(w.ctx, admin, primary);
    expect(now.users.map((u) => u.name)).toEqual(['Carol']);
    expect(now.next.map((u) => u.name)).toEqual(['Alice']);
    expect(now.until).toBe(w.clock.now() + 4 * HOUR);
    expect(await refused(schedules.takeOnCall(w.ctx, bob, primary, { hours: 1, userId: carol.id }))).toBe('forbidden');
    await schedules.removeOverride(w.ctx, carol, o.id);
  });

  it("follow-the-sun across London, New York and Tokyo: no gaps, and load in each person's own zone", async () => {
    const lena = await w.person('Lena', { timeZone: 'Europe/London' });
    const nick = await w.person('Nick', { timeZone: 'America/New_York' });
    const tomo = await w.person('Tomo', { timeZone: 'Asia/Tokyo' });
    const every = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
    await schedules.createSchedule(w.ctx, admin, {
      name: 'Follow the sun',
      timeZone: 'UTC',
      layers: [
        {
          name: 'london',
          participants: [lena.id],
          turn: { unit: 'week', count: 1 },
          timeZone: 'Europe/London',
          start: '2026-01-05',
          restrictions: [{ kind: 'daily', days: every, start: '08:00', end: '16:00' }],
        },
        {
          name: 'new-york',
          participants: [nick.id],
          turn: { unit: 'week', count: 1 },
          timeZone: 'America/New_York',
          start: '2026-01-05',
          restrictions: [{ kind: 'daily', days: every, start: '11:00', end: '19:00' }],
        },
        {
          name: 'tokyo',
          participants: [tomo.id],
          turn: { unit: 'week', count: 1 },
          timeZone: 'Asia/Tokyo',
          start: '2026-01-05',
          restrictions: [{ kind: 'daily', days: every, start: '09:00', end: '17:00' }],
        },
      ],
    });
    expect(await who('2026-01-13T10:00:00Z', 'Follow the sun')).toBe('Lena');
    expect(await who('2026-01-13T17:00:00Z', 'Follow the sun')).toBe('Nick');
    expect(await who('2026-01-14T03:00:00Z', 'Follow the sun')).toBe('Tomo');
    const week = await schedules.getFinalSchedule(w.ctx, admin, 'Follow the sun', { from: '2026-01-12T00:00:00Z', to: '2026-01-19T00:00:00Z' });
    expect(week.gaps).toEqual([]);
    expect(week.shifts).toHaveLength(21);

    const load = await schedules.getOnCallLoad(w.ctx, viewer, { from: '2026-01-12T00:00:00Z', to: '2026-01-19T00:00:00Z', schedule: 'Follow the sun' });
    const by = Object.fromEntries(load.load.map((r) => [r.user.name, r.hours]));
    // Everyone works 8 hours a day, 7 days, counted in their own zone: Lena's 08:00-09:00 is night
    // (business hours start at 09:00), Nick's 18:00-19:00 is evening, Tomo's hours are all business
    // (in Berlin they would be nights).
    expect(by.Lena).toEqual({ business: 35, evening: 0, night: 5, weekend: 16, total: 56 });
    expect(by.Nick).toEqual({ business: 35, evening: 5, night: 0, weekend: 16, total: 56 });
    expect(by.Tomo).toEqual({ business: 40, evening: 0, night: 0, weekend: 16, total: 56 });
  });

  it('a schedule written back in the form people write (config export) re-applies without change', async () => {
    const s = await schedules.getSchedule(w.ctx, admin, 'Follow the sun');
    const input = await scheduleToInput(w.ctx.db.kysely, s);
    expect(input.layers[0]).toMatchObject({ name: 'london', participants: ['lena@example.com'], timeZone: 'Europe/London', start: '2026-01-05T00:00' });
    const again = await schedules.updateSchedule(w.ctx, admin, s.id, input);
    expect(again.layers).toEqual(s.layers);
    expect(await scheduleToInput(w.ctx.db.kysely, again)).toEqual(input);
  });

  it('rejects what does not make sense, with field paths', async () => {
    const bad = await schedules
      .createSchedule(w.ctx, admin, {
        name: 'Broken',
        timeZone: 'Mars/Olympus',
        layers: [{ participants: ['nobody@example.com'], turn: { unit: 'hour', count: 8 }, handoffTime: '09:00', start: 'soon' }],
      })
      .catch((e: AppError) => e);
    expect(bad).toBeInstanceOf(AppError);
    const paths = ((bad as AppError).details as { path: string }[]).map((d) => d.path).sort();
    expect(paths).toEqual(['layers.0.handoffTime', 'layers.0.participants.0', 'layers.0.start', 'timeZone']);
    expect(await refused(schedules.createSchedule(w.ctx, admin, { name: 'Primary', timeZone: 'UTC', layers: [] }))).toBe('conflict');
    expect(await refused(schedules.createSchedule(w.ctx, bob, { name: 'Mine', timeZone: 'UTC', layers: [] }))).toBe('forbidden');
    expect(await refused(schedules.getOnCall(w.ctx, SYSTEM, 'no such schedule'))).toBe('not_found');
  });
});
