/**
 * Property-based tests over the real HTTP ingest endpoints: whatever a client sends, the answer is
 * never a 5xx, and every event the server accepts (2xx) is stored.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { junk, mutated } from '../../src/ingest/testkit.js';
import { DIALECTS, startTestKlaxon, type TestKlaxon } from '../harness.js';

const severity = fc.constantFrom('critical', 'error', 'warning', 'info');
const word = fc.string({ minLength: 1, maxLength: 40 }).filter((s) => s.trim().length > 0);
const dedup = fc.string({ minLength: 1, maxLength: 20 });

describe.each(DIALECTS)('ingest endpoints under arbitrary input (%s)', (dialect) => {
  let t: TestKlaxon;
  const keys: Record<string, string> = {};

  beforeAll(async () => {
    t = await startTestKlaxon(dialect);
    const svc = await t.api('POST', '/api/v1/services', { name: 'props' });
    for (const kind of ['pagerduty', 'alertmanager', 'grafana', 'opsgenie', 'generic']) {
      keys[kind] = (await t.api('POST', `/api/v1/services/${svc.body.service.id}/integrations`, { name: kind, kind, rateLimitPerMinute: 1_000_000 })).body.integration.key;
    }
  });
  afterAll(() => t?.stop());

  const stored = async () => Number((await t.k.ctx.db.kysely.selectFrom('alert_events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

  async function send(path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any }> {
    const res = await fetch(`${t.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let json: unknown = null;
    try {
      json = JSON.parse(text);
    } catch {
      /* not JSON */
    }
    return { status: res.status, json };
  }

  /** Sends `body`; checks no 5xx, a JSON answer, and that an accepted request stored `expected(body, answer)` events. */
  async function check(path: string, body: unknown, expected: (answer: any) => number, headers?: Record<string, string>) {
    const before = await stored();
    const { status, json } = await send(path, body, headers);
    expect(status, JSON.stringify(json)).toBeLessThan(500);
    expect(json).not.toBeNull();
    const after = await stored();
    if (status >= 200 && status < 300) expect(after - before).toBe(expected(json));
    else expect(after).toBe(before);
    return status;
  }

  const pdEvent = fc.record({
    routing_key: fc.constant('KEY'),
    event_action: fc.constantFrom('trigger', 'acknowledge', 'resolve'),
    dedup_key: fc.option(dedup, { nil: undefined }),
    payload: fc.record({ summary: word, source: word, severity, custom_details: fc.option(fc.dictionary(word, fc.jsonValue()), { nil: undefined }) }),
  });
  const amAlert = fc.record({
    status: fc.constantFrom('firing', 'resolved'),
    labels: fc.dictionary(fc.stringMatching(/^[a-z_]{1,10}$/), word, { minKeys: 1 }),
    annotations: fc.dictionary(fc.stringMatching(/^[a-z_]{1,10}$/), word),
    startsAt: fc.constant('2026-03-02T08:00:00Z'),
    fingerprint: fc.stringMatching(/^[0-9a-f]{8,16}$/),
  });
  const amBody = fc.record({ version: fc.constant('4'), status: fc.constantFrom('firing', 'resolved'), receiver: word, groupKey: word, alerts: fc.array(amAlert, { maxLength: 5 }) });
  const genericBody = fc.oneof(
    fc.record({ summary: word, severity, dedup_key: fc.option(dedup, { nil: undefined }), details: fc.option(fc.dictionary(word, fc.jsonValue()), { nil: undefined }) }),
    fc.array(fc.record({ summary: word, severity }), { minLength: 1, maxLength: 5 }),
  );
  const opsBody = fc.record({ message: word, alias: fc.option(dedup, { nil: undefined }), priority: fc.constantFrom('P1', 'P2', 'P3', 'P4', 'P5'), tags: fc.array(word, { maxLength: 3 }) });
  const RUNS = { numRuns: 60 };

  it('PagerDuty /v2/enqueue: never 5xx; each 202 stores one event', async () => {
    const withKey = (b: unknown) => (b && typeof b === 'object' && !Array.isArray(b) && 'routing_key' in (b as object) ? { ...(b as object), routing_key: keys.pagerduty } : b);
    await fc.assert(fc.asyncProperty(fc.oneof(pdEvent, mutated(pdEvent), junk), async (b) => void (await check('/v2/enqueue', withKey(b), () => 1))), RUNS);
    // Valid events are always accepted.
    await fc.assert(fc.asyncProperty(pdEvent.filter((e) => e.event_action === 'trigger'), async (b) => {
        expect(await check('/v2/enqueue', withKey(b), () => 1)).toBe(202);
      }), { numRuns: 20 });
  });

  it('Alertmanager and Grafana webhooks: never 5xx; each 202 stores one event per alert', async () => {
    for (const kind of ['alertmanager', 'grafana']) {
      await fc.assert(fc.asyncProperty(fc.oneof(amBody, mutated(amBody), junk), async (b) => void (await check(`/integrations/v1/${kind}/${keys[kind]}`, b, (a) => a.events.length))), RUNS);
      await fc.assert(fc.asyncProperty(amBody, async (b) => {
        expect(await check(`/integrations/v1/${kind}/${keys[kind]}`, b, () => b.alerts.length)).toBe(202);
      }), { numRuns: 15 });
    }
  });

  it('generic JSON: never 5xx; each 202 stores every event of the batch', async () => {
    await fc.assert(fc.asyncProperty(fc.oneof(genericBody, mutated(genericBody), junk), async (b) => void (await check(`/integrations/v1/generic/${keys.generic}`, b, (a) => a.events.length))), RUNS);
    await fc.assert(fc.asyncProperty(genericBody, async (b) => {
        expect(await check(`/integrations/v1/generic/${keys.generic}`, b, () => (Array.isArray(b) ? b.length : 1))).toBe(202);
      }), { numRuns: 15 });
  });

  it('Opsgenie /v2/alerts: never 5xx; each 202 stores one event', async () => {
    const auth = { authorization: `GenieKey ${keys.opsgenie}` };
    await fc.assert(fc.asyncProperty(fc.oneof(opsBody, mutated(opsBody), junk), async (b) => void (await check('/v2/alerts', b, () => 1, auth))), RUNS);
    await fc.assert(fc.asyncProperty(opsBody, async (b) => {
        expect(await check('/v2/alerts', b, () => 1, auth)).toBe(202);
      }), { numRuns: 15 });
  });

  it('raw bytes and odd content types never cause a 5xx', async () => {
    const bodies = fc.oneof(fc.string({ maxLength: 200 }), fc.constant(''), fc.constant('null'), fc.constant('[]'), fc.constant('{"routing_key":'));
    const paths = fc.constantFrom('/v2/enqueue', '/v2/change/enqueue', `/integrations/v1/generic/${keys.generic}`, `/integrations/v1/alertmanager/${keys.alertmanager}`, '/v2/alerts', '/integrations/v1/nope/x', '/v2/alerts/x/close?identifierType=weird');
    const types = fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/octet-stream');
    await fc.assert(
      fc.asyncProperty(paths, bodies, types, async (path, body, type): Promise<void> => {
        const res = await fetch(`${t.url}${path}`, { method: 'POST', headers: { 'content-type': type, authorization: `GenieKey ${keys.opsgenie}` }, body });
        expect(res.status).toBeLessThan(500);
      }),
      { numRuns: 80 },
    );
  });
});
