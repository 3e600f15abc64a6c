import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GENERIC_MAX_BATCH, parseGenericEvents } from './generic.js';
import { ascii, expectParsedOrIngestError, expectWellFormed, ingestErrorOf, isoTimestamp, junk, mutated, text, url } from '../../test/ingest-testkit.js';

const full = {
  action: 'trigger',
  dedup_key: 'disk-full/db-1',
  summary: 'Disk 95% full on db-1',
  source: 'db-1',
  severity: 'critical',
  timestamp: '2024-05-01T12:00:00Z',
  details: { used: '95%', mount: '/var/lib/postgresql' },
  links: [{ href: 'https://grafana.example.com/d/db', text: 'Dashboard' }, { href: 'https://runbooks.example.com/disk' }],
  fields: { team: 'storage' },
};

describe('parseGenericEvents', () => {
  it('parses a full event', () => {
    expect(parseGenericEvents(full)).toEqual([
      {
        action: 'trigger',
        dedupKey: 'disk-full/db-1',
        summary: 'Disk 95% full on db-1',
        source: 'db-1',
        severity: 'critical',
        occurredAt: Date.UTC(2024, 4, 1, 12),
        details: { used: '95%', mount: '/var/lib/postgresql' },
        links: [{ href: 'https://grafana.example.com/d/db', text: 'Dashboard' }, { href: 'https://runbooks.example.com/disk' }],
        fields: { team: 'storage' },
        raw: full,
      },
    ]);
  });

  it('applies the defaults to a minimal trigger', () => {
    expect(parseGenericEvents({ title: 'Backup failed' })).toEqual([
      { action: 'trigger', summary: 'Backup failed', source: '', severity: 'error', details: {}, links: [], fields: {}, raw: { title: 'Backup failed' } },
    ]);
  });

  it('accepts dedupKey as a synonym, summary over title, and epoch ms timestamps', () => {
    const [event] = parseGenericEvents({ dedupKey: 'k', summary: 'S', title: 'T', timestamp: 1714564800000 });
    expect(event).toMatchObject({ dedupKey: 'k', summary: 'S', occurredAt: 1714564800000 });
    expect(parseGenericEvents({ dedup_key: 'k', dedupKey: 'k', summary: 's' })[0]?.dedupKey).toBe('k');
  });

  it('resolves and acknowledges by dedup key, with the action as summary', () => {
    expect(
      parseGenericEvents([
        { action: 'resolve', dedup_key: 'k' },
        { action: 'acknowledge', dedupKey: 'k' },
      ]),
    ).toMatchObject([
      { action: 'resolve', dedupKey: 'k', summary: 'resolve' },
      { action: 'acknowledge', dedupKey: 'k', summary: 'acknowledge' },
    ]);
  });

  it('maps severity words', () => {
    const sev = (severity: string) => parseGenericEvents({ summary: 's', severity })[0]?.severity;
    expect(['critical', 'CRIT', 'page', 'fatal', 'P1', 'sev1'].map(sev)).toEqual(Array(6).fill('critical'));
    expect(['error', 'err', 'high', 'major', 'p2'].map(sev)).toEqual(Array(5).fill('error'));
    expect(['warning', 'warn', 'medium', 'minor', 'P3'].map(sev)).toEqual(Array(5).fill('warning'));
    expect(['info', 'information', 'low', 'notice', 'none', 'p4', 'p5'].map(sev)).toEqual(Array(7).fill('info'));
  });

  it('parses a batch, keeping the order, and an empty batch', () => {
    const events = parseGenericEvents([{ summary: 'a' }, { summary: 'b', severity: 'info' }]);
    expect(events.map((e) => e.summary)).toEqual(['a', 'b']);
    expect(parseGenericEvents([])).toEqual([]);
    expect(parseGenericEvents(Array.from({ length: GENERIC_MAX_BATCH }, (_, i) => ({ summary: `e${i}` })))).toHaveLength(100);
  });

  it('truncates the summary to 1024 characters', () => {
    expect(parseGenericEvents({ summary: 'x'.repeat(3000) })[0]?.summary).toHaveLength(1024);
  });
});

