import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../config/helpers.js';
import { startTestKlaxon, type TestKlaxon } from '../harness.js';
import { must } from '../../src/lib/must.js';

/**
 * The README's Alertmanager receiver, as Alertmanager would use it. Alertmanager's pagerduty_configs
 * send `severity` from its template, "error" when the receiver sets none (Alertmanager's documented
 * default). Only the constructs the snippet may use are rendered: {{ .CommonLabels.x }},
 * {{ .CommonLabels.x | toLower }} and {{ if .CommonLabels.x }}A{{ else }}B{{ end }}.
 */
function readmeReceiver(): { url: string; severity: string } {
  const readme = readFileSync(`${REPO_ROOT}/README.md`, 'utf8');
  const block = /Point Alertmanager at Klaxon[\s\S]*?```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
  if (!block) throw new Error('README: no Alertmanager snippet');
  const receiver = must((parse(block) as { receivers: { pagerduty_configs: { url: string; severity?: string }[] }[] }).receivers[0], 'README: a receiver in the Alertmanager snippet');
  const cfg = must(receiver.pagerduty_configs[0], 'README: a pagerduty_configs entry in the Alertmanager snippet');
  return { url: cfg.url, severity: cfg.severity ?? 'error' };
}

function render(template: string, commonLabels: Record<string, string>): string {
  const out = template
    .replace(/\{\{-?\s*if\s+\.CommonLabels\.(\w+)\s*-?\}\}(.*?)\{\{-?\s*else\s*-?\}\}(.*?)\{\{-?\s*end\s*-?\}\}/g, (_m, k: string, a: string, b: string) => (commonLabels[k] ? a : b))
    .replace(/\{\{-?\s*\.CommonLabels\.(\w+)\s*(\|\s*toLower\s*)?-?\}\}/g, (_m, k: string, lower?: string) => (lower ? (commonLabels[k] ?? '').toLowerCase() : (commonLabels[k] ?? '')));
  if (out.includes('{{')) throw new Error(`the README's template uses more than this test renders: ${template}`);
  return out;
}

describe("the README's Alertmanager snippet", () => {
  let t: TestKlaxon;
  let key: string;
  beforeAll(async () => {
    t = await startTestKlaxon('sqlite');
    const svc = await t.api('POST', '/api/v1/services', { name: 'api' });
    key = (await t.api('POST', `/api/v1/services/${svc.body.service.id}/integrations`, { name: 'am', kind: 'pagerduty' })).body.integration.key;
  });
  afterAll(async () => t?.stop());

  const send = async (labels: Record<string, string>, dedup: string) => {
    const { url, severity } = readmeReceiver();
    expect(new URL(url).pathname).toBe('/v2/enqueue');
    // What Alertmanager's PagerDuty notifier posts (Events API v2).
    const res = await fetch(`${t.url}/v2/enqueue`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        routing_key: key,
        dedup_key: dedup,
        event_action: 'trigger',
        payload: { summary: `[FIRING:1] ${labels.alertname}`, source: 'alertmanager', severity: render(severity, labels), custom_details: { firing: labels.alertname } },
        client: 'Alertmanager',
        client_url: 'http://alertmanager.example.com',
      }),
    });
    expect(res.status).toBe(202);
    await t.cycle();
    return (await t.api('GET', '/api/v1/incidents?limit=1')).body.incidents[0];
  };

  it('a critical alert is paged as critical, a warning as warning, not every one as "error"', async () => {
    expect((await send({ alertname: 'DiskFull', severity: 'critical' }, 'a1')).severity).toBe('critical');
    expect((await send({ alertname: 'DiskSlow', severity: 'warning' }, 'a2')).severity).toBe('warning');
  });

  it('an alert without a severity label is accepted, as critical', async () => {
    expect((await send({ alertname: 'NoLabel' }, 'a3')).severity).toBe('critical');
  });
});
