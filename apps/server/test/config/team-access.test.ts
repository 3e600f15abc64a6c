/** Team roles in klaxon.yaml: members' `access` and policies' `team` are applied, exported, and kept when left out. */
import { afterAll, describe, expect, it } from 'vitest';
import { SYSTEM } from '../../src/auth/actor.js';
import { applyConfig } from '../../src/config/apply.js';
import { exportConfig, stringifyConfig } from '../../src/config/export.js';
import { parseConfigFile } from '../../src/config/load.js';
import type { Ctx } from '../../src/context.js';
import { findPolicy } from '../../src/escalation/service.js';
import { getTeam } from '../../src/team/service.js';
import { DIALECTS, testDatabases } from './helpers.js';

const yaml = (text: string) => parseConfigFile('klaxon.yaml', text);
const apply = (ctx: Ctx, text: string) => applyConfig(ctx, SYSTEM, yaml(text), { dryRun: false });

const file = (members: string) => `version: 1
users:
  - { name: Ana, email: ana@example.com, role: viewer }
  - { name: Bo, email: bo@example.com, role: viewer }
teams:
  - name: payments
    members:
${members}
`;

describe.each(DIALECTS)('team roles in config as code on %s', (dialect) => {
  const dbs = testDatabases();
  afterAll(() => dbs.cleanup());

  const access = async (ctx: Ctx) => (await getTeam(ctx, SYSTEM, 'payments')).members.map((m) => m.access ?? null);

  it('applies access, exports it, keeps it when left out and removes it with none', async () => {
    const { ctx } = await dbs.fresh(dialect);
    await apply(ctx, file('      - { user: ana@example.com, access: admin }\n      - { user: bo@example.com, role: manager, access: responder }'));
    expect(await access(ctx)).toEqual(['admin', 'responder']);
    // Exported, and the export applies without changes.
    const exported = await exportConfig(ctx, SYSTEM);
    expect(exported.teams?.[0]?.members).toEqual([
      { user: 'ana@example.com', role: 'member', access: 'admin' },
      { user: 'bo@example.com', role: 'manager', access: 'responder' },
    ]);
    expect((await applyConfig(ctx, SYSTEM, yaml(stringifyConfig(exported)), { dryRun: false })).changes).toEqual([]);
    // Left out: kept, even when the members change.
    const r = await apply(ctx, file('      - { user: bo@example.com, role: manager }\n      - { user: ana@example.com }'));
    expect(r.changes.length).toBeGreaterThan(0);
    expect(await access(ctx)).toEqual(['responder', 'admin']);
    // Changed and removed.
    const r2 = await apply(ctx, file('      - { user: bo@example.com, role: manager, access: none }\n      - { user: ana@example.com, access: responder }'));
    expect(r2.changes).toEqual([expect.stringContaining('team roles of bo@example.com → none, ana@example.com → responder')]);
    expect(await access(ctx)).toEqual([null, 'responder']);
  });

  it("applies a policy's team, exports it, keeps it when left out and removes it with null", async () => {
    const { ctx } = await dbs.fresh(dialect);
    const policy = (team: string) => `${file('      - { user: ana@example.com }')}escalationPolicies:
  - name: payments-policy
${team}    levels:
      - { delayMinutes: 5, targets: [{ user: ana@example.com }] }
`;
    const teamOf = async () => {
      const p = await findPolicy(ctx.db.kysely, 'payments-policy');
      return p?.teamId ? (await getTeam(ctx, SYSTEM, p.teamId)).name : null;
    };
    await apply(ctx, policy('    team: payments\n'));
    expect(await teamOf()).toBe('payments');
    const exported = await exportConfig(ctx, SYSTEM);
    expect(exported.escalationPolicies?.[0]).toMatchObject({ name: 'payments-policy', team: 'payments' });
    expect((await applyConfig(ctx, SYSTEM, yaml(stringifyConfig(exported)), { dryRun: false })).changes).toEqual([]);
    // Left out (and the levels changed): kept.
    await apply(ctx, policy('').replace('delayMinutes: 5', 'delayMinutes: 7'));
    expect(await teamOf()).toBe('payments');
    const r = await apply(ctx, policy('    team: null\n').replace('delayMinutes: 5', 'delayMinutes: 7'));
    expect(r.changes).toEqual(['~ policy payments-policy: team payments -> none']);
    expect(await teamOf()).toBeNull();
    // An unknown team is a problem in the file, not a 5xx.
    await expect(apply(ctx, policy('    team: nope\n'))).rejects.toThrow(/team/);
  });
});
