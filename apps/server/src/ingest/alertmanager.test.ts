import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { labelsFingerprint, parseAlertmanagerWebhook } from './alertmanager.js';
import { ascii, expectParsedOrIngestError, expectWellFormed, ingestErrorOf, isoTimestamp, junk, mutated, url } from '../../test/ingest-testkit.js';
import { must } from '../lib/must.js';

/** A webhook as Alertmanager 0.27 posts it for a group with one firing and one resolved alert. */
const webhook = {
  receiver: 'klaxon',
  status: 'firing',
  alerts: [
    {
      status: 'firing',
      labels: {
        alertname: 'HighErrorRate',
        instance: 'api-1:8080',
        job: 'api',
        severity: 'critical',
        team: 'payments',
      },
      annotations: {
        summary: 'api-1:8080 serves 7.2% errors',
        description: '5xx responses above 5% for 10 minutes.',
        runbook_url: 'https://runbooks.example.com/HighErrorRate',
      },
      startsAt: '2024-05-01T12:00:00.123456789Z',
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus.example.com:9090/graph?g0.expr=rate%28http_errors_total%5B5m%5D%29+%3E+0.05&g0.tab=1',
      fingerprint: '6f3e1d2c4b5a6978',
    },
    {
      status: 'resolved',
      labels: { alertname: 'HighErrorRate', instance: 'api-2:8080', job: 'api', severity: 'warning' },
      annotations: {},
      startsAt: '2024-05-01T11:40:00Z',
      endsAt: '2024-05-01T11:58:30Z',
      generatorURL: 'http://prometheus.example.com:9090/graph?g0.expr=x',
      fingerprint: 'a1b2c3d4e5f60718',
    },
  ],
  groupLabels: { alertname: 'HighErrorRate' },
  commonLabels: { alertname: 'HighErrorRate', job: 'api' },
  commonAnnotations: {},
  externalURL: 'http://alertmanager.example.com:9093',
  version: '4',
  groupKey: '{}/{team="payments"}:{alertname="HighErrorRate"}',
  truncatedAlerts: 0,
};

const { alerts: _alerts, ...groupFields } = webhook;

describe('parseAlertmanagerWebhook: a real webhook', () => {
  it('makes one event per alert', () => {
    const events = parseAlertmanagerWebhook(webhook);
    expect(events).toHaveLength(2);
    const [firing, resolved] = events;
    expect(firing).toEqual({
      action: 'trigger',
      dedupKey: '6f3e1d2c4b5a6978',
      summary: 'api-1:8080 serves 7.2% errors',
      source: 'api-1:8080',
      severity: 'critical',
      details: {
        labels: webhook.alerts[0]?.labels,
        annotations: webhook.alerts[0]?.annotations,
        startsAt: '2024-05-01T12:00:00.123456789Z',
        groupKey: webhook.groupKey,
        externalURL: 'http://alertmanager.example.com:9093',
      },
      links: [
        { href: webhook.alerts[0]?.generatorURL, text: 'Source' },
        { href: 'https://runbooks.example.com/HighErrorRate', text: 'Runbook' },
      ],
      fields: webhook.alerts[0]?.labels,
      occurredAt: Date.UTC(2024, 4, 1, 12, 0, 0, 123),
      raw: { ...groupFields, alerts: [webhook.alerts[0]] },
    });
    expect(resolved).toMatchObject({
      action: 'resolve',
      dedupKey: 'a1b2c3d4e5f60718',
      summary: 'HighErrorRate on api-2:8080',
      source: 'api-2:8080',
      severity: 'warning',
      occurredAt: Date.UTC(2024, 4, 1, 11, 40),
      details: { startsAt: '2024-05-01T11:40:00Z', endsAt: '2024-05-01T11:58:30Z' },
    });
    for (const e of events) expectWellFormed(e);
  });

  it('makes no events for an empty alerts array', () => {
    expect(parseAlertmanagerWebhook({ ...webhook, alerts: [] })).toEqual([]);
  });

  it('ignores unknown fields at both levels', () => {
    const events = parseAlertmanagerWebhook({ ...webhook, futureField: { x: 1 }, alerts: [{ ...webhook.alerts[0], newThing: [1] }] });
    expect(events).toHaveLength(1);
  });
});

