/**
 * Three `klaxon serve` processes on one PostgreSQL. Engine work is claimed row by row, so every
 * escalation level fires once and every notification is sent once, whichever instance runs it and
 * even when one is killed with SIGKILL; a message in flight when its sender dies is resent once with
 * the same idempotency key; no accepted event is lost.
 */
import pg from 'pg';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addResponder, mustFind } from '../harness.js';
import { KlaxonCluster } from '../process-harness.js';
import { must } from '../../src/lib/must.js';

const MIN = 60_000;
const PG = process.env.KLAXON_TEST_DATABASE_URL;

describe.skipIf(!PG)('three instances on PostgreSQL, one killed with SIGKILL', () => {
  const c = new KlaxonCluster();
  const node = (i: number) => must(c.nodes[i], `node ${i} of the cluster`);
  let db: pg.Client;
  let key = '';
  const phones = ['+15556660001', '+15556660002', '+15556660003'];

  beforeAll(async () => {
    await c.start('postgres', 3);
    db = new pg.Client({ connectionString: c.dbUrl });
    await db.connect();
    const ids: string[] = [];
    for (const [i, name] of ['Ann', 'Ben', 'Cat'].entries()) {
      ids.push((await addResponder(c, { name, email: `${name.toLowerCase()}@example.com`, phone: phones[i], rules: [{ type: 'sms', delayMinutes: 0 }] })).id);
    }
    const policy = await c.api('POST', '/api/v1/escalation-policies', { name: 'Three levels', levels: ids.map((id) => ({ delayMinutes: 5, targets: [{ type: 'user', id }] })) });
    const svc = await c.api('POST', '/api/v1/services', { name: 'core', escalationPolicyId: policy.body.escalationPolicy.id });
    key = (await c.api('POST', `/api/v1/services/${svc.body.service.id}/integrations`, { name: 'pd', kind: 'pagerduty', rateLimitPerMinute: 1_000_000 })).body.integration.key;
  }, 120_000);
  afterAll(async () => {
    await db?.end();
    await c.stop();
  });

  const send = (url: string, summary: string, dedup?: string) =>
    fetch(`${url}/v2/enqueue`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ routing_key: key, event_action: 'trigger', ...(dedup && { dedup_key: dedup }), payload: { summary, source: 'x', severity: 'critical' } }),
    });
  const sms = (summary: string) => c.twilio.messages.filter((m) => m.body.includes(summary));

  it('live events reach WebSockets on every instance (LISTEN/NOTIFY)', async () => {
    const socket = new WebSocket(`${node(0).url.replace('http', 'ws')}/api/v1/live`, { headers: { authorization: `Bearer ${c.adminToken}` } });
    const got: { type: string; incidentId?: string }[] = [];
    socket.on('message', (m) => got.push(JSON.parse(m.toString())));
    await new Promise((r) => socket.once('open', r));
    const seen = new Promise<void>((resolve) => socket.on('message', (m) => JSON.parse(m.toString()).type === 'incident' && resolve()));
    expect((await send(node(1).url, 'Seen on another instance')).status).toBe(202);
    await seen;
    socket.close();
    expect(got.some((e) => e.type === 'incident' && typeof e.incidentId === 'string')).toBe(true);
  });

  it('fires every level once and sends every notification once while instances compete and one dies', async () => {
    expect((await send(node(0).url, 'Power feed A lost')).status).toBe(202);
    await c.cycle();
    await c.cycle();
    expect(sms('Power feed A lost').map((m) => m.to)).toEqual([phones[0]]);
    await c.advance(3 * MIN);
    await node(1).kill();
    await c.advance(2 * MIN); // level 2
    await c.cycle();
    await c.advance(5 * MIN); // level 3
    await c.cycle();
    await c.restart(node(1));
    await c.advance(10 * MIN);
    await c.cycle();
    expect(
      sms('Power feed A lost')
        .map((m) => m.to)
        .sort(),
    ).toEqual([...phones].sort());
    const inc = (await c.api('GET', '/api/v1/incidents?limit=1')).body.incidents[0];
    const timeline = (await c.api('GET', `/api/v1/incidents/${inc.number}/timeline`)).body.timeline as { type: string; data: { step?: number } }[];
    expect(timeline.filter((e) => e.type === 'escalation.level').map((e) => e.data.step)).toEqual([0, 1, 2]);
    // A level due in the same cycle as the earlier test's incident's goes out in one message naming both (docs/paging.md):
    // each page once, on its own or in a bundle.
    expect(timeline.filter((e) => e.type === 'notification.sent' || e.type === 'notification.bundled')).toHaveLength(3);
    const owners = await db.query(
      `SELECT count(*)::int AS n FROM delivery_attempts d JOIN outbox o ON o.id = d.message_id
        WHERE (o.incident_id = $1 OR o.id IN (SELECT outbox_id FROM notifications WHERE incident_id = $1)) AND d.status = 'sent'`,
      [inc.id],
    );
    expect(owners.rows[0].n).toBe(3);
  });

  it('a notification in flight when its sender is killed is resent once; the idempotency key makes it one message', async () => {
    const dupsBefore = c.twilio.duplicates;
    c.twilio.holdNext(1);
    expect((await send(node(0).url, 'Cooling failure row 7')).status).toBe(202);
    // Every instance runs a cycle; the one that claims the SMS blocks on the held request.
    const cycles = c.nodes.map((n) => fetch(`${n.url}/api/v1/test/cycle`, { method: 'POST', headers: { authorization: `Bearer ${c.adminToken}` } }).catch(() => null));
    await c.twilio.waitForMessage((m) => m.body.includes('Cooling failure row 7'));
    const row = await db.query(`SELECT lease_owner FROM outbox WHERE status = 'sending' AND kind = 'page'`);
    expect(row.rows).toHaveLength(1);
    const sender = mustFind(c.nodes, 'the node holding the lease', (n) => String(row.rows[0].lease_owner).includes(`-${n.pid}-`));
    expect(sender).toBeDefined();
    await sender.kill();
    await Promise.all(cycles);
    c.twilio.releaseHeld();

    await c.advance(61_000); // the dead sender's lease expires; another instance resends
    await c.cycle();
    expect(sms('Cooling failure row 7')).toHaveLength(1);
    expect(c.twilio.duplicates - dupsBefore).toBe(1);
    const out = await db.query(`SELECT status, attempts FROM outbox WHERE kind = 'page' AND content LIKE '%Cooling failure row 7%'`);
    expect(out.rows).toEqual([{ status: 'sent', attempts: 2 }]);
    await c.restart(sender);
  });

  it('the same new alert sent to every instance at once: every event accepted, one alert, one incident', async () => {
    // Each instance finds no open alert for the key and opens one; one commit wins the unique index
    // (alerts_open_dedup) and the others run again and count the event as a repeat, never a 500.
    const ROUNDS = 30;
    const statuses: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const answers = await Promise.all([0, 1, 2, 0, 1, 2].map((i) => send(node(i).url, `race ${r}`, `race-${r}`)));
      statuses.push(...answers.map((a) => a.status));
    }
    expect(statuses.filter((s) => s !== 202)).toEqual([]);
    const alerts = await db.query(`SELECT dedup_key, event_count, incident_id FROM alerts WHERE dedup_key LIKE 'race-%' ORDER BY dedup_key`);
    expect(alerts.rows).toHaveLength(ROUNDS);
    expect(alerts.rows.map((a) => a.event_count)).toEqual(Array(ROUNDS).fill(6));
    const events = await db.query(`SELECT count(*)::int AS n FROM alert_events WHERE dedup_key LIKE 'race-%'`);
    expect(events.rows[0].n).toBe(6 * ROUNDS);
    const incidents = await db.query(`SELECT count(DISTINCT i.id)::int AS n FROM incidents i JOIN alerts a ON a.incident_id = i.id WHERE a.dedup_key LIKE 'race-%'`);
    expect(incidents.rows[0].n).toBe(ROUNDS);
    const orphans = await db.query(`SELECT count(*)::int AS n FROM incidents i WHERE i.title LIKE 'race %' AND NOT EXISTS (SELECT 1 FROM alerts a WHERE a.incident_id = i.id)`);
    expect(orphans.rows[0].n).toBe(0);
  }, 120_000);

  it('loses no accepted event when an instance dies during a storm', async () => {
    const victim = node(2);
    const accepted: string[] = [];
    const N = 240;
    let answered = 0;
    let kill: Promise<void> | null = null;
    await Promise.all(
      Array.from({ length: N }, async (_, i) => {
        try {
          const r = await send(node(i % 3).url, `storm ${i}`, `storm-${i}`);
          if (r.status === 202) accepted.push(`storm-${i}`);
        } catch {
          /* the killed instance's connections fail: not accepted */
        }
        // A third of the way through the storm, one instance dies.
        if (++answered === N / 3) kill = victim.kill();
      }),
    );
    await kill;
    expect(accepted.length).toBeGreaterThan(N / 2);
    const stored = await db.query(`SELECT DISTINCT dedup_key FROM alert_events WHERE dedup_key LIKE 'storm-%'`);
    const set = new Set(stored.rows.map((r) => r.dedup_key));
    expect(accepted.filter((k) => !set.has(k))).toEqual([]);
    await c.restart(victim);
  }, 180_000);
});
