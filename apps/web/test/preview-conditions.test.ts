import { describe, expect, it } from 'vitest';
import type { ContactMethod, NotificationRule, User } from '@klaxon/contract';
import { previewPolicy } from '../src/escalation/preview.ts';
import { must } from '../src/lib/must.ts';

const user = (id: string, name: string): User => ({ id, name, email: `${id}@x`, timeZone: 'UTC', role: 'responder', createdAt: 0 });
const cm = (id: string, userId: string): ContactMethod => ({ id, userId, name: 'email', type: 'email', address: `${id}@x`, verified: true, disabled: false });
const rule = (id: string, userId: string, contactMethodId: string): NotificationRule => ({ id, userId, contactMethodId, delayMinutes: 0, urgency: 'any' });

// "If an alert fired now": a level whose time condition does not hold is shown skipped, with why.
describe('previewPolicy with level conditions', () => {
  const users = [user('nora', 'Nora'), user('otto', 'Otto')];
  const reach = { nora: { contactMethods: [cm('n', 'nora')], rules: [rule('r1', 'nora', 'n')] }, otto: { contactMethods: [cm('o', 'otto')], rules: [rule('r2', 'otto', 'o')] } };
  const policy = {
    repeat: 0,
    levels: [
      { delayMinutes: 10, targets: [{ type: 'user' as const, id: 'nora' }], condition: { timeZone: 'Europe/Berlin', between: { start: '22:00', end: '07:00' }, severity: ['critical' as const] } },
      { delayMinutes: 10, targets: [{ type: 'user' as const, id: 'otto' }] },
    ],
  };

  it('at 10:00 in Berlin the night level is skipped with the reason; Otto is paged at once', () => {
    const p = previewPolicy(policy, users, [], reach, undefined, Date.parse('2026-03-02T09:00:00Z'));
    expect(p.steps[0]).toMatchObject({ skipped: true, notes: ['condition does not hold: it is 10:00 in Europe/Berlin, outside 22:00-07:00'] });
    expect(p.steps[1]).toMatchObject({ atMinutes: 0, skipped: false });
    expect(must(p.steps[1]).pages.map((x) => x.userName)).toEqual(['Otto']);
  });

  it('at 03:00 in Berlin the night level pages Nora and says it is only for critical alerts', () => {
    const p = previewPolicy(policy, users, [], reach, undefined, Date.parse('2026-03-03T02:00:00Z'));
    expect(must(p.steps[0]).pages.map((x) => x.userName)).toEqual(['Nora']);
    expect(must(p.steps[0]).notes).toContain('only for critical alerts');
  });
});
