/**
 * PostgreSQL, where several instances write at once (docs/architecture.md, "Several instances"):
 *
 * - an engine's claim of an incident's next step, or of a notification, skips a row another
 *   transaction holds instead of queueing on its lock (the holder is firing it), and takes it once
 *   the holder is gone;
 * - incident numbers come from the sequence `incident_numbers` (no lock held until commit), and an
 *   instance of the previous version, which bumps the `counters` row, draws from the same sequence
 *   (migration 0038's trigger), so the two never hand out one number twice during a rolling upgrade.
 *
 * The race of one new alert reaching every instance at once is in multi-instance.test.ts.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimStep } from '../../src/incident/store.js';
import { claimNotification } from '../../src/notify/store.js';
import { continueIncidentNumbersAfter } from '../../src/store.js';
import { addResponder, DIALECTS, startTestKlaxon, type TestKlaxon } from '../harness.js';
import { must } from '../../src/lib/must.js';

const MIN = 60_000;

describe.skipIf(!DIALECTS.includes('postgres'))('PostgreSQL: engine claims and incident numbers with other instances writing', () => {
  let t: TestKlaxon;
  let other: pg.Client;
  let key = '';

  beforeAll(async () => {
    t = await startTestKlaxon('postgres');
    other = new pg.Client({ connectionString: t.k.config.databaseUrl });
    await other.connect();
    // Level 1 pages Ann by e-mail ten minutes after it fires; level 2 comes five minutes after level 1.
    const ann = await addResponder(t, { name: 'Ann', email: 'ann@example.com', rules: [{ type: 'email', delayMinutes: 10 }] });
    const policy = await t.api('POST', '/api/v1/escalation-policies', {
      name: 'Two levels',
      levels: [
        { delayMinutes: 5, targets: [{ type: 'user', id: ann.id }] },
        { delayMinutes: 5, targets: [{ type: 'user', id: ann.id }] },
      ],
    });
    const svc = await t.api('POST', '/api/v1/services', { name: 'db', escalationPolicyId: policy.body.escalationPolicy.id });
    key = (await t.api('POST', `/api/v1/services/${svc.body.service.id}/integrations`, { name: 'pd', kind: 'pagerduty' })).body.integration.key;
  }, 60_000);
  afterAll(async () => {
    await other?.end();
    await t?.stop();
  });

  const trigger = async (summary: string): Promise<string> => {
    const r = await fetch(`${t.url}/v2/enqueue`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ routing_key: key, event_action: 'trigger', dedup_key: summary, payload: { summary, source: 'x', severity: 'critical' } }),
    });
    expect(r.status).toBe(202);
    await t.cycle();
    return (await other.query(`select i.id from incidents i join alerts a on a.incident_id = i.id where a.dedup_key = $1`, [summary])).rows[0].id as string;
  };

  /** Runs `claim` while another transaction holds `sql`'s row (FOR UPDATE), then again after it commits. */
  const whileHeld = async <R>(rowSql: string, id: string, claim: () => Promise<R>): Promise<{ held: R; after: R }> => {
    await other.query('begin');
    await other.query(rowSql, [id]);
    // Before, the claim waited here for the holder's commit, which waits for the claim: the test timed out.
    const held = await claim();
    await other.query('commit');
    return { held, after: await claim() };
  };

  it('skips an incident whose step another transaction holds, then claims it once it is free', async () => {
    const id = await trigger('step held elsewhere');
    const before = (await other.query(`select escalation_step, next_escalation_at from incidents where id = $1`, [id])).rows[0];
    expect(Number(before.escalation_step)).toBe(1);
    t.clock.advance(5 * MIN); // level 2 is due; no cycle runs
    const now = t.clock.now();
    const claim = () => claimStep(t.k.ctx.db.kysely, { id, status: 'triggered', step: 1, nextStep: 2, next: null, now });
    const { held, after } = await whileHeld(`select id from incidents where id = $1 for update`, id, claim);
    expect(Number(held.numAffectedRows)).toBe(0);
    expect(Number(after.numAffectedRows)).toBe(1);
    expect(Number((await other.query(`select escalation_step from incidents where id = $1`, [id])).rows[0].escalation_step)).toBe(2);
  });

  it('skips a notification another transaction holds, then claims it once it is free', async () => {
    const id = await trigger('notification held elsewhere');
    const n = (await other.query(`select id, status from notifications where incident_id = $1`, [id])).rows;
    expect(n).toHaveLength(1); // Ann's e-mail, due ten minutes after level 1 fired
    expect(n[0].status).toBe('pending');
    const nid = must(n[0], 'the notification').id as string;
    const claim = () => claimNotification(t.k.ctx.db.kysely, { id: nid, status: 'cancelled' });
    const { held, after } = await whileHeld(`select id from notifications where id = $1 for update`, nid, claim);
    expect(Number(held.numAffectedRows)).toBe(0);
    expect(Number(after.numAffectedRows)).toBe(1);
  });

  it('a commit of repeats only is two round trips: the open alerts read, then the events and counts written in one statement', async () => {
    await trigger('repeated');
    const statements = async () => Number(/^klaxon_db_statements_total\{dialect="postgres"\} (\S+)$/m.exec(await (await fetch(`${t.url}/metrics`)).text())?.[1]);
    const before = await statements();
    const r = await fetch(`${t.url}/v2/enqueue`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ routing_key: key, event_action: 'trigger', dedup_key: 'repeated', payload: { summary: 'repeated again', source: 'x', severity: 'critical' } }),
    });
    expect(r.status).toBe(202);
    expect((await r.json()).message).toBe('Event processed');
    expect((await statements()) - before).toBe(2);
    const alert = (await other.query(`select event_count, summary from alerts where dedup_key = 'repeated'`)).rows[0];
    expect(alert).toEqual({ event_count: 2, summary: 'repeated again' });
    const events = (await other.query(`select outcome from alert_events where dedup_key = 'repeated' order by received_at, outcome`)).rows.map((e) => e.outcome);
    expect(events.sort()).toEqual(['appended', 'created']);
  });

  it('numbers incidents from one sequence, shared with the counter row that the previous version bumps', async () => {
    const number = async (summary: string) => Number((await other.query(`select number from incidents where id = $1`, [await trigger(summary)])).rows[0].number);
    const first = await number('numbered 1');
    // What an instance of the previous version runs for its next number (lifecycle.ts before 0038).
    await other.query(`insert into counters (name, value) values ('incident', 0) on conflict (name) do nothing`);
    const old = Number((await other.query(`update counters set value = value + 1 where name = 'incident' returning value`)).rows[0].value);
    expect(old).toBe(first + 1);
    expect(await number('numbered 2')).toBe(first + 2);
    // Bulk-loaded history (benchmarks): numbering goes on after it.
    await continueIncidentNumbersAfter(t.k.ctx.db.kysely, 5000);
    expect(await number('numbered 3')).toBe(5001);
  });
});
