import type { IntegrationKind } from '@klaxon/contract';

/** One thing to paste somewhere: a title, where it goes, and the text. */
export interface Snippet {
  title: string;
  hint: string;
  text: string;
}

/** Where a monitoring tool sends events for this kind of integration, with this key. */
export function endpointFor(base: string, kind: IntegrationKind, key: string): { url: string; auth?: string } {
  switch (kind) {
    case 'pagerduty':
      return { url: `${base}/v2/enqueue`, auth: `routing_key: ${key}` };
    case 'opsgenie':
      return { url: `${base}/v2/alerts`, auth: `Authorization: GenieKey ${key}` };
    case 'email':
      // The server names the address (its KLAXON_INBOUND_EMAIL_DOMAIN) when the integration is created; this is the default domain.
      return { url: `${key}@${new URL(base).hostname}` };
    default:
      return { url: `${base}/integrations/v1/${kind}/${key}` };
  }
}

/** Copyable configuration for the tools that speak an integration kind's protocol. */
export function snippetsFor(base: string, kind: IntegrationKind, key: string, address?: string): Snippet[] {
  const url = address ?? endpointFor(base, kind, key).url;
  switch (kind) {
    case 'alertmanager':
      return [
        {
          title: 'Prometheus Alertmanager (webhook_configs)',
          hint: 'alertmanager.yml: add the receiver and route alerts to it.',
          text: `receivers:\n  - name: klaxon\n    webhook_configs:\n      - url: ${url}\n        send_resolved: true\n\nroute:\n  receiver: klaxon`,
        },
        {
          title: 'Try it with curl',
          hint: 'An Alertmanager v4 payload.',
          text: `curl -sS -X POST '${url}' \\\n  -H 'Content-Type: application/json' \\\n  -d '{"version":"4","status":"firing","receiver":"klaxon","groupKey":"{}:{alertname=\\"Test\\"}","alerts":[{"status":"firing","labels":{"alertname":"Test","severity":"warning"},"annotations":{"summary":"Test alert"},"startsAt":"${new Date().toISOString()}"}]}'`,
        },
      ];
    case 'grafana':
      return [
        {
          title: 'Grafana contact point (Webhook)',
          hint: 'Alerting → Contact points → Add contact point → Integration: Webhook. If you set a signing secret on this integration, enter it under Optional settings → HMAC signature.',
          text: `URL: ${url}\nHTTP method: POST`,
        },
        {
          title: 'Grafana provisioning (contact point)',
          hint: 'provisioning/alerting/klaxon.yaml',
          text: `apiVersion: 1\ncontactPoints:\n  - orgId: 1\n    name: klaxon\n    receivers:\n      - uid: klaxon\n        type: webhook\n        settings:\n          url: ${url}\n          httpMethod: POST`,
        },
      ];
    case 'pagerduty':
      return [
        {
          title: 'Any tool that speaks PagerDuty Events API v2',
          hint: 'Set the events URL (sometimes "API URL" or "PagerDuty URL") and use the key as routing / integration key.',
          text: `Events URL:  ${url}\nRouting key: ${key}`,
        },
        {
          title: 'Prometheus Alertmanager (pagerduty_configs)',
          hint: 'alertmanager.yml: the url: line sends PagerDuty events to Klaxon instead.',
          text: `receivers:\n  - name: klaxon\n    pagerduty_configs:\n      - routing_key: ${key}\n        url: ${url}\n        send_resolved: true`,
        },
        {
          title: 'Grafana contact point (PagerDuty)',
          hint: 'Integration: PagerDuty. Integration key below; under Optional settings set the URL to Klaxon.',
          text: `Integration Key: ${key}\nURL: ${url}`,
        },
        {
          title: 'Try it with curl',
          hint: 'A PagerDuty v2 trigger event.',
          text: `curl -sS -X POST '${url}' \\\n  -H 'Content-Type: application/json' \\\n  -d '{"routing_key":"${key}","event_action":"trigger","payload":{"summary":"Test alert","source":"curl","severity":"warning"}}'`,
        },
      ];
    case 'opsgenie':
      return [
        {
          title: 'Any Opsgenie Alert API client',
          hint: 'Point the client at Klaxon as its API base URL; the key is the GenieKey.',
          text: `API URL: ${base}/\nAPI key: ${key}\n(requests: POST ${url} with Authorization: GenieKey ${key})`,
        },
        {
          title: 'Prometheus Alertmanager (opsgenie_configs)',
          hint: 'alertmanager.yml',
          text: `receivers:\n  - name: klaxon\n    opsgenie_configs:\n      - api_key: ${key}\n        api_url: ${base}/\n        send_resolved: true`,
        },
        {
          title: 'Try it with curl',
          hint: 'An Opsgenie create-alert request.',
          text: `curl -sS -X POST '${url}' \\\n  -H 'Content-Type: application/json' \\\n  -H 'Authorization: GenieKey ${key}' \\\n  -d '{"message":"Test alert","alias":"test-1","priority":"P3"}'`,
        },
      ];
    case 'email':
      return [
        {
          title: 'Send mail to the address',
          hint: 'Subject, body and headers become the alert. The subject (without Re:/Fwd:) is the dedup key; a subject starting with RESOLVED:, [RESOLVED], RECOVERED: or [OK] resolves the alert of the same subject.',
          text: `To: ${url}\nSubject: Backup failed on db-1\n\n(later)\nSubject: RESOLVED: Backup failed on db-1`,
        },
      ];
    case 'generic':
      return [
        {
          title: 'Klaxon generic JSON',
          hint: 'For scripts, cron jobs and anything that can POST JSON. action: trigger | acknowledge | resolve.',
          text: `curl -sS -X POST '${url}' \\\n  -H 'Content-Type: application/json' \\\n  -d '{"summary":"Disk 95% full on db-1","source":"db-1","severity":"critical","dedup_key":"disk-full/db-1"}'`,
        },
      ];
  }
}

/** Which tools an integration kind is for, in a few words. */
export const KIND_LABEL: Record<IntegrationKind, string> = {
  pagerduty: 'PagerDuty Events v2 (Alertmanager pagerduty_configs, Grafana PagerDuty, any PagerDuty-speaking tool)',
  alertmanager: 'Prometheus Alertmanager webhook',
  grafana: 'Grafana alerting webhook',
  opsgenie: 'Opsgenie Alert API clients',
  generic: 'Generic JSON (scripts, cron, anything that POSTs)',
  email: 'Email (anything that can send mail)',
};
