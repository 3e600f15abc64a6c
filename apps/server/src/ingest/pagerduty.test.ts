import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IngestError } from './errors.js';
import { parsePagerDutyChange, parsePagerDutyEvent } from './pagerduty.js';
import { ascii, expectParsedOrIngestError, expectWellFormed, ingestErrorOf, isoTimestamp, junk, mutated, text, url } from '../../test/ingest-testkit.js';

const ROUTING_KEY = 'R0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5';
const GROUP_KEY_HASH = 'b0b5a2a2e1d3c1f4d06f8a3e0c8b6b9f2e3c6a7d8e9f0a1b2c3d4e5f6a7b8c9d';

/** What Alertmanager's pagerduty_configs (Events API v2) sends for a firing group. */
const alertmanagerTrigger = {
  routing_key: ROUTING_KEY,
  dedup_key: GROUP_KEY_HASH,
  event_action: 'trigger',
  payload: {
    summary: '[FIRING:2] HighErrorRate api (critical)',
    source: 'Alertmanager',
    severity: 'critical',
    custom_details: {
      firing:
        'Labels:\n - alertname = HighErrorRate\n - instance = api-1:8080\n - severity = critical\nAnnotations:\n - summary = 5xx rate above 5%\nSource: http://prometheus:9090/graph?g0.expr=...\n',
      num_firing: '2',
      num_resolved: '0',
      resolved: '',
    },
  },
  client: 'Alertmanager',
  client_url: 'http://alertmanager.example.com:9093/#/alerts?receiver=pagerduty',
  images: [{ src: 'https://grafana.example.com/render/d-solo/api?panelId=2', alt: 'Error rate', href: 'https://grafana.example.com/d/api' }],
  links: [{ href: 'https://runbooks.example.com/HighErrorRate', text: 'Runbook' }],
};

/** What a PagerDuty client library sends with every optional payload field. */
const libraryTrigger = {
  routing_key: ROUTING_KEY,
  event_action: 'trigger',
  payload: {
    summary: 'DISK at 99% on machine prod-datapipe03.example.com',
    timestamp: '2015-07-17T08:42:58.315+0000',
    severity: 'warning',
    source: 'prod-datapipe03.example.com',
    component: 'mysql',
    group: 'prod-datapipe',
    class: 'disk',
    custom_details: { 'free space': '1%', ping_time: '1500ms', load_avg: 0.75 },
  },
  links: [{ href: 'http://example.com/datapipe', text: 'Datapipe dashboard' }],
};

