import { afterAll, describe, expect, it } from 'vitest';
import { SYSTEM } from '../../src/auth/actor.js';
import { applyConfig } from '../../src/config/apply.js';
import { exportConfig } from '../../src/config/export.js';
import { parseConfigFile } from '../../src/config/load.js';
import { getPolicy } from '../../src/escalation/service.js';
import { DIALECTS, testDatabases } from './helpers.js';
import { must } from '../../src/lib/must.js';

const FILE = `version: 1
users:
  - email: nora@example.com
    name: Nora
  - email: otto@example.com
    name: Otto
escalationPolicies:
  - name: Ops
    levels:
      - delayMinutes: 10
        condition:
          timeZone: Europe/Berlin
          between: { start: "22:00", end: "07:00" }
          severity: [critical]
          label: { key: team, in: [db, storage] }
        targets: [{ user: nora@example.com }]
      - delayMinutes: 10
        roundRobin: true
        targets: [{ user: nora@example.com }, { user: otto@example.com }]
`;

describe.each(DIALECTS)('level conditions and round robin in klaxon.yaml (%s)', (dialect) => {
  const dbs = testDatabases();
  afterAll(() => dbs.cleanup());

  it('apply stores them, export writes them back, applying the export changes nothing', async () => {
    const { ctx } = await dbs.fresh(dialect);
    await applyConfig(ctx, SYSTEM, parseConfigFile('klaxon.yaml', FILE), { dryRun: false });
    const p = await getPolicy(ctx, SYSTEM, 'Ops');
    expect(must(p.levels[0], 'p.levels[0]').condition).toEqual({
      timeZone: 'Europe/Berlin',
      between: { start: '22:00', end: '07:00' },
      severity: ['critical'],
      label: { key: 'team', in: ['db', 'storage'] },
    });
    expect(must(p.levels[1], 'p.levels[1]').roundRobin).toBe(true);
    const exported = await exportConfig(ctx, SYSTEM);
    const ops = must(
      must(exported.escalationPolicies, 'exported.escalationPolicies').find((x) => x.name === 'Ops'),
      "exported.escalationPolicies entry where x.name === 'Ops'",
    );
    expect(must(ops.levels[0], 'ops.levels[0]').condition).toEqual(must(p.levels[0], 'p.levels[0]').condition);
    expect(must(ops.levels[1], 'ops.levels[1]').roundRobin).toBe(true);
    expect((await applyConfig(ctx, SYSTEM, exported, { dryRun: true })).changes).toEqual([]);
    // A changed condition is a change of the levels.
    const changed = parseConfigFile('klaxon.yaml', FILE.replace('"07:00"', '"06:00"'));
    expect((await applyConfig(ctx, SYSTEM, changed, { dryRun: true })).changes).toEqual(['~ policy Ops: levels changed']);
  });

  it('a condition the server cannot evaluate is refused with its path', async () => {
    const { ctx } = await dbs.fresh(dialect);
    const bad = parseConfigFile('klaxon.yaml', FILE.replace('timeZone: Europe/Berlin', 'timeZone: Mars/Olympus'));
    await expect(applyConfig(ctx, SYSTEM, bad, { dryRun: false })).rejects.toSatisfy((e) => e instanceof Error && /unknown time zone Mars\/Olympus/.test(e.message));
  });
});
