import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseGenieKey, parseOpsgenieActionBody, parseOpsgenieCreate, parseOpsgenieIdentifier } from './opsgenie.js';
import { ascii, expectParsedOrIngestError, expectWellFormed, ingestErrorOf, junk, mutated, text } from '../../test/ingest-testkit.js';

const LIMITS = { maxDedupKey: 512, maxSummary: 130 };

/** The create-alert example of Opsgenie's Alert API documentation. */
const docsExample = {
  message: 'An example alert message',
  alias: 'Life is too short for no alias',
  description: 'Every alert needs a description',
  responders: [
    { id: '4513b7ea-3b91-438f-b7e4-e3e54af9147c', type: 'team' },
    { name: 'NOC', type: 'team' },
    { id: 'bb4d9938-c3c2-455d-aaab-727aa701c0d8', type: 'user' },
    { username: 'trinity@opsgenie.com', type: 'user' },
    { id: 'aee8a0de-c80f-4515-a232-501c0bc9d715', type: 'escalation' },
    { name: 'Nightwatch Escalation', type: 'escalation' },
    { id: '80564037-1984-4f38-b98e-8a1f662df552', type: 'schedule' },
    { name: 'First Responders Schedule', type: 'schedule' },
  ],
  visibleTo: [
    { id: '4513b7ea-3b91-438f-b7e4-e3e54af9147c', type: 'team' },
    { name: 'rocket_team', type: 'team' },
    { id: 'bb4d9938-c3c2-455d-aaab-727aa701c0d8', type: 'user' },
    { username: 'trinity@opsgenie.com', type: 'user' },
  ],
  actions: ['Restart', 'AnExampleAction'],
  tags: ['OverwriteQuietHours', 'Critical'],
  details: { key1: 'value1', key2: 'value2' },
  entity: 'An example entity',
  priority: 'P1',
};

/** What Alertmanager's opsgenie_configs posts for a firing group. */
const alertmanagerCreate = {
  alias: '9a4d0c8f1e5b2c7d3f6a8b0e1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d',
  message: '[FIRING:1] HighErrorRate api (critical)',
  description: 'Alerts Firing:\nLabels:\n - alertname = HighErrorRate\n - instance = api-1:8080\n',
  details: { alertname: 'HighErrorRate', instance: 'api-1:8080', severity: 'critical' },
  source: 'http://alertmanager.example.com:9093/#/alerts?receiver=opsgenie',
  responders: [{ name: 'payments', type: 'team' }],
  tags: ['payments'],
  note: '',
  priority: 'P2',
};