describe('parsePagerDutyEvent: real payloads', () => {
  it('parses the trigger Alertmanager pagerduty_configs sends', () => {
    const { routingKey, event } = parsePagerDutyEvent(alertmanagerTrigger);
    expect(routingKey).toBe(ROUTING_KEY);
    expect(event).toEqual({
      action: 'trigger',
      dedupKey: GROUP_KEY_HASH,
      summary: '[FIRING:2] HighErrorRate api (critical)',
      source: 'Alertmanager',
      severity: 'critical',
      details: alertmanagerTrigger.payload.custom_details,
      links: [
        { href: 'https://runbooks.example.com/HighErrorRate', text: 'Runbook' },
        { href: 'https://grafana.example.com/d/api', text: 'Error rate' },
        { href: 'http://alertmanager.example.com:9093/#/alerts?receiver=pagerduty', text: 'View in Alertmanager' },
      ],
      fields: { source: 'Alertmanager' },
      raw: alertmanagerTrigger,
    });
    expectWellFormed(event);
  });

  it('parses a client-library trigger with every payload field', () => {
    const { event } = parsePagerDutyEvent(libraryTrigger);
    expect(event.dedupKey).toBeUndefined();
    expect('dedupKey' in event).toBe(false);
    expect(event.occurredAt).toBe(Date.UTC(2015, 6, 17, 8, 42, 58, 315));
    expect(event.fields).toEqual({ source: 'prod-datapipe03.example.com', component: 'mysql', group: 'prod-datapipe', class: 'disk' });
    expect(event.details).toEqual({ 'free space': '1%', ping_time: '1500ms', load_avg: 0.75 });
    expect(event.severity).toBe('warning');
    expect(event.links).toEqual([{ href: 'http://example.com/datapipe', text: 'Datapipe dashboard' }]);
  });

  it('parses the resolve Alertmanager sends (payload present)', () => {
    const body = { ...alertmanagerTrigger, event_action: 'resolve', payload: { ...alertmanagerTrigger.payload, summary: '[RESOLVED] HighErrorRate api' } };
    const { event } = parsePagerDutyEvent(body);
    expect(event).toMatchObject({ action: 'resolve', dedupKey: GROUP_KEY_HASH, summary: '[RESOLVED] HighErrorRate api', severity: 'critical' });
  });

  it('accepts acknowledge and resolve without a payload, with defaults', () => {
    for (const action of ['acknowledge', 'resolve'] as const) {
      const body = { routing_key: ROUTING_KEY, event_action: action, dedup_key: 'srv01/HTTP' };
      const { event } = parsePagerDutyEvent(body);
      expect(event).toEqual({
        action,
        dedupKey: 'srv01/HTTP',
        summary: action,
        source: '',
        severity: 'info',
        details: {},
        links: [],
        fields: {},
        raw: body,
      });
    }
  });

  it('on resolve, tolerates blank or unknown payload values but not wrong types', () => {
    const ok = parsePagerDutyEvent({
      routing_key: ROUTING_KEY,
      event_action: 'resolve',
      dedup_key: 'k',
      payload: { summary: '', source: ' ', severity: 'bogus', timestamp: 'yesterday' },
    });
    expect(ok.event).toMatchObject({ summary: 'resolve', source: '', severity: 'info' });
    expect(ok.event.occurredAt).toBeUndefined();
    const bad = ingestErrorOf(() => parsePagerDutyEvent({ routing_key: ROUTING_KEY, event_action: 'resolve', dedup_key: 'k', payload: { summary: 5, severity: 1 } }));
    expect(bad.errors).toEqual(['payload.summary: must be a string (got number)', 'payload.severity: must be a string (got number)']);
  });

  it('truncates a long summary to 1024 without splitting a surrogate pair', () => {
    const long = 'x'.repeat(2000);
    const { event } = parsePagerDutyEvent({ ...libraryTrigger, payload: { ...libraryTrigger.payload, summary: long } });
    expect(event.summary).toBe('x'.repeat(1024));
    const emoji = `${'x'.repeat(1023)}😀tail`;
    const cut = parsePagerDutyEvent({ ...libraryTrigger, payload: { ...libraryTrigger.payload, summary: emoji } }).event.summary;
    expect(cut).toBe('x'.repeat(1023));
  });

  it('keeps a non-object custom_details under details.custom_details', () => {
    const { event } = parsePagerDutyEvent({ ...libraryTrigger, payload: { ...libraryTrigger.payload, custom_details: 'disk full' } });
    expect(event.details).toEqual({ custom_details: 'disk full' });
  });

  it('treats null optional fields as absent and an empty dedup_key on trigger as none', () => {
    const { event } = parsePagerDutyEvent({
      ...libraryTrigger,
      dedup_key: '',
      client: null,
      client_url: null,
      links: null,
      payload: { ...libraryTrigger.payload, component: null, custom_details: null, timestamp: null },
    });
    expect(event.dedupKey).toBeUndefined();
    expect(event.details).toEqual({});
    expect(event.fields.component).toBeUndefined();
    expect(event.occurredAt).toBeUndefined();
  });

  it('uses an image src as the link when it has no href, and "Client" when client_url has no client', () => {
    const { event } = parsePagerDutyEvent({
      ...libraryTrigger,
      links: [],
      images: [{ src: 'https://img/x.png' }],
      client_url: 'https://monitor/x',
    });
    expect(event.links).toEqual([{ href: 'https://img/x.png' }, { href: 'https://monitor/x', text: 'Client' }]);
  });
});

