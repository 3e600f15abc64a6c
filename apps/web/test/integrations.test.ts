import { describe, expect, it } from 'vitest';
import { INTEGRATION_KINDS } from '@klaxon/contract/lists';
import { endpointFor, snippetsFor } from '../src/integrations/snippets.ts';
import { testAlertRequest } from '../src/integrations/test-alert.ts';
import { must } from '../src/lib/must.ts';

const base = 'https://klaxon.example.com';
const key = 'k3y_abcdefghijklmnop';

describe('integration snippets and test alerts', () => {
  it('points each kind at its ingest endpoint', () => {
    expect(endpointFor(base, 'pagerduty', key)).toEqual({ url: `${base}/v2/enqueue`, auth: `routing_key: ${key}` });
    expect(endpointFor(base, 'opsgenie', key)).toEqual({ url: `${base}/v2/alerts`, auth: `Authorization: GenieKey ${key}` });
    expect(endpointFor(base, 'alertmanager', key).url).toBe(`${base}/integrations/v1/alertmanager/${key}`);
  });
  it('gives Alertmanager webhook_configs, pagerduty_configs with url:, and a Grafana contact point', () => {
    expect(must(snippetsFor(base, 'alertmanager', key)[0]).text).toContain(`webhook_configs:\n      - url: ${base}/integrations/v1/alertmanager/${key}`);
    const pd = snippetsFor(base, 'pagerduty', key)
      .map((s) => s.text)
      .join('\n');
    expect(pd).toContain(`pagerduty_configs:\n      - routing_key: ${key}\n        url: ${base}/v2/enqueue`);
    expect(must(snippetsFor(base, 'grafana', key)[1]).text).toContain(`type: webhook\n        settings:\n          url: ${base}/integrations/v1/grafana/${key}`);
    expect(
      snippetsFor(base, 'opsgenie', key)
        .map((s) => s.text)
        .join('\n'),
    ).toContain(`api_url: ${base}/`);
  });
  it('builds each kind test alert in its vendor wire format', () => {
    for (const kind of INTEGRATION_KINDS) {
      if (kind === 'email') {
        // An email integration is tested by mailing its address: there is no HTTP request to build.
        expect(() => testAlertRequest(base, kind, key, new Date('2026-03-02T09:00:00Z'))).toThrow(/sending a mail to its address/);
        continue;
      }
      const r = testAlertRequest(base, kind, key, new Date('2026-03-02T09:00:00Z'));
      const body = JSON.parse(r.body) as Record<string, unknown>;
      if (kind === 'pagerduty') expect(body).toMatchObject({ routing_key: key, event_action: 'trigger', payload: { severity: 'info' } });
      if (kind === 'opsgenie') expect(r.headers.authorization).toBe(`GenieKey ${key}`);
      if (kind === 'alertmanager' || kind === 'grafana') expect(body).toMatchObject({ version: '4', status: 'firing', alerts: [{ status: 'firing' }] });
      if (kind === 'generic') expect(body).toMatchObject({ summary: expect.any(String), severity: 'info' });
    }
  });
});
