import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, startTestKlaxon, type TestKlaxon } from '../harness.js';

// Monitoring tools send "  Disk full\n" or a multi-line description as the summary: the incident's
// title is one trimmed line, whichever integration it came through.
describe.each(DIALECTS)('ingested summaries become one-line, trimmed incident titles (%s)', (dialect) => {
  let t: TestKlaxon;
  const keys: Record<string, string> = {};
  beforeAll(async () => {
    t = await startTestKlaxon(dialect);
    const svc = await t.api('POST', '/api/v1/services', { name: 'db' });
    for (const kind of ['pagerduty', 'alertmanager', 'opsgenie', 'generic', 'grafana']) {
      keys[kind] = (await t.api('POST', `/api/v1/services/${svc.body.service.id}/integrations`, { name: kind, kind })).body.integration.key;
    }
  });
  afterAll(async () => t?.stop());

  const latestTitle = async () => {
    await t.cycle();
    return (await t.api('GET', '/api/v1/incidents?limit=1')).body.incidents[0].title as string;
  };
  const post = async (path: string, body: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${t.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    expect(res.status, await res.text()).toBeLessThan(300);
  };

  it('PagerDuty, Alertmanager, Grafana, Opsgenie and generic', async () => {
    await post('/v2/enqueue', { routing_key: keys.pagerduty, event_action: 'trigger', payload: { summary: '  Disk full\n  on db-1  ', source: 'db-1', severity: 'critical' } });
    expect(await latestTitle()).toBe('Disk full on db-1');
    await post(`/integrations/v1/alertmanager/${keys.alertmanager}`, {
      version: '4',
      status: 'firing',
      receiver: 'klaxon',
      alerts: [{ status: 'firing', labels: { alertname: 'Lag' }, annotations: { description: 'Replication lag\nis 40 s\n\t on db-2\n' } }],
    });
    expect(await latestTitle()).toBe('Replication lag is 40 s on db-2');
    await post(`/integrations/v1/grafana/${keys.grafana}`, {
      version: '1',
      status: 'firing',
      receiver: 'klaxon',
      orgId: 1,
      alerts: [{ status: 'firing', labels: { alertname: 'Mem' }, annotations: { summary: '\n Memory high \n' } }],
    });
    expect(await latestTitle()).toBe('Memory high');
    await post('/v2/alerts', { message: '\t Queue backed up \r\n', alias: 'q' }, { authorization: `GenieKey ${keys.opsgenie}` });
    expect(await latestTitle()).toBe('Queue backed up');
    await post(`/integrations/v1/generic/${keys.generic}`, { title: '   Backup failed   ' });
    expect(await latestTitle()).toBe('Backup failed');
  });
});