describe('parseOpsgenieCreate', () => {
  it("parses the Opsgenie documentation's example", () => {
    const event = parseOpsgenieCreate(docsExample);
    expect(event).toEqual({
      action: 'trigger',
      dedupKey: 'Life is too short for no alias',
      summary: 'An example alert message',
      source: 'An example entity',
      severity: 'critical',
      details: {
        description: 'Every alert needs a description',
        details: { key1: 'value1', key2: 'value2' },
        tags: ['OverwriteQuietHours', 'Critical'],
        responders: docsExample.responders,
        visibleTo: docsExample.visibleTo,
        actions: ['Restart', 'AnExampleAction'],
        priority: 'P1',
        entity: 'An example entity',
      },
      links: [],
      fields: { key1: 'value1', key2: 'value2', entity: 'An example entity', priority: 'P1' },
      raw: docsExample,
    });
    expectWellFormed(event, LIMITS);
  });

  it('parses what Alertmanager opsgenie_configs sends', () => {
    const event = parseOpsgenieCreate(alertmanagerCreate);
    expect(event).toMatchObject({
      action: 'trigger',
      dedupKey: alertmanagerCreate.alias,
      summary: '[FIRING:1] HighErrorRate api (critical)',
      source: alertmanagerCreate.source,
      severity: 'error',
      fields: { alertname: 'HighErrorRate', instance: 'api-1:8080', severity: 'critical', source: alertmanagerCreate.source, priority: 'P2' },
    });
    expect(event.details.note).toBeUndefined();
  });

  it('needs only a message; priority defaults to P3 (warning) and there is no dedup key', () => {
    const event = parseOpsgenieCreate({ message: 'Disk full' });
    expect(event).toEqual({
      action: 'trigger',
      summary: 'Disk full',
      source: '',
      severity: 'warning',
      details: { priority: 'P3' },
      links: [],
      fields: { priority: 'P3' },
      raw: { message: 'Disk full' },
    });
  });

  it('maps every priority', () => {
    const sev = (priority: string) => parseOpsgenieCreate({ message: 'm', priority }).severity;
    expect(['P1', 'P2', 'P3', 'P4', 'P5'].map(sev)).toEqual(['critical', 'error', 'warning', 'info', 'info']);
  });

  it('truncates text fields to Opsgenie limits, and accepts number and boolean details as text', () => {
    const event = parseOpsgenieCreate({
      message: 'm'.repeat(200),
      description: 'd'.repeat(20_000),
      entity: 'e'.repeat(600),
      source: 's'.repeat(150),
      user: 'u'.repeat(150),
      note: 'n'.repeat(30_000),
      details: { count: 3, ok: true },
    });
    expect(event.summary).toBe('m'.repeat(130));
    expect(event.details.description).toHaveLength(15_000);
    expect(event.details.entity).toHaveLength(512);
    expect(event.details.source).toHaveLength(100);
    expect(event.details.user).toHaveLength(100);
    expect(event.details.note).toHaveLength(25_000);
    expect(event.fields).toMatchObject({ count: '3', ok: 'true' });
  });

  it('accepts an alias of 512 characters and refuses a longer one', () => {
    expect(parseOpsgenieCreate({ message: 'm', alias: 'a'.repeat(512) }).dedupKey).toHaveLength(512);
    expect(ingestErrorOf(() => parseOpsgenieCreate({ message: 'm', alias: 'a'.repeat(513) })).errors).toEqual(['alias: must be at most 512 characters (got 513)']);
  });

  it('reports every problem', () => {
    expect(ingestErrorOf(() => parseOpsgenieCreate([])).errors).toEqual(['(root): must be a JSON object (got array)']);
    expect(ingestErrorOf(() => parseOpsgenieCreate({})).errors).toEqual(['message: required']);
    const error = ingestErrorOf(() =>
      parseOpsgenieCreate({
        message: ' ',
        alias: 5,
        description: [],
        entity: {},
        source: 1,
        user: false,
        note: 2,
        priority: 'p1',
        tags: ['ok', 3],
        actions: 'Restart',
        details: { a: 'x', b: null, c: { nested: true } },
        responders: [{ name: 'NOC' }, { type: 'robot', id: 'x' }, { type: 'team' }, 'NOC'],
        visibleTo: [{ type: 'schedule', name: 'x' }],
      }),
    );
    expect(error.errors).toEqual([
      'message: must not be empty',
      'alias: must be a string (got number)',
      'description: must be a string (got array)',
      'entity: must be a string (got object)',
      'source: must be a string (got number)',
      'user: must be a string (got boolean)',
      'note: must be a string (got number)',
      'priority: must be one of "P1", "P2", "P3", "P4", "P5" (got "p1")',
      'tags[1]: must be a string (got number)',
      'actions: must be an array (got string)',
      'details.b: must be a string (got null)',
      'details.c: must be a string (got object)',
      'responders[0].type: required (one of "team", "user", "escalation", "schedule")',
      'responders[1].type: must be one of "team", "user", "escalation", "schedule" (got "robot")',
      'responders[2]: needs one of "id", "name", "username"',
      'responders[3]: must be an object (got string)',
      'visibleTo[0].type: must be one of "team", "user" (got "schedule")',
    ]);
    expect(error.message).toMatch(/^Invalid Opsgenie alert: message: must not be empty; /);
  });
});

describe('parseOpsgenieIdentifier', () => {
  it('defaults to id and accepts id, alias and tiny in any case', () => {
    expect(parseOpsgenieIdentifier('8743a1b2-11da-480e-8493-744660987bef', undefined)).toEqual({
      type: 'id',
      value: '8743a1b2-11da-480e-8493-744660987bef',
    });
    expect(parseOpsgenieIdentifier('x', '')).toEqual({ type: 'id', value: 'x' });
    expect(parseOpsgenieIdentifier('life-is-short', 'alias')).toEqual({ type: 'alias', value: 'life-is-short' });
    expect(parseOpsgenieIdentifier('1234', 'TINY')).toEqual({ type: 'tiny', value: '1234' });
  });

  it('refuses an unknown identifierType and an empty or too long identifier', () => {
    expect(ingestErrorOf(() => parseOpsgenieIdentifier('x', 'name')).errors).toEqual(['identifierType: must be one of "id", "alias", "tiny" (got "name")']);
    expect(ingestErrorOf(() => parseOpsgenieIdentifier(' ', 'alias')).errors).toEqual(['identifier: required']);
    expect(ingestErrorOf(() => parseOpsgenieIdentifier('a'.repeat(513), 'alias')).errors).toEqual(['identifier: an alias must be at most 512 characters (got 513)']);
    expect(ingestErrorOf(() => parseOpsgenieIdentifier('', 'bogus')).message).toBe(
      'Invalid Opsgenie alert identifier: identifierType: must be one of "id", "alias", "tiny" (got "bogus"); identifier: required',
    );
  });
});

