/**
 * Property-based tests over the real HTTP ingest endpoints: whatever a client sends, the answer is
 * never a 5xx, and every event the server accepts (2xx) is stored.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { junk, mutated } from '../ingest-testkit.js';
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

  const stored = async () =>
    Number(
      (
        await t.k.ctx.db.kysely
          .selectFrom('alert_events')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

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
    await fc.assert(
      fc.asyncProperty(fc.oneof(pdEvent, mutated(pdEvent), junk), async (b) => void (await check('/v2/enqueue', withKey(b), () => 1))),
      RUNS,
    );
    // Valid events are always accepted.
    await fc.assert(
      fc.asyncProperty(
        pdEvent.filter((e) => e.event_action === 'trigger'),
        async (b) => {
          expect(await check('/v2/enqueue', withKey(b), () => 1)).toBe(202);
        },
      ),
      { numRuns: 20 },
    );
  });

  it('Alertmanager and Grafana webhooks: never 5xx; each 202 stores one event per alert', async () => {
    for (const kind of ['alertmanager', 'grafana']) {
      await fc.assert(
        fc.asyncProperty(fc.oneof(amBody, mutated(amBody), junk), async (b) => void (await check(`/integrations/v1/${kind}/${keys[kind]}`, b, (a) => a.events.length))),
        RUNS,
      );
      await fc.assert(
        fc.asyncProperty(amBody, async (b) => {
          expect(await check(`/integrations/v1/${kind}/${keys[kind]}`, b, () => b.alerts.length)).toBe(202);
        }),
        { numRuns: 15 },
      );
    }
  });

  it('generic JSON: never 5xx; each 202 stores every event of the batch', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(genericBody, mutated(genericBody), junk), async (b) => void (await check(`/integrations/v1/generic/${keys.generic}`, b, (a) => a.events.length))),
      RUNS,
    );
    await fc.assert(
      fc.asyncProperty(genericBody, async (b) => {
        expect(await check(`/integrations/v1/generic/${keys.generic}`, b, () => (Array.isArray(b) ? b.length : 1))).toBe(202);
      }),
      { numRuns: 15 },
    );
  });

  it('Opsgenie /v2/alerts: never 5xx; each 202 stores one event', async () => {
    const auth = { authorization: `GenieKey ${keys.opsgenie}` };
    await fc.assert(
      fc.asyncProperty(fc.oneof(opsBody, mutated(opsBody), junk), async (b) => void (await check('/v2/alerts', b, () => 1, auth))),
      RUNS,
    );
    await fc.assert(
      fc.asyncProperty(opsBody, async (b) => {
        expect(await check('/v2/alerts', b, () => 1, auth)).toBe(202);
      }),
      { numRuns: 15 },
    );
  });

  it('raw bytes and odd content types never cause a 5xx', async () => {
    const bodies = fc.oneof(fc.string({ maxLength: 200 }), fc.constant(''), fc.constant('null'), fc.constant('[]'), fc.constant('{"routing_key":'));
    const paths = fc.constantFrom(
      '/v2/enqueue',
      '/v2/change/enqueue',
      `/integrations/v1/generic/${keys.generic}`,
      `/integrations/v1/alertmanager/${keys.alertmanager}`,
      '/v2/alerts',
      '/integrations/v1/nope/x',
      '/v2/alerts/x/close?identifierType=weird',
    );
    const types = fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/octet-stream');
    await fc.assert(
      fc.asyncProperty(paths, bodies, types, async (path, body, type): Promise<void> => {
        const res = await fetch(`${t.url}${path}`, { method: 'POST', headers: { 'content-type': type, authorization: `GenieKey ${keys.opsgenie}` }, body });
        expect(res.status).toBeLessThan(500);
      }),
      { numRuns: 80 },
    );
  });

  // Deep and wide shapes: nesting up to 6,000 levels (the limit is 100) and objects/arrays thousands wide,
  // alone or where a vendor allows free-form JSON (custom details, details, labels). Shapes are JSON text
  // (fast-check could not print a counterexample 6,000 levels deep), put in place of a "$SHAPE" marker.
  const nested = fc
    .tuple(
      fc.oneof(fc.integer({ min: 1, max: 150 }), fc.integer({ min: 150, max: 6000 })),
      fc.array(fc.constantFrom('array', 'object'), { minLength: 1, maxLength: 8 }),
      fc.jsonValue({ maxDepth: 1 }),
      fc.string({ maxLength: 8 }),
    )
    .map(([depth, kinds, leaf, k]) => {
      const open: string[] = [];
      const close: string[] = [];
      for (let i = 0; i < depth; i++) {
        const arr = kinds[i % kinds.length] === 'array';
        open.push(arr ? '[' : `{${JSON.stringify(k)}:`);
        close.push(arr ? ']' : '}');
      }
      return `${open.join('')}${JSON.stringify(leaf)}${close.reverse().join('')}`;
    });
  const wide = fc
    .oneof(
      fc.integer({ min: 1, max: 5000 }).map((n) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]))),
      fc.integer({ min: 1, max: 20_000 }).map((n) => Array.from({ length: n }, (_, i) => i)),
      fc.integer({ min: 1, max: 2000 }).map((n) => Array.from({ length: n }, (_, i) => ({ [`k${i}`]: [i, { v: `x${i}` }] }))),
    )
    .map((v) => JSON.stringify(v));
  const shape = fc.oneof(nested, wide);
  /** `valid` as JSON text with the shape where it holds "$SHAPE". */
  const inside = <T>(valid: fc.Arbitrary<T>, put: (v: T) => unknown) => fc.tuple(valid, shape).map(([v, x]) => JSON.stringify(put(v)).replace('"$SHAPE"', x));
  const SHAPE_RUNS = { numRuns: 25 };

  it('deep and wide shapes, alone or inside valid events, never cause a 5xx on any ingest route', async () => {
    const auth = { authorization: `GenieKey ${keys.opsgenie}` };
    const pd = inside(pdEvent, (e) => ({ ...e, routing_key: keys.pagerduty, payload: { ...e.payload, custom_details: '$SHAPE' } }));
    await fc.assert(
      fc.asyncProperty(fc.oneof(pd, shape), async (b) => void (await check('/v2/enqueue', b, () => 1))),
      SHAPE_RUNS,
    );
    const change = inside(word, (summary) => ({ routing_key: keys.pagerduty, payload: { summary, source: 'deploy', custom_details: '$SHAPE' } }));
    await fc.assert(
      fc.asyncProperty(fc.oneof(change, shape), async (b) => void (await check('/v2/change/enqueue', b, () => 0))),
      SHAPE_RUNS,
    );
    for (const kind of ['alertmanager', 'grafana']) {
      const am = inside(amBody, (b) => ({ ...b, commonLabels: '$SHAPE' }));
      const annotations = inside(amBody, (b) => ({ ...b, alerts: b.alerts.map((a, i) => ({ ...a, annotations: { ...a.annotations, ...(i === 0 && { deep: '$SHAPE' }) } })) }));
      await fc.assert(
        fc.asyncProperty(fc.oneof(am, annotations, shape), async (b) => void (await check(`/integrations/v1/${kind}/${keys[kind]}`, b, (a) => a.events.length))),
        SHAPE_RUNS,
      );
    }
    const generic = inside(word, (summary) => ({ summary, details: '$SHAPE' }));
    const manyEvents = fc.integer({ min: 1, max: 3000 }).map((n) => Array.from({ length: n }, (_, i) => ({ summary: `wide ${i}`, severity: 'info' })));
    await fc.assert(
      fc.asyncProperty(fc.oneof(generic, shape, manyEvents), async (b) => void (await check(`/integrations/v1/generic/${keys.generic}`, b, (a) => a.events.length))),
      SHAPE_RUNS,
    );
    const ops = inside(opsBody, (b) => ({ ...b, details: '$SHAPE' }));
    await fc.assert(
      fc.asyncProperty(fc.oneof(ops, shape), async (b) => void (await check('/v2/alerts', b, () => 1, auth))),
      SHAPE_RUNS,
    );
    await fc.assert(
      fc.asyncProperty(shape, async (b) => void (await check('/v2/alerts/some-alias/close?identifierType=alias', b, () => 1, auth))),
      SHAPE_RUNS,
    );
  });

  it("JSON nested 5,000 levels deep (10 KB) answers 400 in each vendor's error shape", async () => {
    const deep = '['.repeat(5000) + ']'.repeat(5000);
    const deepIn = (prefix: string, suffix: string) => `${prefix}${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}${suffix}`;
    const auth = { authorization: `GenieKey ${keys.opsgenie}` };
    const cases: { path: string; body: string; headers?: Record<string, string>; shape: (j: any) => void }[] = [
      { path: '/v2/enqueue', body: deep, shape: (j) => expect(j).toMatchObject({ status: 'invalid event', message: expect.any(String), errors: [expect.stringMatching(/more than 100 levels/)] }) },
      {
        path: '/v2/enqueue',
        body: deepIn(`{"routing_key":"${keys.pagerduty}","event_action":"trigger","payload":{"summary":"s","source":"s","severity":"info","custom_details":`, '}}'),
        shape: (j) => expect(j.status).toBe('invalid event'),
      },
      {
        path: '/v2/change/enqueue',
        body: deepIn(`{"routing_key":"${keys.pagerduty}","payload":{"summary":"s","source":"s","custom_details":`, '}}'),
        shape: (j) => expect(j.status).toBe('invalid event'),
      },
      {
        path: '/v2/alerts',
        body: deepIn('{"message":"m","details":', '}'),
        headers: auth,
        shape: (j) => expect(j).toMatchObject({ message: expect.stringMatching(/more than 100 levels/), took: expect.any(Number), requestId: expect.any(String) }),
      },
      { path: '/v2/alerts/x/close?identifierType=alias', body: deep, headers: auth, shape: (j) => expect(j).toMatchObject({ message: expect.any(String), requestId: expect.any(String) }) },
      ...['alertmanager', 'grafana'].map((kind) => ({
        path: `/integrations/v1/${kind}/${keys[kind]}`,
        body: deepIn(
          '{"version":"4","status":"firing","receiver":"r","groupKey":"g","alerts":[{"status":"firing","labels":{"alertname":"deep"},"annotations":{},"startsAt":"2026-03-02T08:00:00Z","fingerprint":"0123abcd"}],"commonLabels":',
          '}',
        ),
        shape: (j: any) => expect(j.error).toMatchObject({ code: 'invalid', message: expect.stringMatching(/more than 100 levels/) }),
      })),
      {
        path: `/integrations/v1/generic/${keys.generic}`,
        body: deepIn('{"summary":"deep details","details":', '}'),
        shape: (j: any) => expect(j.error).toMatchObject({ code: 'invalid', message: expect.stringMatching(/more than 100 levels/) }),
      },
      { path: `/integrations/v1/generic/${keys.generic}`, body: deep, shape: (j: any) => expect(j.error).toMatchObject({ code: 'invalid' }) },
    ];
    const before = await stored();
    for (const c of cases) {
      expect(c.body.length).toBeLessThan(60_000);
      const { status, json } = await send(c.path, c.body, c.headers);
      expect(status, `${c.path}: ${JSON.stringify(json)}`).toBe(400);
      c.shape(json);
    }
    expect(await stored()).toBe(before);
  });
});
