import { describe, expect, it } from 'vitest';
import type { Team } from '@klaxon/contract';
import { permissionsOf } from '../src/lib/permissions.ts';
import { changedFields } from '../src/components/audit.tsx';

const teams: Team[] = [
  {
    id: 'pay',
    name: 'Payments',
    description: '',
    members: [
      { userId: 'tom', role: 'member', access: 'admin' },
      { userId: 'raj', role: 'member', access: 'responder' },
    ],
  },
  { id: 'search', name: 'Search', description: '', members: [{ userId: 'tom', role: 'manager' }] },
];
const services = [
  { id: 'pay-api', teamId: 'pay' },
  { id: 'search-api', teamId: 'search' },
  { id: 'orphan', teamId: null },
];

describe('permissionsOf', () => {
  it("a team admin manages and responds on their team's objects only", () => {
    const p = permissionsOf({ id: 'tom', role: 'viewer' }, teams, services);
    expect([p.can('manage', 'pay'), p.can('manage', 'search'), p.can('manage', null), p.canOnService('respond', 'pay-api'), p.canOnService('respond', 'search-api')]).toEqual([
      true,
      false,
      false,
      true,
      false,
    ]);
    expect(p.managesSomething).toBe(true);
  });
  it('a team responder responds on their team, manages nothing', () => {
    const p = permissionsOf({ id: 'raj', role: 'stakeholder' }, teams, services);
    expect([p.can('respond', 'pay'), p.can('manage', 'pay'), p.can('respond', 'search'), p.managesSomething]).toEqual([true, false, false, false]);
  });
  it('global roles hold everywhere', () => {
    expect(permissionsOf({ id: 'x', role: 'admin' }, teams, services).can('manage', 'search')).toBe(true);
    const r = permissionsOf({ id: 'x', role: 'responder' }, teams, services);
    expect([r.canOnService('respond', 'orphan'), r.can('manage', 'pay')]).toEqual([true, false]);
  });
});

describe('changedFields', () => {
  it('lists the fields that differ, before and after, ignoring timestamps', () => {
    expect(changedFields({ name: 'a', description: 'first', updatedAt: 1 }, { name: 'a', description: 'second', updatedAt: 2 })).toEqual([['description', '"first"', '"second"']]);
    expect(changedFields(null, { name: 'new' })).toEqual([['name', '—', '"new"']]);
  });
});
