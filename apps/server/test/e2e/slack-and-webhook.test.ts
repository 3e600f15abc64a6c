import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { must } from '../../src/lib/must.js';
import { verifyWebhookSignature } from '../../src/notify/providers/webhook/index.js';
import { addResponder, DIALECTS, mustFind, startTestKlaxon, type Responder, type TestKlaxon } from '../harness.js';

/** A receiver of outgoing webhooks that records each request with its raw body and headers. */
function receiver(): Promise<{ url: string; server: Server; got: { body: string; headers: Record<string, string | string[] | undefined> }[] }> {
  const got: { body: string; headers: Record<string, string | string[] | undefined> }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      got.push({ body, headers: req.headers });
      res.writeHead(204).end();
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`, server, got })));
}

describe.each(DIALECTS)('Slack pages with buttons, and signed outgoing webhooks (%s)', (dialect) => {
  let t: TestKlaxon;
  let carol: Responder;
  let hook: Awaited<ReturnType<typeof receiver>>;
  let key: string;
  const webhookSecret = 'whsec-test-0123456789';

  beforeAll(async () => {
    t = await startTestKlaxon(dialect, { webhookSecret });
    hook = await receiver();
    carol = await addResponder(t, { name: 'Carol', email: 'carol@example.com', slackId: 'U0CAROL01', rules: [{ type: 'slack', delayMinutes: 0 }] });
    // A webhook contact method, verified with the code delivered in a signed webhook.
    const cm = await t.api('POST', `/api/v1/users/${carol.id}/contact-methods`, { name: 'hook', type: 'webhook', address: hook.url }, carol.token);
    expect(cm.status).toBe(201);
    await t.cycle();
    const verification = JSON.parse(must(hook.got[0], 'hook.got[0]').body);
    expect(verification.event).toBe('contact.verification');
    expect((await t.api('POST', `/api/v1/contact-methods/${cm.body.contactMethod.id}/verify`, { code: verification.code }, carol.token)).status).toBe(200);
    expect((await t.api('POST', `/api/v1/users/${carol.id}/notification-rules`, { contactMethodId: cm.body.contactMethod.id, delayMinutes: 0 }, carol.token)).status).toBe(201);

    const policy = await t.api('POST', '/api/v1/escalation-policies', { name: 'Web', levels: [{ delayMinutes: 5, targets: [{ type: 'user', id: carol.id }] }] });
    const svc = await t.api('POST', '/api/v1/services', { name: 'web', escalationPolicyId: policy.body.escalationPolicy.id });
    key = (await t.api('POST', `/api/v1/services/${svc.body.service.id}/integrations`, { name: 'pd', kind: 'pagerduty' })).body.integration.key;
  });
  afterAll(async () => {
    hook?.server.close();
    await t?.stop();
  });

  async function trigger(summary: string): Promise<number> {
    const r = await fetch(`${t.url}/v2/enqueue`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ routing_key: key, event_action: 'trigger', payload: { summary, source: 'web-1', severity: 'error' } }),
    });
    expect(r.status).toBe(202);
    await t.cycle();
    return (await t.api('GET', '/api/v1/incidents?limit=1')).body.incidents[0].number;
  }

  it('posts the page to Slack with Acknowledge/Resolve buttons; a signed button click acknowledges', async () => {
    const n = await trigger('Checkout 5xx rate above 5%');
    const post = await t.slack.waitForPost((p) => JSON.stringify(p).includes('Checkout 5xx'));
    expect(post.body.channel).toBe('U0CAROL01');
    const actions = JSON.stringify(post.blocks);
    expect(actions).toContain('klaxon_ack');
    expect(actions).toContain('klaxon_resolve');
    const incidentId = (await t.api('GET', `/api/v1/incidents/${n}`)).body.incident.id;

    const forged = t.slack.signedInteraction(t.slack.blockActions({ actionId: 'klaxon_ack', value: incidentId, userId: 'U0CAROL01' }), { signWith: 'wrong-secret' });
    expect((await t.slack.deliver(`${t.url}/integrations/v1/slack/interactions`, forged)).status).toBe(403);
    const stale = t.slack.signedInteraction(t.slack.blockActions({ actionId: 'klaxon_ack', value: incidentId, userId: 'U0CAROL01' }), { timestampSec: Math.floor(t.clock.now() / 1000) - 3600 });
    expect((await t.slack.deliver(`${t.url}/integrations/v1/slack/interactions`, stale)).status).toBe(403);
    expect((await t.api('GET', `/api/v1/incidents/${n}`)).body.incident.status).toBe('triggered');

    const click = t.slack.signedInteraction(t.slack.blockActions({ actionId: 'klaxon_ack', value: incidentId, userId: 'U0CAROL01' }), { timestampSec: Math.floor(t.clock.now() / 1000) });
    const answer = await t.slack.deliver(`${t.url}/integrations/v1/slack/interactions`, click);
    expect(answer.status).toBe(200);
    expect(answer.body).toContain(`Incident #${n} acknowledged`);
    const inc = (await t.api('GET', `/api/v1/incidents/${n}`)).body.incident;
    expect(inc.status).toBe('acknowledged');
    expect(inc.acknowledgedBy).toBe(carol.id);
  });

  it('a Slack user not linked to anyone cannot act', async () => {
    const n = await trigger('Search latency high');
    const incidentId = (await t.api('GET', `/api/v1/incidents/${n}`)).body.incident.id;
    const click = t.slack.signedInteraction(t.slack.blockActions({ actionId: 'klaxon_resolve', value: incidentId, userId: 'U0STRANGER' }), { timestampSec: Math.floor(t.clock.now() / 1000) });
    const answer = await t.slack.deliver(`${t.url}/integrations/v1/slack/interactions`, click);
    expect(answer.body).toContain('not linked');
    expect((await t.api('GET', `/api/v1/incidents/${n}`)).body.incident.status).toBe('triggered');
  });

  it('delivers a signed webhook page whose signature verifies with the shared secret', async () => {
    const before = hook.got.length;
    const n = await trigger('Image CDN errors');
    const page = mustFind(hook.got.slice(before), 'the Image CDN errors webhook', (g) => g.body.includes('Image CDN errors'));
    expect(page).toBeDefined();
    const doc = JSON.parse(page.body);
    expect(doc).toMatchObject({ event: 'incident.page', incident: { number: n, service: 'web', severity: 'error' } });
    const sig = page.headers['x-klaxon-signature'] as string;
    expect(verifyWebhookSignature(sig, page.body, webhookSecret, t.clock.now())).toBe(true);
    expect(verifyWebhookSignature(sig, page.body.replace('Image', 'Imagf'), webhookSecret, t.clock.now())).toBe(false);
    // The document carries signed action links: a receiver (a chat bot, say) can acknowledge.
    const ack = await fetch(doc.actions.acknowledgeUrl, { method: 'POST' });
    expect(ack.status).toBe(200);
    expect((await t.api('GET', `/api/v1/incidents/${n}`)).body.incident.status).toBe('acknowledged');
  });
});
