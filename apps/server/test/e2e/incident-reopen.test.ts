import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addResponder, DIALECTS, mustFind, startTestKlaxon, type Responder, type TestKlaxon } from '../harness.js';
import { must } from '../../src/lib/must.js';

const MIN = 60_000;

describe.each(DIALECTS)('reopening a resolved incident (%s)', (dialect) => {
  let t: TestKlaxon;
  let alice: Responder;
  let bob: Responder;
  let viewerToken: string;
  let key: string;

  beforeAll(async () => {
    t = await startTestKlaxon(dialect);
    alice = await addResponder(t, { name: 'Alice', email: 'alice@example.com', phone: '+15554440001', rules: [{ type: 'sms', delayMinutes: 0 }] });
    bob = await addResponder(t, { name: 'Bob', email: 'bob@example.com', phone: '+15554440002', rules: [{ type: 'sms', delayMinutes: 0 }] });
    const viewer = await t.api('POST', '/api/v1/users', { email: 'vic@example.com', name: 'Vic', role: 'viewer', timeZone: 'Europe/Berlin' });
    viewerToken = (await t.api('POST', `/api/v1/users/${viewer.body.user.id}/tokens`, { name: 'test' })).body.token;
    const policy = await t.api('POST', '/api/v1/escalation-policies', {
      name: 'Checkout',
      levels: [
        { delayMinutes: 10, targets: [{ type: 'user', id: alice.id }] },
        { delayMinutes: 10, targets: [{ type: 'user', id: bob.id }] },
      ],
    });
    const svc = await t.api('POST', '/api/v1/services', { name: 'checkout', escalationPolicyId: policy.body.escalationPolicy.id });
    const integ = await t.api('POST', `/api/v1/services/${svc.body.service.id}/integrations`, { name: 'generic', kind: 'generic' });
    key = integ.body.integration.key;
  });
  afterAll(() => t?.stop());

  async function trigger(dedupKey: string, summary: string): Promise<number> {
    const r = await fetch(`${t.url}/integrations/v1/generic/${key}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ dedup_key: dedupKey, summary, severity: 'critical' }),
    });
    expect(r.status).toBe(202);
    await t.cycle();
    const inc = await t.api('GET', '/api/v1/incidents?status=triggered&limit=1');
    return inc.body.incidents[0].number as number;
  }
  const smsTo = (r: Responder, re: RegExp) => t.twilio.messages.filter((m) => m.to === r.phone && re.test(m.body));
  const timeline = async (n: number) => (await t.api('GET', `/api/v1/incidents/${n}/timeline`)).body.timeline as { type: string; message: string; data: Record<string, unknown> }[];

  it('without escalate: comes back acknowledged by whoever had it, on the timeline, nobody paged; report rows go until it resolves again', async () => {
    const n = await trigger('cart-5xx', 'Cart 5xx rate high');
    await t.twilio.waitForMessage((m) => m.to === alice.phone && /Cart 5xx/.test(m.body));
    expect((await t.api('POST', `/api/v1/incidents/${n}/acknowledge`, undefined, alice.token)).status).toBe(200);
    expect((await t.api('POST', `/api/v1/incidents/${n}/resolve`, undefined, alice.token)).body.incident.status).toBe('resolved');
    const id = (await t.api('GET', `/api/v1/incidents/${n}`)).body.incident.id as string;
    const reportRows = async () => t.k.ctx.db.kysely.selectFrom('report_incidents').select('incident_id').where('incident_id', '=', id).execute();
    expect(await reportRows()).toHaveLength(1);

    // No body at all: the default (no paging).
    const r = await t.api('POST', `/api/v1/incidents/${n}/reopen`, undefined, bob.token);
    expect(r.status).toBe(200);
    expect(r.body.changed).toBe(true);
    expect(r.body.incident).toMatchObject({ status: 'acknowledged', acknowledgedBy: alice.id, resolvedAt: null, resolvedBy: null, nextEscalationAt: null });
    const reopened = (await timeline(n)).filter((e) => e.type === 'incident.reopened');
    expect(reopened).toHaveLength(1);
    expect(must(reopened[0], 'reopened[0]').message).toBe('Reopened by Bob via api');
    expect(await reportRows()).toHaveLength(0);

    await t.advance(30 * MIN);
    expect(smsTo(alice, /Cart 5xx/)).toHaveLength(1);
    expect(smsTo(bob, /Cart 5xx/)).toHaveLength(0);

    // Reopening an open incident changes nothing; resolving again writes the report rows again.
    const again = await t.api('POST', `/api/v1/incidents/${n}/reopen`, { escalate: true });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ changed: false, incident: { status: 'acknowledged' } });
    expect((await t.api('POST', `/api/v1/incidents/${n}/resolve`)).body.changed).toBe(true);
    expect(await reportRows()).toHaveLength(1);
  });

  it('with escalate: triggered again, level 1 is paged again now, then level 2 after its delay', async () => {
    const n = await trigger('payments-db', 'Payments DB replica lag');
    await t.twilio.waitForMessage((m) => m.to === alice.phone && /replica lag/.test(m.body));
    await t.api('POST', `/api/v1/incidents/${n}/resolve`);

    const r = await t.api('POST', `/api/v1/incidents/${n}/reopen`, { escalate: true }, alice.token);
    expect(r.status).toBe(200);
    expect(r.body.incident).toMatchObject({ status: 'triggered', acknowledgedBy: null, resolvedAt: null, escalationPolicyName: 'Checkout' });
    await t.cycle();
    await t.twilio.waitForMessage((m) => m.to === alice.phone && /replica lag/.test(m.body) && smsTo(alice, /replica lag/).length === 2);
    expect(smsTo(bob, /replica lag/)).toHaveLength(0);
    await t.advance(10 * MIN);
    await t.twilio.waitForMessage((m) => m.to === bob.phone && /replica lag/.test(m.body));
    const e = mustFind(await timeline(n), 'an incident.reopened event', (x) => x.type === 'incident.reopened');
    expect(e.message).toBe('Reopened by Alice via api: paging again from level 1');
    expect(e.data).toEqual({ escalate: true });
  });

  it('permissions as resolve; unknown incident 404; bad body 400; nothing to page with 409', async () => {
    const n = await trigger('viewer', 'Viewer cannot reopen');
    await t.api('POST', `/api/v1/incidents/${n}/resolve`);
    const denied = await t.api('POST', `/api/v1/incidents/${n}/reopen`, {}, viewerToken);
    expect(denied.status).toBe(403);
    expect((await t.api('GET', `/api/v1/incidents/${n}`)).body.incident.status).toBe('resolved');
    expect((await t.api('POST', '/api/v1/incidents/99999/reopen', {})).status).toBe(404);
    const bad = await t.api('POST', `/api/v1/incidents/${n}/reopen`, { escalate: 'yes' });
    expect(bad.status).toBe(400);
    const extra = await t.api('POST', `/api/v1/incidents/${n}/reopen`, { page: true });
    expect(extra.status).toBe(400);

    const bare = await t.api('POST', '/api/v1/services', { name: 'no-policy' });
    const opened = await t.api('POST', '/api/v1/incidents', { service: bare.body.service.id, title: 'Nobody to page' });
    await t.api('POST', `/api/v1/incidents/${opened.body.incident.id}/resolve`);
    const c = await t.api('POST', `/api/v1/incidents/${opened.body.incident.id}/reopen`, { escalate: true });
    expect(c.status).toBe(409);
    expect(c.body.error.message).toMatch(/has an escalation policy/);
    expect((await t.api('POST', `/api/v1/incidents/${opened.body.incident.id}/reopen`, {})).body.incident.status).toBe('acknowledged');
  });

  it('any JSON body gets a 200 or a 400 naming the problem, never a 5xx', async () => {
    const n = await trigger('fuzz', 'Fuzzed reopen');
    await t.api('POST', `/api/v1/incidents/${n}/resolve`);
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.jsonValue(), fc.record({ escalate: fc.jsonValue() }), fc.constant({ escalate: false })), async (body) => {
        const r = await t.api('POST', `/api/v1/incidents/${n}/reopen`, body);
        expect([200, 400]).toContain(r.status);
        if (r.status === 400) expect(r.body.error.message).toMatch(/\S/);
        if (r.status === 200 && r.body.changed) await t.api('POST', `/api/v1/incidents/${n}/resolve`);
      }),
      { numRuns: 60 },
    );
  });
});