describe('parseAlertmanagerWebhook: mapping rules', () => {
  const one = (alert: Record<string, unknown>, group: Record<string, unknown> = {}) => {
    const events = parseAlertmanagerWebhook({ receiver: 'team-x', ...group, alerts: [{ status: 'firing', ...alert }] });
    expect(events).toHaveLength(1);
    return must(events[0], 'events[0]');
  };

  it('falls back for the summary: description, then alertname, then a fixed text', () => {
    expect(one({ labels: { alertname: 'A' }, annotations: { description: 'D' } }).summary).toBe('D');
    expect(one({ labels: { alertname: 'A' }, annotations: { summary: ' ', description: 'D' } }).summary).toBe('D');
    expect(one({ labels: { alertname: 'A' } }).summary).toBe('A');
    expect(one({ labels: { alertname: 'A', instance: 'h:1' } }).summary).toBe('A on h:1');
    expect(one({ labels: {}, fingerprint: 'fp' }).summary).toBe('Alertmanager alert fp');
  });

  it('truncates the summary to 1024 characters', () => {
    expect(one({ labels: {}, annotations: { summary: 's'.repeat(5000) } }).summary).toHaveLength(1024);
  });

  it('maps severity words, defaulting to error', () => {
    const sev = (severity?: string) => one({ labels: severity === undefined ? {} : { severity } }).severity;
    expect(['critical', 'page', 'P1', 'CRITICAL'].map(sev)).toEqual(['critical', 'critical', 'critical', 'critical']);
    expect(['error', 'high', 'major'].map(sev)).toEqual(['error', 'error', 'error']);
    expect(['warning', 'warn', 'medium'].map(sev)).toEqual(['warning', 'warning', 'warning']);
    expect(['info', 'low', 'none'].map(sev)).toEqual(['info', 'info', 'info']);
    expect(sev(undefined)).toBe('error');
    expect(sev('sev-unknown')).toBe('error');
  });

  it('picks the source from instance, job, receiver, then "alertmanager"', () => {
    expect(one({ labels: { instance: 'i', job: 'j' } }).source).toBe('i');
    expect(one({ labels: { job: 'j' } }).source).toBe('j');
    expect(one({ labels: {} }).source).toBe('team-x');
    expect(one({ labels: {} }, { receiver: '' }).source).toBe('alertmanager');
  });

  it('derives a stable dedup key from the labels when there is no fingerprint', () => {
    const a = one({ labels: { alertname: 'A', instance: 'x' } });
    const b = one({ labels: { instance: 'x', alertname: 'A' }, fingerprint: '' });
    expect(a.dedupKey).toMatch(/^[0-9a-f]{32}$/);
    expect(b.dedupKey).toBe(a.dedupKey);
    expect(one({ labels: { alertname: 'B', instance: 'x' } }).dedupKey).not.toBe(a.dedupKey);
    expect(labelsFingerprint({})).toBe('44136fa355b3678a1146ad16f7e8649e');
  });

  it('omits Go zero times and reads offsets', () => {
    const e = one({ labels: {}, startsAt: '2021-10-12T09:51:03.157076+02:00', endsAt: '0001-01-01T00:00:00Z' });
    expect(e.occurredAt).toBe(Date.UTC(2021, 9, 12, 7, 51, 3, 157));
    expect(e.details.endsAt).toBeUndefined();
    const zero = one({ labels: {}, startsAt: '0001-01-01T00:00:00Z' });
    expect(zero.occurredAt).toBeUndefined();
  });

  it('keeps a label named __proto__ as a plain field', () => {
    const labels = JSON.parse('{"__proto__":"x","alertname":"A"}') as Record<string, string>;
    const e = one({ labels });
    expect(Object.getOwnPropertyDescriptor(e.fields, '__proto__')?.value).toBe('x');
    expect(Object.getPrototypeOf(e.fields)).toBe(Object.prototype);
  });
});