describe('parseGenericEvents: problems', () => {
  const errorsOf = (body: unknown) => ingestErrorOf(() => parseGenericEvents(body)).errors;

  it('refuses bodies that are neither an event nor a batch', () => {
    expect(errorsOf('boom')).toEqual(['(root): must be an event object or an array of at most 100 (got string)']);
    expect(errorsOf(null)).toEqual(['(root): must be an event object or an array of at most 100 (got null)']);
    expect(errorsOf(Array.from({ length: 101 }, () => ({ summary: 's' })))).toEqual(['(root): a batch holds at most 100 events (got 101)']);
  });

  it('requires a summary on trigger and a dedup key otherwise', () => {
    expect(errorsOf({})).toEqual(['summary: required (or "title")']);
    expect(errorsOf({ action: 'resolve' })).toEqual(['dedup_key: required for resolve events']);
    expect(errorsOf({ action: 'acknowledge', dedupKey: ' ' })).toEqual(['dedup_key: required for acknowledge events']);
  });

  it('reports every problem of every event in a batch with its index', () => {
    const error = ingestErrorOf(() =>
      parseGenericEvents([
        { summary: 'ok' },
        {
          action: 'close',
          dedup_key: 'a',
          dedupKey: 'b',
          summary: '',
          title: 3,
          source: 4,
          severity: 'urgent',
          timestamp: 'noon',
          details: [],
          links: [{ href: '' }],
          fields: { n: 1 },
        },
        'x',
        { summary: 's', dedup_key: 'k'.repeat(256), timestamp: Number.MAX_VALUE },
      ]),
    );
    expect(error.errors).toEqual([
      '[1].action: must be one of "trigger", "acknowledge", "resolve" (got "close")',
      '[1].dedupKey: differs from dedup_key: give one of them',
      '[1].summary: must not be empty',
      '[1].title: must be a string (got number)',
      '[1].source: must be a string (got number)',
      '[1].severity: must be critical, error, warning, info or a common synonym (got "urgent")',
      '[1].timestamp: must be an ISO 8601 date-time (got "noon")',
      '[1].details: must be an object (got array)',
      '[1].links[0].href: must not be empty',
      '[1].fields.n: must be a string (got number)',
      '[2]: must be an event object (got string)',
      '[3].dedup_key: must be at most 255 characters (got 256)',
      '[3].timestamp: must be a valid epoch milliseconds number (got 1.7976931348623157e+308)',
    ]);
    expect(error.message).toMatch(/^Invalid event: \[1\]\.action: /);
  });
});

const event = fc.oneof(
  fc.record(
    {
      action: fc.constant('trigger'),
      dedup_key: ascii(255),
      summary: text(1500),
      source: fc.string(),
      severity: fc.constantFrom('critical', 'error', 'warning', 'info', 'Crit', 'WARN', 'low', 'P2'),
      timestamp: fc.oneof(
        isoTimestamp.map((t) => t.text),
        isoTimestamp.map((t) => t.ms),
      ),
      details: fc.dictionary(fc.string(), fc.jsonValue()),
      links: fc.array(fc.record({ href: url, text: fc.string() }, { requiredKeys: ['href'] }), { maxLength: 3 }),
      fields: fc.dictionary(fc.string(), fc.string()),
    },
    { requiredKeys: ['summary'] },
  ),
  fc.record({ title: text(100) }),
  fc.record({ action: fc.constantFrom('acknowledge', 'resolve'), dedupKey: ascii(255), source: fc.string() }, { requiredKeys: ['action', 'dedupKey'] }),
);
const body = fc.oneof(event, fc.array(event, { maxLength: 10 }));

describe('parseGenericEvents: properties', () => {
  it('parses every valid event or batch', () => {
    fc.assert(
      fc.property(body, (input) => {
        const events = parseGenericEvents(input);
        const items = Array.isArray(input) ? input : [input];
        expect(events).toHaveLength(items.length);
        events.forEach((e, i) => {
          expectWellFormed(e);
          expect(e.raw).toBe(items[i]);
        });
      }),
      { numRuns: 300 },
    );
  });

  it('returns well-formed events or throws IngestError for arbitrary and mutated input', () => {
    fc.assert(
      fc.property(fc.oneof(junk, mutated(body)), (input) => {
        expectParsedOrIngestError(
          () => parseGenericEvents(input),
          (events) => events.forEach((e) => expectWellFormed(e)),
        );
      }),
      { numRuns: 600 },
    );
  });
});
