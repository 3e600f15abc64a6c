import { generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeTeams, type FakeTeamsUser } from '../fakes/teams/server.js';
import { capture, DIALECTS, mustFind, startTestKlaxon, type TestKlaxon } from '../harness.js';
import { must } from '../../src/lib/must.js';

describe.each(DIALECTS)('Microsoft Teams: Workflows cards, a Bot Framework bot with Action.Submit and @mention commands (%s)', (dialect) => {
  let t: TestKlaxon | undefined;
  const server = (): TestKlaxon => must(t, 'the test server');
  let tm: FakeTeams;
  let erin: FakeTeamsUser;
  let stranger: FakeTeamsUser;
  let erinId: string;
  let key: string;
  const flow = 'oncall-channel';
  const conversation = '19:abc123@thread.tacv2;messageid=1';
  const endpoint = () => `${server().url}/integrations/v1/teams/messages`;
  const incident = async (n: number) => (await server().api('GET', `/api/v1/incidents/${n}`)).body.incident;
  const cardText = (card: any): string => JSON.stringify(card.body);
  const replyTo = async (activity: any) => (await tm.replies.waitFor((r) => r.replyTo === activity.id)).activity.attachments[0].content.body[0].text as string;

  beforeAll(async () => {
    tm = new FakeTeams(() => (t ? t.clock.now() : Date.parse('2026-03-02T09:00:00Z')));
    await tm.start();
    erin = tm.addUser('Erin');
    stranger = tm.addUser('Stranger');
    t = await startTestKlaxon(dialect, { teams: { appId: tm.appId, appPassword: tm.appPassword, openIdMetadataUrl: tm.openIdMetadataUrl, tokenUrl: tm.tokenUrl } });
    const u = await t.api('POST', '/api/v1/users', { email: 'erin@example.com', name: 'Erin', role: 'responder', timeZone: 'UTC' });
    erinId = u.body.user.id;
    const token = (await t.api('POST', `/api/v1/users/${erinId}/tokens`, { name: 't' })).body.token;
    expect((await t.api('POST', `/api/v1/users/${erinId}/contact-methods`, { name: 'x', type: 'teams', address: 'erin' }, token)).status).toBe(400);
    // The Workflows webhook: verified by the code its card carries.
    const hook = await t.api('POST', `/api/v1/users/${erinId}/contact-methods`, { name: 'Teams channel', type: 'teams', address: tm.workflowUrl(flow) }, token);
    expect(hook.status).toBe(201);
    await t.cycle();
    const code = await tm.workflowPosts.waitFor((p) => cardText(p.body.attachments[0].content).includes('verification code'));
    const digits = capture(/verification code is (\d{6})/, cardText(code.body.attachments[0].content));
    expect((await t.api('POST', `/api/v1/contact-methods/${hook.body.contactMethod.id}/verify`, { code: digits }, token)).status).toBe(200);
    expect((await t.api('POST', `/api/v1/users/${erinId}/notification-rules`, { contactMethodId: hook.body.contactMethod.id, delayMinutes: 0 }, token)).status).toBe(201);
    // The link for the bot: Erin's Entra object id, marked verified by an admin.
    const link = await t.api('POST', `/api/v1/users/${erinId}/contact-methods`, { name: 'Teams user', type: 'teams', address: erin.aadObjectId.toUpperCase() }, token);
    expect(link.status).toBe(201);
    expect(link.body.contactMethod.address).toBe(erin.aadObjectId);
    expect((await t.api('POST', `/api/v1/contact-methods/${link.body.contactMethod.id}/mark-verified`, { consent: 'Erin gave her Entra id in person' })).status).toBe(200);
    const policy = await t.api('POST', '/api/v1/escalation-policies', { name: 'Web', levels: [{ delayMinutes: 5, targets: [{ type: 'user', id: erinId }] }] });
    const svc = await t.api('POST', '/api/v1/services', { name: 'web', escalationPolicyId: policy.body.escalationPolicy.id });
    key = (await t.api('POST', `/api/v1/services/${svc.body.service.id}/integrations`, { name: 'pd', kind: 'pagerduty' })).body.integration.key;
  });
  afterAll(async () => {
    await t?.stop();
    await tm?.close();
  });

  async function trigger(summary: string): Promise<{ n: number; id: string; card: any }> {
    const r = await fetch(`${server().url}/v2/enqueue`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ routing_key: key, event_action: 'trigger', payload: { summary, source: 'web-1', severity: 'critical' } }),
    });
    expect(r.status).toBe(202);
    await server().cycle();
    const inc = (await server().api('GET', '/api/v1/incidents?limit=1')).body.incidents[0];
    const post = await tm.workflowPosts.waitFor((p) => cardText(p.body.attachments[0].content).includes(`#${inc.number} `));
    return { n: inc.number, id: inc.id, card: post.body.attachments[0].content };
  }

  it('pages to the Workflows webhook as an Adaptive Card 1.4; refuses forged, expired and wrong-audience tokens with 401; Action.Submit acknowledges as Erin', async () => {
    const { n, id, card } = await trigger('Checkout down');
    expect(card).toMatchObject({ type: 'AdaptiveCard', version: '1.4' });
    expect(cardText(card)).toContain('Checkout down');
    expect(card.body.find((b: any) => b.type === 'FactSet').facts).toEqual(
      expect.arrayContaining([
        { title: 'Service', value: 'web' },
        { title: 'Severity', value: 'CRITICAL' },
        { title: 'Status', value: 'triggered' },
      ]),
    );
    expect(card.actions).toEqual([{ type: 'Action.OpenUrl', title: 'Open incident', url: `${server().url}/incidents/${n}` }]);

    const press = tm.activity(erin, conversation, { value: { action: 'ack', incident: id } });
    const forger = (await generateKeyPair('RS256')).privateKey;
    expect((await tm.send(endpoint(), press, await tm.token(tm.serviceUrl, { key: forger }))).status).toBe(401);
    expect((await tm.send(endpoint(), press, await tm.token(tm.serviceUrl, { expSec: Math.floor(server().clock.now() / 1000) - 600 }))).status).toBe(401);
    expect((await tm.send(endpoint(), press, await tm.token(tm.serviceUrl, { aud: 'another-bot' }))).status).toBe(401);
    expect((await tm.send(endpoint(), press, await tm.token(tm.serviceUrl, { iss: 'https://evil.example' }))).status).toBe(401);
    expect((await tm.send(endpoint(), press, await tm.token(tm.serviceUrl, { serviceUrl: 'https://evil.example/' }))).status).toBe(401);
    expect((await tm.send(endpoint(), press, null)).status).toBe(401);
    expect((await incident(n)).status).toBe('triggered');
    expect(tm.replies.items).toEqual([]);

    expect(await tm.send(endpoint(), press)).toEqual({ status: 200, body: {} });
    expect(await replyTo(press)).toBe(`Incident #${n} acknowledged.`);
    expect(await incident(n)).toMatchObject({ status: 'acknowledged', acknowledgedBy: erinId });
    const reply = mustFind(tm.replies.items, 'the reply to the press', (r) => r.replyTo === press.id);
    expect(reply.conversationId).toBe(conversation);
    expect(reply.activity).toMatchObject({ type: 'message', replyToId: press.id, attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive' }] });
  });

  it('runs a command by @mention; tells an unlinked person the id to link; a bad body with a valid token is 400', async () => {
    const { n } = await trigger('Search slow');
    const cmd = tm.activity(erin, conversation, { text: `<at>Klaxon</at> resolve ${n}` });
    expect((await tm.send(endpoint(), cmd, await tm.token(tm.serviceUrl, { aud: 'another-bot' }))).status).toBe(401);
    expect((await incident(n)).status).toBe('triggered');
    expect((await tm.send(endpoint(), cmd)).status).toBe(200);
    expect(await replyTo(cmd)).toBe(`Incident #${n} resolved.`);
    expect(await incident(n)).toMatchObject({ status: 'resolved', resolvedBy: erinId });

    const { n: n2 } = await trigger('Login broken');
    const theirs = tm.activity(stranger, conversation, { text: `<at>Klaxon</at> ack ${n2}` });
    expect((await tm.send(endpoint(), theirs)).status).toBe(200);
    expect(await replyTo(theirs)).toBe(`Your Microsoft Teams user is not linked to a Klaxon user: add it as a Microsoft Teams contact method. Its address is your Teams id: ${stranger.aadObjectId}`);
    expect((await incident(n2)).status).toBe('triggered');

    const bad = await fetch(endpoint(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await tm.token(tm.serviceUrl, { serviceUrl: '' })}` },
      body: 'not json',
    });
    expect(bad.status).toBe(400);
  });
});