describe('parseAlertmanagerWebhook: problems', () => {
  const errorsOf = (body: unknown) => ingestErrorOf(() => parseAlertmanagerWebhook(body)).errors;

  it('refuses a body that is not an object or has no alerts array', () => {
    expect(errorsOf('x')).toEqual(['(root): must be a JSON object (got string)']);
    expect(errorsOf([webhook])).toEqual(['(root): must be a JSON object (got array)']);
    expect(errorsOf({})).toEqual(['alerts: required']);
    expect(errorsOf({ alerts: {} })).toEqual(['alerts: must be an array (got object)']);
  });

  it('requires status and labels on each alert, and reports every alert', () => {
    expect(errorsOf({ alerts: [{}, 'x', { status: 'pending', labels: [] }, { status: 'firing', labels: { a: 1 } }] })).toEqual([
      'alerts[0].status: required (one of "firing", "resolved")',
      'alerts[0].labels: required',
      'alerts[1]: must be an object (got string)',
      'alerts[2].status: must be one of "firing", "resolved" (got "pending")',
      'alerts[2].labels: must be an object (got array)',
      'alerts[3].labels.a: must be a string (got number)',
    ]);
  });

  it('checks the types of known fields', () => {
    const error = ingestErrorOf(() =>
      parseAlertmanagerWebhook({
        version: 4,
        groupKey: 1,
        receiver: [],
        status: {},
        groupLabels: 'x',
        commonLabels: { 'odd key': 2 },
        commonAnnotations: null,
        externalURL: false,
        truncatedAlerts: '0',
        alerts: [
          {
            status: 'firing',
            labels: {},
            annotations: { summary: 1 },
            startsAt: 'yesterday',
            endsAt: 5,
            generatorURL: {},
            fingerprint: 'f'.repeat(256),
          },
        ],
      }),
    );
    expect(error.errors).toEqual([
      'version: must be a string (got number)',
      'status: must be a string (got object)',
      'groupLabels: must be an object (got string)',
      'commonLabels["odd key"]: must be a string (got number)',
      'truncatedAlerts: must be a number (got string)',
      'groupKey: must be a string (got number)',
      'externalURL: must be a string (got boolean)',
      'receiver: must be a string (got array)',
      'alerts[0].annotations.summary: must be a string (got number)',
      'alerts[0].startsAt: must be an RFC 3339 date-time (got "yesterday")',
      'alerts[0].endsAt: must be a string (got number)',
      'alerts[0].generatorURL: must be a string (got object)',
      'alerts[0].fingerprint: must be at most 255 characters (got 256)',
    ]);
    expect(error.message).toMatch(/^Invalid Alertmanager webhook: /);
  });

  it('caps the listed problems at 100 and counts the rest', () => {
    const errors = errorsOf({ alerts: Array.from({ length: 150 }, () => ({})) });
    expect(errors).toHaveLength(101);
    expect(errors[100]).toBe('(root): ... and 200 more problems');
  });
});

const labelMap = fc.dictionary(fc.string({ minLength: 1, maxLength: 20 }), fc.string({ maxLength: 40 }), { maxKeys: 6 });
const validAlert = fc.record(
  {
    status: fc.constantFrom('firing', 'resolved'),
    labels: labelMap,
    annotations: labelMap,
    startsAt: isoTimestamp.map((t) => t.text),
    endsAt: fc.oneof(
      isoTimestamp.map((t) => t.text),
      fc.constant('0001-01-01T00:00:00Z'),
    ),
    generatorURL: url,
    fingerprint: fc.oneof(fc.stringMatching(/^[0-9a-f]{16}$/), ascii(255)),
  },
  { requiredKeys: ['status', 'labels'] },
);
const validWebhook = fc.record(
  {
    version: fc.constant('4'),
    groupKey: fc.string(),
    truncatedAlerts: fc.nat(),
    status: fc.constantFrom('firing', 'resolved'),
    receiver: fc.string(),
    groupLabels: labelMap,
    commonLabels: labelMap,
    commonAnnotations: labelMap,
    externalURL: url,
    alerts: fc.array(validAlert, { maxLength: 5 }),
  },
  { requiredKeys: ['alerts'] },
);

describe('parseAlertmanagerWebhook: properties', () => {
  it('parses every valid webhook into one event per alert', () => {
    fc.assert(
      fc.property(validWebhook, (body) => {
        const events = parseAlertmanagerWebhook(body);
        expect(events).toHaveLength(body.alerts.length);
        events.forEach((event, i) => {
          const alert = must(body.alerts[i], 'body.alerts[i]');
          expectWellFormed(event);
          expect(event.action).toBe(alert.status === 'firing' ? 'trigger' : 'resolve');
          expect(event.fields).toEqual(alert.labels);
          expect(event.dedupKey).toBe(alert.fingerprint ?? labelsFingerprint(alert.labels));
        });
      }),
      { numRuns: 300 },
    );
  });

  it('returns well-formed events or throws IngestError for arbitrary input', () => {
    fc.assert(
      fc.property(junk, (body) => {
        expectParsedOrIngestError(
          () => parseAlertmanagerWebhook(body),
          (events) => events.forEach((e) => expectWellFormed(e)),
        );
      }),
      { numRuns: 500 },
    );
  });

  it('returns well-formed events or throws IngestError for mutated valid webhooks', () => {
    fc.assert(
      fc.property(mutated(validWebhook), (body) => {
        expectParsedOrIngestError(
          () => parseAlertmanagerWebhook(body),
          (events) => events.forEach((e) => expectWellFormed(e)),
        );
      }),
      { numRuns: 500 },
    );
  });
});
