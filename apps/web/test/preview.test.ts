import { describe, expect, it } from 'vitest';
import type { ContactMethod, NotificationRule, Team, User } from '@klaxon/contract';
import { notificationPlan, previewPolicy } from '../src/escalation/preview.ts';
import { must } from '../src/lib/must.ts';

const user = (id: string, name: string): User => ({ id, name, email: `${id}@x`, timeZone: 'UTC', role: 'responder', createdAt: 0 });
const cm = (id: string, userId: string, type: ContactMethod['type'], verified = true): ContactMethod => ({ id, userId, name: type, type, address: `${type}-addr`, verified, disabled: false });
const rule = (id: string, userId: string, contactMethodId: string, delayMinutes: number): NotificationRule => ({ id, userId, contactMethodId, delayMinutes, urgency: 'any' });

const ana = user('ana', 'Ana');
const bo = user('bo', 'Bo');
const cy = user('cy', 'Cy');
const team: Team = {
  id: 't1',
  name: 'Ops',
  description: '',
  members: [
    { userId: 'bo', role: 'member' },
    { userId: 'ana', role: 'manager' },
  ],
};

describe('notificationPlan (mirrors the server)', () => {
  it('uses rules on verified methods, by delay', () => {
    const plan = notificationPlan({
      contactMethods: [cm('e', 'ana', 'email'), cm('s', 'ana', 'sms'), cm('v', 'ana', 'voice', false)],
      rules: [rule('r1', 'ana', 's', 5), rule('r2', 'ana', 'e', 0), rule('r3', 'ana', 'v', 1)],
    });
    expect(plan.map((p) => [p.method.type, p.delayMinutes])).toEqual([
      ['email', 0],
      ['sms', 5],
    ]);
  });
  it('without usable rules, every verified method but webhooks at once', () => {
    const plan = notificationPlan({ contactMethods: [cm('e', 'ana', 'email'), cm('w', 'ana', 'webhook'), cm('s', 'ana', 'sms', false)], rules: [] });
    expect(plan.map((p) => [p.method.type, p.delayMinutes])).toEqual([['email', 0]]);
  });
});

describe('previewPolicy', () => {
  const reach = {
    ana: { contactMethods: [cm('e', 'ana', 'email'), cm('s', 'ana', 'sms')], rules: [rule('r1', 'ana', 'e', 0), rule('r2', 'ana', 's', 3)] },
    bo: { contactMethods: [cm('p', 'bo', 'push')], rules: [] },
    cy: { contactMethods: [cm('x', 'cy', 'email', false)], rules: [] },
  };

  it('pages level by level at the cumulative delays, team members in order without repeats, and ends after the last delay', () => {
    const p = previewPolicy(
      {
        repeat: 0,
        levels: [
          { delayMinutes: 10, targets: [{ type: 'user', id: 'ana' }] },
          {
            delayMinutes: 15,
            targets: [
              { type: 'team', id: 't1' },
              { type: 'user', id: 'bo' },
            ],
          },
        ],
      },
      [ana, bo, cy],
      [team],
      reach,
    );
    expect(p.steps.map((s) => s.atMinutes)).toEqual([0, 10]);
    expect(must(p.steps[0]).pages.map((x) => `${x.atMinutes} ${x.userName} ${x.channel}`)).toEqual(['0 Ana email', '3 Ana sms']);
    expect(must(p.steps[1]).pages.map((x) => `${x.atMinutes} ${x.userName} ${x.channel}`)).toEqual(['10 Bo push', '10 Ana email', '13 Ana sms']);
    expect(p.endsAtMinutes).toBe(25);
    expect(p.nobody).toBe(false);
  });

  it('starts after the initial delay, and shows team managers, a random member and a 0-minute level', () => {
    const p = previewPolicy(
      {
        repeat: 0,
        initialDelayMinutes: 2,
        levels: [
          { delayMinutes: 0, targets: [{ type: 'team_managers', id: 't1' }] },
          { delayMinutes: 5, targets: [{ type: 'team_random', id: 't1' }] },
        ],
      },
      [ana, bo, cy],
      [team],
      reach,
    );
    expect(p.steps.map((s) => s.atMinutes)).toEqual([2, 2]);
    expect(must(p.steps[0]).pages.map((x) => x.userName)).toEqual(['Ana', 'Ana']);
    expect(must(p.steps[1]).pages.map((x) => x.userName)).toEqual(['Bo']);
    expect(must(p.steps[1]).notes).toEqual(['one member of team Ops at random']);
    expect(p.endsAtMinutes).toBe(7);
  });

  it('skips a level with nobody reachable at once, as the engine does, and repeats rounds', () => {
    const p = previewPolicy(
      {
        repeat: 1,
        levels: [
          { delayMinutes: 5, targets: [{ type: 'user', id: 'cy' }] },
          { delayMinutes: 10, targets: [{ type: 'user', id: 'bo' }] },
        ],
      },
      [ana, bo, cy],
      [team],
      reach,
    );
    expect(p.steps.map((s) => [s.atMinutes, s.levelIndex, s.round, s.skipped])).toEqual([
      [0, 0, 0, true],
      [0, 1, 0, false],
      [10, 0, 1, true],
      [10, 1, 1, false],
    ]);
    expect(must(p.steps[0]).notes).toEqual(['Cy has no verified contact method']);
    expect(p.endsAtMinutes).toBe(20);
  });

  it('says when nobody at all would be paged', () => {
    const p = previewPolicy({ repeat: 0, levels: [{ delayMinutes: 5, targets: [{ type: 'user', id: 'gone' }] }] }, [ana], [], reach);
    expect(p.nobody).toBe(true);
    expect(must(p.steps[0]).notes).toEqual(['user gone no longer exists']);
  });
});
