/**
 * What schedules tell people and what escalation sees: a gap detected and reported to the owner
 * team's managers once per gap, hand-off notices ahead of time and at the change (once each), and
 * schedule / schedule_next targets resolved at the level's firing time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/auth/actor.js';
import { scheduleGapsModule } from '../../src/schedule/gap-notices.js';
import { scheduleHandoffModule } from '../../src/schedule/handoff-notices.js';
import { resolveTargets } from '../../src/escalation/targets.js';

/** Who a target resolves to and the notes (the on-call explanation is the trace's, tested there). */
const pick = ({ userIds, notes }: { userIds: string[]; notes: string[] }) => ({ userIds, notes });
import { createPolicy } from '../../src/escalation/service.js';
import * as schedules from '../../src/schedule/service.js';
import { localToInstant } from '../../src/schedule/compute/index.js';
import { DIALECTS } from '../harness.js';
import { iso, world, type World } from './helpers.js';
import { must } from '../../src/lib/must.js';

const MIN = 60_000;
const HOUR = 60 * MIN;

describe.each(DIALECTS)('schedule notices and escalation targets (%s)', (dialect) => {
  let w: World;
  let admin: Actor;
  let alice: Actor & { type: 'user'; email: string };
  let bob: Actor & { type: 'user'; email: string };
  let dave: Actor & { type: 'user'; email: string };
  let erin: Actor & { type: 'user'; email: string };

  beforeAll(async () => {
    // Sunday 1 March 2026, 20:00 in Berlin.
    w = await world(dialect, '2026-03-01T19:00:00Z');
    admin = await w.person('Admin', { role: 'admin' });
    alice = await w.person('Alice');
    bob = await w.person('Bob');
    dave = await w.person('Dave', { timeZone: 'America/New_York' });
    erin = await w.person('Erin');
    const ops = await w.team('Ops', [{ userId: erin.id }, { userId: dave.id, role: 'manager' }]);
    // Weekdays 09:00-17:00 only: nights and weekends are gaps.
    await schedules.createSchedule(w.ctx, admin, {
      name: 'Daytime',
      teamId: 'Ops',
      timeZone: 'Europe/Berlin',
      layers: [{ name: 'day', participants: [alice.id, bob.id], turn: { unit: 'day', count: 1 }, start: '2026-03-02T09:00', restrictions: [{ kind: 'preset', preset: 'business-hours' }] }],
      gapNoticeDays: 3,
      handoffNoticeMinutes: 0,
    });
    expect(ops).toBeTruthy();
  });
  afterAll(() => w?.close());

  it('a gap is detected and reported: on the API, and once per gap to the team manager before it starts', async () => {
    const g = await schedules.getGaps(w.ctx, admin, 'Daytime', 3);
    const berlin = (t: number) => new Date(t).toLocaleString('sv-SE', { timeZone: 'Europe/Berlin' }).slice(0, 16);
    expect(g.gaps.map((x) => [berlin(x.start), berlin(x.end)])).toEqual([
      ['2026-03-01 20:00', '2026-03-02 09:00'], // now until Monday morning
      ['2026-03-02 17:00', '2026-03-03 09:00'],
      ['2026-03-03 17:00', '2026-03-04 09:00'],
      ['2026-03-04 17:00', '2026-03-04 20:00'], // to the end of the 3 days asked about
    ]);

    await scheduleGapsModule.updateAll(w.ctx);
    const sent = (await w.outbox()).filter((m) => m.message.kind === 'schedule' && m.message.event === 'gap');
    // Only the manager (Dave), not Erin; one notice per gap, in Dave's own zone.
    expect(new Set(sent.map((m) => m.destination))).toEqual(new Set([dave.email]));
    expect(sent).toHaveLength(4);
    expect(must(sent[1], 'sent[1]').message.summary).toBe('Daytime has nobody on call from Mon 2 Mar 11:00 to Tue 3 Mar 03:00 (America/New_York)');

    // Another cycle, and another an hour later: nothing is told twice.
    await scheduleGapsModule.updateAll(w.ctx);
    w.clock.advance(HOUR);
    await scheduleGapsModule.updateAll(w.ctx);
    const again = (await w.outbox()).filter((m) => m.message.kind === 'schedule' && m.message.event === 'gap');
    const starts = again.map((m) => m.message.start);
    expect(new Set(starts).size).toBe(starts.length);
  });

  it('schedule targets resolve to whoever is on call when the level fires; a gap says why', async () => {
    const s = await schedules.getSchedule(w.ctx, admin, 'Daytime');
    const monday = localToInstant('2026-03-02T10:00', 'Europe/Berlin');
    expect(pick(await resolveTargets(w.ctx.db.kysely, [{ type: 'schedule', id: s.id }], monday))).toEqual({ userIds: [alice.id], notes: [] });
    // The backup is the next person on call after Alice: Bob, on Tuesday.
    expect(pick(await resolveTargets(w.ctx.db.kysely, [{ type: 'schedule_next', id: s.id }], monday))).toEqual({ userIds: [bob.id], notes: [] });
    const night = localToInstant('2026-03-02T23:00', 'Europe/Berlin');
    expect(pick(await resolveTargets(w.ctx.db.kysely, [{ type: 'schedule', id: s.id }], night))).toEqual({ userIds: [], notes: ['schedule Daytime has nobody on call (gap)'] });
    expect(pick(await resolveTargets(w.ctx.db.kysely, [{ type: 'schedule_next', id: s.id }], night))).toEqual({ userIds: [bob.id], notes: [] });

    // Policies accept schedule targets by id or name and store the id; unknown ones are refused.
    const p = await createPolicy(w.ctx, admin, {
      name: 'Day',
      levels: [
        {
          delayMinutes: 5,
          targets: [
            { type: 'schedule', id: 'Daytime' },
            { type: 'schedule_next', id: s.id },
          ],
        },
      ],
    });
    expect(must(p.levels[0], 'p.levels[0]').targets).toEqual([
      { type: 'schedule', id: s.id },
      { type: 'schedule_next', id: s.id },
    ]);
    await expect(createPolicy(w.ctx, admin, { name: 'Bad', levels: [{ delayMinutes: 5, targets: [{ type: 'schedule', id: 'Nope' }] }] })).rejects.toMatchObject({ code: 'invalid' });
    // A schedule a policy targets cannot be deleted from under it.
    await expect(schedules.deleteSchedule(w.ctx, admin, 'Daytime')).rejects.toMatchObject({ code: 'conflict' });
  });

  it('hand-off notices go out ahead of time and at the change, once each', async () => {
    await schedules.createSchedule(w.ctx, admin, {
      name: 'Primary',
      timeZone: 'Europe/Berlin',
      layers: [{ participants: [alice.id, bob.id], turn: { unit: 'week', count: 1 }, start: '2026-03-02T09:00' }],
      handoffNoticeMinutes: 60,
      gapNoticeDays: 0,
    });
    const handoffs = async () => (await w.outbox()).filter((m) => m.message.kind === 'schedule' && m.message.scheduleName === 'Primary').map((m) => `${m.destination} ${m.message.event}`);

    // Monday 2 March: Alice's first week starts at 09:00 Berlin (08:00 UTC); the heads-up is due at 07:00 UTC.
    w.clock.set('2026-03-02T06:30:00Z');
    await scheduleHandoffModule.updateAll(w.ctx);
    expect(await handoffs()).toEqual([]);
    w.clock.set('2026-03-02T07:00:00Z');
    await scheduleHandoffModule.updateAll(w.ctx);
    await scheduleHandoffModule.updateAll(w.ctx);
    expect(await handoffs()).toEqual([`${alice.email} handoff.upcoming`]);
    w.clock.set('2026-03-02T08:00:00Z');
    await scheduleHandoffModule.updateAll(w.ctx);
    w.clock.advance(5 * MIN);
    await scheduleHandoffModule.updateAll(w.ctx);
    expect(await handoffs()).toEqual([`${alice.email} handoff.upcoming`, `${alice.email} handoff.start`]);
    const start = must(
      (await w.outbox()).find((m) => m.message.event === 'handoff.start' && m.message.scheduleName === 'Primary'),
      "outbox() entry where m.message.event === 'handoff.start' && m.message.scheduleName === 'Primary'",
    ).message;
    expect(start.summary).toBe('You are now on call for Primary, from Mon 2 Mar 09:00 to Mon 9 Mar 09:00 (Europe/Berlin)');
    expect(iso(start.start)).toBe('2026-03-02T08:00:00.000Z');

    // An override for Bob later today is a new stretch for him (and the rest of Alice's week is not).
    await schedules.addOverride(w.ctx, admin, 'Primary', { userIds: [bob.id], start: '2026-03-02T14:00', end: '2026-03-02T16:00' });
    for (const t of ['12:00', '13:00', '14:00', '15:00']) {
      w.clock.set(`2026-03-02T${t}:00Z`);
      await scheduleHandoffModule.updateAll(w.ctx);
      await scheduleHandoffModule.updateAll(w.ctx);
    }
    expect((await handoffs()).slice(2)).toEqual([`${bob.email} handoff.upcoming`, `${bob.email} handoff.start`, `${alice.email} handoff.upcoming`, `${alice.email} handoff.start`]);
    const back = must((await w.outbox()).filter((m) => m.message.scheduleName === 'Primary').at(-1), 'at()').message;
    expect(back.text).toContain('You take over from Bob.');
  });
});
