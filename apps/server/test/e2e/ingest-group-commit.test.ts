import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, startTestKlaxon, type TestKlaxon } from '../harness.js';
import { must } from '../../src/lib/must.js';

// Ingest commits many requests together and writes event rows and repeat counts in bulk at the end of
// each commit. These check that nothing is lost or miscounted when requests share a commit, and that
// events of one request keep their order (trigger, repeat, resolve, trigger again).
describe.each(DIALECTS)('ingest under concurrency: bulk writes keep every event and every count (%s)', (dialect) => {
  let t: TestKlaxon;
  let routingKey: string;
  let genericKey: string;
  beforeAll(async () => {
    t = await startTestKlaxon(dialect);
    const svc = await t.api('POST', '/api/v1/services', { name: 'storefront' });
    routingKey = (await t.api('POST', `/api/v1/services/${svc.body.service.id}/integrations`, { name: 'pd', kind: 'pagerduty' })).body.integration.key;
    genericKey = (await t.api('POST', `/api/v1/services/${svc.body.service.id}/integrations`, { name: 'json', kind: 'generic' })).body.integration.key;
  });
  afterAll(() => t?.stop());

  const alertsOf = async (n: number) => (await t.api('GET', `/api/v1/incidents/${n}/alerts`)).body.alerts as { dedupKey: string; eventCount: number; status: string; summary: string }[];

  it('300 concurrent PagerDuty triggers on 5 keys: 5 incidents, each alert counts exactly its events', async () => {
    const sent = Array.from({ length: 300 }, (_, i) => ({ key: `k${i % 5}`, summary: `Queue depth high (${i})` }));
    const answers = await Promise.all(
      sent.map((s) =>
        fetch(`${t.url}/v2/enqueue`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ routing_key: routingKey, event_action: 'trigger', dedup_key: s.key, payload: { summary: s.summary, source: 'queue', severity: 'error' } }),
        }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(sent.map(() => 202));
    const list = (await t.api('GET', '/api/v1/incidents?limit=100')).body.incidents as { number: number }[];
    expect(list).toHaveLength(5);
    const counts: Record<string, number> = {};
    for (const inc of list) {
      const alerts = await alertsOf(inc.number);
      expect(alerts).toHaveLength(1);
      const alert = must(alerts[0], `the alert of #${inc.number}`);
      counts[alert.dedupKey] = alert.eventCount;
      // The latest details win: the summary is one of those sent for this key.
      expect(sent.filter((s) => s.key === alert.dedupKey).map((s) => s.summary)).toContain(alert.summary);
    }
    expect(counts).toEqual({ k0: 60, k1: 60, k2: 60, k3: 60, k4: 60 });
  });

  it('one request carrying trigger, repeat, resolve, trigger, repeat on one key: two alerts, counted 2 and 2, in order', async () => {
    const ev = (action: string, i: number) => ({ dedup_key: 'disk-full', action, summary: `Disk full #${i}`, severity: 'critical' });
    const r = await t.api('POST', `/integrations/v1/generic/${genericKey}`, [ev('trigger', 1), ev('trigger', 2), ev('resolve', 3), ev('trigger', 4), ev('trigger', 5)]);
    expect(r.status).toBe(202);
    expect(r.body.events.map((e: { outcome: string }) => e.outcome)).toEqual(['created', 'appended', 'resolved', 'created', 'appended']);
    const first = r.body.events[0].incidentId as string;
    const second = r.body.events[3].incidentId as string;
    expect(second).not.toBe(first);
    const a1 = (await t.api('GET', `/api/v1/incidents/${first}/alerts`)).body.alerts;
    const a2 = (await t.api('GET', `/api/v1/incidents/${second}/alerts`)).body.alerts;
    expect(a1).toMatchObject([{ eventCount: 2, status: 'resolved', summary: 'Disk full #2' }]);
    expect(a2).toMatchObject([{ eventCount: 2, status: 'triggered', summary: 'Disk full #5' }]);
    expect((await t.api('GET', `/api/v1/incidents/${first}`)).body.incident.status).toBe('resolved');
  });
});