describe('parseOpsgenieActionBody', () => {
  it('accepts no body, an empty body and a full one', () => {
    expect(parseOpsgenieActionBody(undefined)).toEqual({});
    expect(parseOpsgenieActionBody(null)).toEqual({});
    expect(parseOpsgenieActionBody({})).toEqual({});
    expect(parseOpsgenieActionBody({ user: 'Monitoring Script', source: 'AWS Lambda', note: 'Action executed via Alert API' })).toEqual({
      user: 'Monitoring Script',
      source: 'AWS Lambda',
      note: 'Action executed via Alert API',
    });
  });

  it('reports wrong types', () => {
    expect(ingestErrorOf(() => parseOpsgenieActionBody('ack')).errors).toEqual(['(root): must be a JSON object (got string)']);
    expect(ingestErrorOf(() => parseOpsgenieActionBody({ user: 1, source: [], note: {} })).errors).toEqual([
      'user: must be a string (got number)',
      'source: must be a string (got array)',
      'note: must be a string (got object)',
    ]);
  });
});

describe('parseGenieKey', () => {
  it('reads the key whatever the scheme case', () => {
    expect(parseGenieKey('GenieKey eb243592-faa2-4ba2-a551q-1afdf565c889')).toBe('eb243592-faa2-4ba2-a551q-1afdf565c889');
    expect(parseGenieKey('geniekey  abc ')).toBe('abc');
    expect(parseGenieKey('GENIEKEY abc')).toBe('abc');
  });

  it('refuses anything else without echoing the header', () => {
    expect(ingestErrorOf(() => parseGenieKey(undefined)).errors).toEqual(['Authorization: required ("GenieKey <key>")']);
    expect(ingestErrorOf(() => parseGenieKey('  ')).errors).toEqual(['Authorization: required ("GenieKey <key>")']);
    for (const header of ['Bearer secret-key', 'GenieKey', 'GenieKey a b', 'secret-key', 'GenieKeysecret']) {
      const error = ingestErrorOf(() => parseGenieKey(header));
      expect(error.errors).toEqual(['Authorization: must be "GenieKey <key>"']);
      expect(error.message).not.toContain('secret');
    }
  });
});

const recipient = fc.oneof(
  fc.record({ type: fc.constantFrom('team', 'user', 'escalation', 'schedule'), id: fc.uuid() }),
  fc.record({ type: fc.constantFrom('team', 'user'), name: ascii(40) }),
  fc.record({ type: fc.constant('user'), username: fc.emailAddress() }),
);
const validCreate = fc.record(
  {
    message: text(200),
    alias: ascii(512),
    description: fc.string({ maxLength: 500 }),
    responders: fc.array(recipient, { maxLength: 4 }),
    visibleTo: fc.array(
      recipient.filter((r) => r.type === 'team' || r.type === 'user'),
      { maxLength: 3 },
    ),
    actions: fc.array(fc.string(), { maxLength: 10 }),
    tags: fc.array(fc.string({ maxLength: 50 }), { maxLength: 20 }),
    details: fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer(), fc.boolean())),
    entity: fc.string(),
    source: fc.string(),
    priority: fc.constantFrom('P1', 'P2', 'P3', 'P4', 'P5'),
    user: fc.string(),
    note: fc.string(),
  },
  { requiredKeys: ['message'] },
);

describe('Opsgenie parsers: properties', () => {
  it('parses every valid create body', () => {
    fc.assert(
      fc.property(validCreate, (body) => {
        const event = parseOpsgenieCreate(body);
        expectWellFormed(event, LIMITS);
        expect(event.dedupKey).toBe(body.alias);
        expect(body.message.replace(/\s+/g, ' ').trim().startsWith(event.summary)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('returns a well-formed event or throws IngestError for arbitrary and mutated create bodies', () => {
    fc.assert(
      fc.property(fc.oneof(junk, mutated(validCreate)), (body) => {
        expectParsedOrIngestError(
          () => parseOpsgenieCreate(body),
          (event) => expectWellFormed(event, LIMITS),
        );
      }),
      { numRuns: 600 },
    );
  });

  it('action bodies, identifiers and GenieKey headers parse or throw IngestError', () => {
    fc.assert(
      fc.property(junk, fc.anything(), fc.anything(), (body, id, type) => {
        expectParsedOrIngestError(
          () => parseOpsgenieActionBody(body),
          (parsed) => expect(Object.values(parsed).every((v) => typeof v === 'string')).toBe(true),
        );
        expectParsedOrIngestError(
          () => parseOpsgenieIdentifier(id as string, type as string | undefined),
          (parsed) => expect(['id', 'alias', 'tiny']).toContain(parsed.type),
        );
        expectParsedOrIngestError(
          () => parseGenieKey(id as string | undefined),
          (key) => expect(key).toMatch(/^\S+$/),
        );
      }),
      { numRuns: 500 },
    );
  });
});