describe('parsePagerDutyEvent: problems', () => {
  const errorsOf = (body: unknown) => ingestErrorOf(() => parsePagerDutyEvent(body)).errors;

  it('refuses a body that is not an object', () => {
    expect(errorsOf([])).toEqual(['(root): must be a JSON object (got array)']);
    expect(errorsOf('x')).toEqual(['(root): must be a JSON object (got string)']);
    expect(errorsOf(null)).toEqual(['(root): must be a JSON object (got null)']);
  });

  it('lists the missing top-level fields', () => {
    expect(errorsOf({})).toEqual(['routing_key: required', 'event_action: required (one of "trigger", "acknowledge", "resolve")']);
  });

  it('requires a payload on trigger, and its summary, source and severity', () => {
    expect(errorsOf({ routing_key: ROUTING_KEY, event_action: 'trigger' })).toEqual(['payload: required']);
    expect(errorsOf({ routing_key: ROUTING_KEY, event_action: 'trigger', payload: {} })).toEqual([
      'payload.summary: required',
      'payload.source: required',
      'payload.severity: required (one of "critical", "error", "warning", "info")',
    ]);
    expect(errorsOf({ routing_key: ROUTING_KEY, event_action: 'trigger', payload: 'disk full' })).toEqual(['payload: must be an object (got string)']);
  });

  it('requires dedup_key on acknowledge and resolve', () => {
    expect(errorsOf({ routing_key: ROUTING_KEY, event_action: 'acknowledge' })).toEqual(['dedup_key: required for acknowledge events']);
    expect(errorsOf({ routing_key: ROUTING_KEY, event_action: 'resolve', dedup_key: '  ' })).toEqual(['dedup_key: required for resolve events']);
  });

  it('reports every wrong type and value at once', () => {
    const error = ingestErrorOf(() =>
      parsePagerDutyEvent({
        routing_key: '',
        event_action: 'open',
        dedup_key: 'k'.repeat(256),
        payload: {
          summary: '   ',
          source: 42,
          severity: 'CRITICAL',
          timestamp: 'yesterday',
          component: ['db'],
          group: {},
          class: true,
        },
        client: 1,
        client_url: false,
        links: [{ text: 'no href' }, 'https://x', { href: 3 }],
        images: {},
      }),
    );
    expect(error).toBeInstanceOf(IngestError);
    expect(error.errors).toEqual([
      'routing_key: must not be empty',
      'event_action: must be one of "trigger", "acknowledge", "resolve" (got "open")',
      'dedup_key: must be at most 255 characters (got 256)',
      'payload.summary: must not be empty',
      'payload.source: must be a string (got number)',
      'payload.severity: must be one of "critical", "error", "warning", "info" (got "CRITICAL")',
      'payload.timestamp: must be an ISO 8601 date-time (got "yesterday")',
      'payload.component: must be a string (got array)',
      'payload.group: must be a string (got object)',
      'payload.class: must be a string (got boolean)',
      'client: must be a string (got number)',
      'client_url: must be a string (got boolean)',
      'links[0].href: required',
      'links[1]: must be an object with "href" (got string)',
      'links[2].href: must be a string (got number)',
      'images: must be an array (got object)',
    ]);
    expect(error.message).toMatch(/^Invalid PagerDuty event: routing_key: must not be empty; /);
  });

  it('refuses a routing key longer than 255 and images without src', () => {
    expect(errorsOf({ ...libraryTrigger, routing_key: 'r'.repeat(256), images: [{ alt: 'x' }, 7] })).toEqual([
      'routing_key: must be at most 255 characters (got 256)',
      'images[0].src: required',
      'images[1]: must be an object with "src" (got number)',
    ]);
  });
});

describe('parsePagerDutyChange', () => {
  const change = {
    routing_key: ROUTING_KEY,
    payload: {
      summary: 'Build Success: Increase snapshot create timeout to 30 seconds',
      timestamp: '2020-07-17T08:42:58.315+0000',
      source: 'prod-build-agent-i-0b148d1040d565540',
      custom_details: { build_state: 'passed', build_number: '2', run_time: '1236s' },
    },
    links: [{ href: 'https://dev.build.example.com/builds/2', text: 'View more details in Acme!' }],
  };

  it('parses a change event', () => {
    expect(parsePagerDutyChange(change)).toEqual({
      routingKey: ROUTING_KEY,
      change: {
        summary: 'Build Success: Increase snapshot create timeout to 30 seconds',
        source: 'prod-build-agent-i-0b148d1040d565540',
        occurredAt: Date.UTC(2020, 6, 17, 8, 42, 58, 315),
        details: { build_state: 'passed', build_number: '2', run_time: '1236s' },
        links: [{ href: 'https://dev.build.example.com/builds/2', text: 'View more details in Acme!' }],
        raw: change,
      },
    });
  });

  it('needs only a routing key and a summary', () => {
    const { change: c } = parsePagerDutyChange({ routing_key: 'k', payload: { summary: 'Deployed v2' } });
    expect(c).toEqual({ summary: 'Deployed v2', source: '', details: {}, links: [], raw: { routing_key: 'k', payload: { summary: 'Deployed v2' } } });
  });

  it('lists its problems', () => {
    expect(ingestErrorOf(() => parsePagerDutyChange({})).errors).toEqual(['routing_key: required', 'payload: required']);
    expect(ingestErrorOf(() => parsePagerDutyChange({ routing_key: 'k', payload: { summary: '', timestamp: 'now', source: 1 }, links: 'x' })).errors).toEqual([
      'payload.summary: must not be empty',
      'payload.source: must be a string (got number)',
      'payload.timestamp: must be an ISO 8601 date-time (got "now")',
      'links: must be an array (got string)',
    ]);
    expect(ingestErrorOf(() => parsePagerDutyChange(5)).errors).toEqual(['(root): must be a JSON object (got number)']);
  });
});

