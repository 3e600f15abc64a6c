/**
 * The model extensions the Opsgenie importer needs, end to end on the real server (both databases):
 * schedule `layering: union` (everyone on call in the highest-priority group of layers together),
 * a rotation turn nobody covers ([]), escalation `initialDelayMinutes`, a level delay of 0, level
 * `until: resolved` (fires even once acknowledged), and the targets teamManagers, teamRandom and
 * schedulePrevious. Each assertion fails on the code before these extensions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyConfig } from '../../src/config/apply.js';
import { exportConfig } from '../../src/config/export.js';
import { SYSTEM } from '../../src/auth/actor.js';
import { must } from '../../src/lib/must.js';
import { addResponder, DIALECTS, mustFind, startTestKlaxon, type Responder, type TestKlaxon } from '../harness.js';

const MIN = 60_000;
const HOUR = 60 * MIN;

describe.each(DIALECTS)('Opsgenie model extensions (%s)', (dialect) => {
  let t: TestKlaxon;
  let alice: Responder;
  let bob: Responder;
  let carol: Responder;
  let dave: Responder;
  const keys: Record<string, string> = {};

  beforeAll(async () => {
    // Monday 2 March 2026, 09:00 UTC.
    t = await startTestKlaxon(dialect);
    alice = await addResponder(t, { name: 'Alice', email: 'alice@example.com', rules: [{ type: 'email', delayMinutes: 0 }] });
    bob = await addResponder(t, { name: 'Bob', email: 'bob@example.com', rules: [{ type: 'email', delayMinutes: 0 }] });
    carol = await addResponder(t, { name: 'Carol', email: 'carol@example.com', rules: [{ type: 'email', delayMinutes: 0 }] });
    dave = await addResponder(t, { name: 'Dave', email: 'dave@example.com', rules: [{ type: 'email', delayMinutes: 0 }] });
    expect((await t.api('POST', '/api/v1/teams', { name: 'SRE', members: [{ userId: alice.id }, { userId: dave.id, role: 'manager' }] })).status).toBe(201);
    expect((await t.api('POST', '/api/v1/teams', { name: 'Solo', members: [{ userId: carol.id }] })).status).toBe(201);
  });
  afterAll(() => t?.stop());

  async function service(name: string, policy: unknown): Promise<void> {
    const p = await t.api('POST', '/api/v1/escalation-policies', policy);
    expect(p.status, JSON.stringify(p.body)).toBe(201);
    const s = await t.api('POST', '/api/v1/services', { name, escalationPolicyId: p.body.escalationPolicy.id });
    const integ = await t.api('POST', `/api/v1/services/${s.body.service.id}/integrations`, { name: 'generic', kind: 'generic' });
    keys[name] = integ.body.integration.key;
  }

  async function alert(svc: string, dedupKey: string): Promise<number> {
    const r = await fetch(`${t.url}/integrations/v1/generic/${keys[svc]}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ dedup_key: dedupKey, summary: `${svc} ${dedupKey}`, severity: 'critical', source: 'test' }),
    });
    expect(r.status).toBe(202);
    await t.cycle();
    const inc = await t.api('GET', '/api/v1/incidents?limit=1');
    return inc.body.incidents[0].number as number;
  }
  const paged = (email: string, svc: string) => t.smtp.messages.filter((m) => m.to.includes(email) && m.subject.includes(svc)).length;

  it('union layering puts everyone from every active layer on call; precedence (the default) only the winning one', async () => {
    const body = {
      name: 'Union',
      timeZone: 'UTC',
      layering: 'union',
      layers: [
        { name: 'days', participants: [alice.email, bob.email], turn: { unit: 'day', count: 1 }, start: '2026-03-02T09:00' },
        // Carol's turns alternate with a turn nobody covers ([]: Opsgenie's "none").
        { name: 'hours', participants: [carol.email, []], turn: { unit: 'hour', count: 4 }, start: '2026-03-02T09:00', restrictions: [{ kind: 'daily', days: ['mon'], start: '09:00', end: '21:00' }] },
      ],
    };
    const created = await t.api('POST', '/api/v1/schedules', body);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.schedule.layering).toBe('union');
    const final = await t.api('GET', '/api/v1/schedules/Union/final?from=2026-03-02T09:00Z&to=2026-03-03T09:00Z');
    const shifts = (final.body.shifts as { start: number; end: number; userIds: string[] }[]).map((s) => [
      new Date(s.start).toISOString().slice(11, 16),
      new Date(s.end).toISOString().slice(11, 16),
      [...s.userIds].sort(),
    ]);
    expect(shifts).toEqual([
      ['09:00', '13:00', [alice.id, carol.id].sort()],
      ['13:00', '17:00', [alice.id]],
      ['17:00', '21:00', [alice.id, carol.id].sort()],
      ['21:00', '09:00', [alice.id]],
    ]);
    // The same layers under precedence: the later layer wins while it has someone.
    const put = await t.api('PUT', '/api/v1/schedules/Union', { ...body, layering: 'precedence' });
    expect(put.status).toBe(200);
    const prec = await t.api('GET', '/api/v1/schedules/Union/final?from=2026-03-02T09:00Z&to=2026-03-02T13:00Z');
    expect(prec.body.shifts.map((s: { userIds: string[] }) => s.userIds)).toEqual([[carol.id]]);
    const dflt = await t.api('PUT', '/api/v1/schedules/Union', { ...body, layering: undefined });
    expect(dflt.body.schedule.layering).toBe('precedence');
    expect((await t.api('PUT', '/api/v1/schedules/Union', { ...body, layering: 'sum' })).status).toBe(400);
    expect((await t.api('PUT', '/api/v1/schedules/Union', body)).status).toBe(200);
  });

  it('initial delay, a 0-minute level and until: resolved keep Opsgenie timings, even after acknowledgement', async () => {
    await service('timed', {
      name: 'timed',
      initialDelayMinutes: 2,
      levels: [
        { delayMinutes: 0, targets: [{ type: 'user', id: alice.id }] },
        { delayMinutes: 5, targets: [{ type: 'user', id: bob.id }], until: 'resolved' },
        { delayMinutes: 5, targets: [{ type: 'team_managers', id: 'SRE' }] },
        { delayMinutes: 1, targets: [{ type: 'user', id: carol.id }], until: 'resolved' },
      ],
    });
    const n = await alert('timed', 'a');
    expect(paged(alice.email, 'timed')).toBe(0); // level 1 waits the initial 2 minutes
    await t.advance(2 * MIN);
    // Levels 1 and 2 fire together: the delay between them is 0.
    expect(paged(alice.email, 'timed')).toBe(1);
    expect(paged(bob.email, 'timed')).toBe(1);
    expect((await t.api('POST', `/api/v1/incidents/${n}/acknowledge`, undefined, alice.token)).status).toBe(200);
    await t.advance(5 * MIN); // level 3 (until acknowledged) passes silently
    expect(paged(dave.email, 'timed')).toBe(0);
    expect(paged(carol.email, 'timed')).toBe(0);
    await t.advance(5 * MIN); // level 4 (until resolved) fires although acknowledged
    expect(paged(carol.email, 'timed')).toBe(1);
    expect(paged(dave.email, 'timed')).toBe(0);
    const inc = await t.api('GET', `/api/v1/incidents/${n}`);
    expect(inc.body.incident.status).toBe('acknowledged');
    await t.api('POST', `/api/v1/incidents/${n}/resolve`);
  });

  it('a policy without until: resolved stops at acknowledgement as before', async () => {
    await service('plain', {
      name: 'plain',
      levels: [
        { delayMinutes: 1, targets: [{ type: 'user', id: alice.id }] },
        { delayMinutes: 1, targets: [{ type: 'user', id: bob.id }] },
      ],
    });
    const n = await alert('plain', 'a');
    expect(paged(alice.email, 'plain')).toBe(1);
    await t.api('POST', `/api/v1/incidents/${n}/acknowledge`, undefined, alice.token);
    await t.advance(5 * MIN);
    expect(paged(bob.email, 'plain')).toBe(0);
    expect((await t.api('GET', `/api/v1/incidents/${n}`)).body.incident.nextEscalationAt).toBeNull();
    await t.api('POST', `/api/v1/incidents/${n}/resolve`);
  });

  it('teamManagers, teamRandom and schedulePrevious page whom they say', async () => {
    // A daily rotation that began two days ago: carol now, bob before her.
    const rota = await t.api('POST', '/api/v1/schedules', {
      name: 'Rota',
      timeZone: 'UTC',
      layers: [{ participants: [alice.email, bob.email, carol.email], turn: { unit: 'day', count: 1 }, start: new Date(t.clock.now() - 2 * 24 * HOUR).toISOString() }],
    });
    expect(rota.status).toBe(201);
    await service('targets', {
      name: 'targets',
      levels: [
        {
          delayMinutes: 5,
          targets: [
            { type: 'schedule_previous', id: 'Rota' },
            { type: 'team_managers', id: 'SRE' },
            { type: 'team_random', id: 'Solo' },
          ],
        },
      ],
    });
    await alert('targets', 'a');
    expect(paged(bob.email, 'targets')).toBe(1);
    expect(paged(dave.email, 'targets')).toBe(1);
    expect(paged(carol.email, 'targets')).toBe(1);
    expect(paged(alice.email, 'targets')).toBe(0);
  });

  it('config export then apply says nothing changed, and apply reports a layering or level change', async () => {
    const actor = SYSTEM;
    const doc = await exportConfig(t.k.ctx, actor);
    const union = mustFind(must(doc.schedules, 'schedules'), 'schedule Union', (s) => s.name === 'Union');
    expect(union.layering).toBe('union');
    expect(must(union.layers[1], 'union.layers[1]').participants).toEqual([carol.email, []]);
    const timed = mustFind(must(doc.escalationPolicies, 'escalation policies'), 'policy timed', (p) => p.name === 'timed');
    expect(timed.initialDelayMinutes).toBe(2);
    expect(timed.levels.map((l) => [l.delayMinutes, l.until ?? 'acknowledged'])).toEqual([
      [0, 'acknowledged'],
      [5, 'resolved'],
      [5, 'acknowledged'],
      [1, 'resolved'],
    ]);
    expect(must(timed.levels[2], 'timed.levels[2]').targets).toEqual([{ teamManagers: 'SRE' }]);
    const targets = mustFind(must(doc.escalationPolicies, 'escalation policies'), 'policy targets', (p) => p.name === 'targets');
    expect(must(targets.levels[0], 'targets.levels[0]').targets).toEqual([{ schedulePrevious: 'Rota' }, { teamManagers: 'SRE' }, { teamRandom: 'Solo' }]);
    const again = await applyConfig(t.k.ctx, actor, doc, { dryRun: false, prune: false, file: 'export' });
    expect(again.changes).toEqual([]);

    const changed = structuredClone(doc);
    mustFind(must(changed.schedules, 'schedules'), 'schedule Union', (s) => s.name === 'Union').layering = 'precedence';
    const p = mustFind(must(changed.escalationPolicies, 'escalation policies'), 'policy timed', (x) => x.name === 'timed');
    p.initialDelayMinutes = 0;
    delete must(p.levels[1], 'p.levels[1]').until;
    const r = await applyConfig(t.k.ctx, actor, changed, { dryRun: false, prune: false, file: 'changed' });
    expect(r.changes).toEqual(['~ schedule Union: layering union -> precedence', '~ policy timed: initialDelayMinutes 2 -> 0; levels changed']);
    expect((await applyConfig(t.k.ctx, actor, changed, { dryRun: false, prune: false, file: 'changed' })).changes).toEqual([]);
    expect((await t.api('GET', '/api/v1/schedules/Union')).body.schedule.layering).toBe('precedence');
  });

  it("a schedule's overrides in the file are added once, never removed, and refused for unknown people", async () => {
    const actor = SYSTEM;
    const doc = await exportConfig(t.k.ctx, actor);
    expect(must(doc.schedules, 'schedules').every((s) => s.overrides === undefined)).toBe(true);
    const union = mustFind(must(doc.schedules, 'schedules'), 'schedule Union', (s) => s.name === 'Union');
    union.overrides = [{ users: [bob.email], start: '2026-03-04T10:00', end: '2026-03-04T12:00', note: 'from an import' }];
    const first = await applyConfig(t.k.ctx, actor, doc, { dryRun: false, prune: false, file: 'overrides' });
    expect(first.changes).toEqual(['+ override Union: bob@example.com 2026-03-04T10:00 – 2026-03-04T12:00']);
    const at = await t.api('GET', `/api/v1/schedules/Union/oncall?at=2026-03-04T11:00Z`);
    expect(at.body.oncall.users.map((u: { id: string }) => u.id)).toEqual([bob.id]);
    expect(at.body.oncall.source.kind).toBe('override');
    expect((await applyConfig(t.k.ctx, actor, doc, { dryRun: false, prune: false, file: 'overrides' })).changes).toEqual([]);
    // Left out of the file, the override stays.
    delete union.overrides;
    expect((await applyConfig(t.k.ctx, actor, doc, { dryRun: false, prune: false, file: 'overrides' })).changes).toEqual([]);
    expect((await t.api('GET', '/api/v1/schedules/Union/overrides?from=2026-03-04T00:00Z&to=2026-03-05T00:00Z')).body.overrides).toHaveLength(1);
    union.overrides = [{ users: ['nobody@example.com'], start: '2026-03-05T10:00', end: '2026-03-05T09:00' }];
    await expect(applyConfig(t.k.ctx, actor, doc, { dryRun: false, prune: false, file: 'overrides' })).rejects.toThrow(
      /schedules\[\d+\]\.overrides\[0\]\.users\[0\]: unknown user "nobody@example\.com"/,
    );
  });
});
