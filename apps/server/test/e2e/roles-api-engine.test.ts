/**
 * `klaxon serve --role api|engine`: an API-only instance accepts events but never pages; an
 * engine-only instance on the same database pages, and serves only health and metrics over HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKlaxon, type Klaxon } from '../../src/app/klaxon.js';
import { createLogger } from '../../src/lib/logger.js';
import { addResponder, DIALECTS, startTestKlaxon, type TestKlaxon } from '../harness.js';

describe.each(DIALECTS)('API-only and engine-only instances (%s)', (dialect) => {
  let api: TestKlaxon;
  let engine: Klaxon;

  beforeAll(async () => {
    api = await startTestKlaxon(dialect, { role: 'api' });
    engine = await startKlaxon({ ...api.k.config, role: 'engine', port: 0, publicUrl: api.url }, { clock: api.clock, log: createLogger('silent') });
  });
  afterAll(async () => {
    await engine?.stop();
    await api?.stop();
  });

  it('the API instance accepts and stores; only the engine instance pages', async () => {
    // Setting up a responder needs verification messages sent: the engine instance sends them.
    const t = { ...api, cycle: () => engine.engine.runCycle() };
    const zoe = await addResponder(t, { name: 'Zoe', email: 'zoe@example.com', rules: [{ type: 'email', delayMinutes: 0 }] });
    const policy = await api.api('POST', '/api/v1/escalation-policies', { name: 'Z', levels: [{ delayMinutes: 5, targets: [{ type: 'user', id: zoe.id }] }] });
    const svc = await api.api('POST', '/api/v1/services', { name: 'split', escalationPolicyId: policy.body.escalationPolicy.id });
    const key = (await api.api('POST', `/api/v1/services/${svc.body.service.id}/integrations`, { name: 'g', kind: 'generic' })).body.integration.key;
    expect(
      (await fetch(`${api.url}/integrations/v1/generic/${key}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ summary: 'Split roles work' }) })).status,
    ).toBe(202);

    await api.cycle(); // the API instance has no engine: nothing happens
    expect(api.smtp.messages.filter((m) => m.subject.includes('Split roles'))).toHaveLength(0);
    await engine.engine.runCycle();
    await api.smtp.waitFor((m) => m.to.includes('zoe@example.com') && m.subject.includes('Split roles'));
  });

  it('the engine instance serves health and metrics, not the API or ingest', async () => {
    expect((await fetch(`${engine.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${engine.url}/metrics`)).status).toBe(200);
    expect((await fetch(`${engine.url}/api/v1/incidents`, { headers: { authorization: `Bearer ${api.adminToken}` } })).status).toBe(404);
    expect((await fetch(`${engine.url}/v2/enqueue`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })).status).toBe(404);
  });
});