const severity = fc.constantFrom('critical', 'error', 'warning', 'info');
const links = fc.array(fc.record({ href: url, text: fc.string() }, { requiredKeys: ['href'] }), { maxLength: 3 });
const images = fc.array(fc.record({ src: url, href: url, alt: fc.string() }, { requiredKeys: ['src'] }), { maxLength: 3 });
const payload = fc.record(
  {
    summary: text(1500),
    source: text(100),
    severity,
    timestamp: isoTimestamp.map((t) => t.text),
    component: fc.string(),
    group: fc.string(),
    class: fc.string(),
    custom_details: fc.oneof(fc.dictionary(fc.string(), fc.jsonValue()), fc.jsonValue()),
  },
  { requiredKeys: ['summary', 'source', 'severity'] },
);
const validTrigger = fc.record(
  {
    routing_key: ascii(255),
    event_action: fc.constant('trigger'),
    dedup_key: ascii(255),
    payload,
    client: fc.string(),
    client_url: url,
    links,
    images,
  },
  { requiredKeys: ['routing_key', 'event_action', 'payload'] },
);
const validAckResolve = fc.record(
  {
    routing_key: ascii(255),
    event_action: fc.constantFrom('acknowledge', 'resolve'),
    dedup_key: ascii(255),
    payload: fc.oneof(payload, fc.record({ summary: fc.string(), severity: fc.string() }, { requiredKeys: [] })),
    links,
  },
  { requiredKeys: ['routing_key', 'event_action', 'dedup_key'] },
);
const validEvent = fc.oneof(validTrigger, validAckResolve);

describe('parsePagerDutyEvent: properties', () => {
  it('parses every valid event, keeping what it was given', () => {
    fc.assert(
      fc.property(validEvent, (body) => {
        const { routingKey, event } = parsePagerDutyEvent(body);
        expectWellFormed(event);
        expect(routingKey).toBe(body.routing_key);
        expect(event.action).toBe(body.event_action);
        expect(event.dedupKey).toBe(body.dedup_key);
        expect(event.raw).toBe(body);
        const p = body.payload as Record<string, unknown> | undefined;
        if (body.event_action === 'trigger' && p) {
          expect(event.severity).toBe(p.severity);
          expect((p.summary as string).replace(/\s+/g, ' ').trim().startsWith(event.summary)).toBe(true);
          expect(event.source).toBe(p.source);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('returns a well-formed event or throws IngestError for arbitrary input', () => {
    fc.assert(
      fc.property(junk, (body) => {
        expectParsedOrIngestError(
          () => parsePagerDutyEvent(body),
          ({ event }) => expectWellFormed(event),
        );
        expectParsedOrIngestError(
          () => parsePagerDutyChange(body),
          ({ change }) => {
            expect(change.summary.length).toBeLessThanOrEqual(1024);
          },
        );
      }),
      { numRuns: 500 },
    );
  });

  it('returns a well-formed event or throws IngestError for mutated valid events', () => {
    fc.assert(
      fc.property(mutated(validEvent), (body) => {
        expectParsedOrIngestError(
          () => parsePagerDutyEvent(body),
          ({ routingKey, event }) => {
            expectWellFormed(event);
            expect(routingKey.length).toBeGreaterThan(0);
            expect(routingKey.length).toBeLessThanOrEqual(255);
          },
        );
      }),
      { numRuns: 500 },
    );
  });
});
