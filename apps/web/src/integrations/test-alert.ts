import type { IntegrationKind } from '@klaxon/contract';
import { endpointFor } from './snippets.ts';

/** What the ingest endpoint answered to a test alert. */
export interface TestAlertResult {
  ok: boolean;
  status: number;
  body: string;
}

async function hmacHex(secret: string, text: string): Promise<string> {
  const enc = new TextEncoder();
  const key = await crypto.subtle.importKey('raw', enc.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const sig = await crypto.subtle.sign('HMAC', key, enc.encode(text));
  return [...new Uint8Array(sig)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** The request a test alert makes for an integration kind: the same wire format the real tool sends. */
export function testAlertRequest(base: string, kind: IntegrationKind, key: string, now: Date = new Date()): { url: string; headers: Record<string, string>; body: string } {
  const { url } = endpointFor(base, kind, key);
  const id = `klaxon-test-${now.getTime()}`;
  const summary = 'Test alert from the Klaxon web app';
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const alert = {
    status: 'firing',
    labels: { alertname: 'KlaxonTestAlert', severity: 'info', source: 'klaxon-web' },
    annotations: { summary, description: 'Sent with "Send test alert". Resolve it when you have seen the page.' },
    startsAt: now.toISOString(),
    endsAt: '0001-01-01T00:00:00Z',
    generatorURL: base,
    fingerprint: id,
  };
  const webhook = {
    version: '4',
    groupKey: `{}:{alertname="KlaxonTestAlert",test="${id}"}`,
    status: 'firing',
    receiver: 'klaxon',
    groupLabels: { alertname: 'KlaxonTestAlert' },
    commonLabels: alert.labels,
    commonAnnotations: alert.annotations,
    externalURL: base,
    truncatedAlerts: 0,
    alerts: [alert],
  };
  switch (kind) {
    case 'pagerduty':
      return {
        url,
        headers,
        body: JSON.stringify({ routing_key: key, event_action: 'trigger', dedup_key: id, client: 'Klaxon web app', payload: { summary, source: 'klaxon-web', severity: 'info' } }),
      };
    case 'opsgenie':
      return { url, headers: { ...headers, authorization: `GenieKey ${key}` }, body: JSON.stringify({ message: summary, alias: id, source: 'klaxon-web', priority: 'P5' }) };
    case 'alertmanager':
      return { url, headers, body: JSON.stringify(webhook) };
    case 'grafana':
      return { url, headers, body: JSON.stringify({ ...webhook, orgId: 1, title: `[FIRING:1] ${summary}`, state: 'alerting', message: summary }) };
    case 'generic':
      return { url, headers, body: JSON.stringify({ summary, source: 'klaxon-web', severity: 'info', dedup_key: id }) };
    case 'email':
      throw new Error('An email integration is tested by sending a mail to its address');
  }
}

/** Posts a test event through the integration's real ingest endpoint, signing it for Grafana when a secret is given. */
export async function sendTestAlert(base: string, kind: IntegrationKind, key: string, signingSecret?: string): Promise<TestAlertResult> {
  const req = testAlertRequest(base, kind, key);
  if (kind === 'grafana' && signingSecret) {
    const ts = String(Math.floor(Date.now() / 1000));
    req.headers['x-grafana-alerting-signature'] = await hmacHex(signingSecret, `${ts}:${req.body}`);
    req.headers['x-grafana-alerting-signature-timestamp'] = ts;
  }
  const res = await fetch(req.url, { method: 'POST', headers: req.headers, body: req.body, credentials: 'omit' });
  return { ok: res.ok, status: res.status, body: await res.text() };
}
