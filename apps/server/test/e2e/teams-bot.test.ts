import { generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { must } from '../../src/lib/must.js';
import { FakeTeams, type FakeTeamsUser } from '../fakes/teams/server.js';
import { DIALECTS, startTestKlaxon, type TestKlaxon } from '../harness.js';

describe.each(DIALECTS)('Microsoft Teams bot: proactive pages with buttons, a war room bridged to a channel thread (%s)', (dialect) => {
  let t: TestKlaxon;
  let tm: FakeTeams;
  let erin: FakeTeamsUser;
  let stranger: FakeTeamsUser;
  let erinId: string;
  let key: string;
  let general: string;
  let warRooms: string;
  const endpoint = () => `${t.url}/integrations/v1/teams/messages`;
  const incident = async (n: number) => (await t.api('GET', `/api/v1/incidents/${n}`)).body.incident;
  const texts = (activity: any): string => JSON.stringify(activity.attachments[0].content.body);
  const replyTo = async (activity: any) => (await tm.replies.waitFor((r) => r.replyTo === activity.id)).activity.attachments[0].content.body[0].text as string;

  beforeAll(async () => {
    tm = new FakeTeams(() => (t ? t.clock.now() : Date.parse('2026-03-02T09:00:00Z')));
    await tm.start();
    erin = tm.addUser('Erin');
    stranger = tm.addUser('Stranger');
    general = tm.addChannel();
    warRooms = tm.addChannel();
    t = await startTestKlaxon(dialect, {
      teams: { appId: tm.appId, appPassword: tm.appPassword, openIdMetadataUrl: tm.openIdMetadataUrl, tokenUrl: tm.tokenUrl, warRoomChannelId: warRooms },
      pageLimits: {},
      pageBundling: false,
    });
    const u = await t.api('POST', '/api/v1/users', { email: 'erin@example.com', name: 'Erin', role: 'responder', timeZone: 'UTC' });
    erinId = u.body.user.id;
    const token = (await t.api('POST', `/api/v1/users/${erinId}/tokens`, { name: 't' })).body.token;
    const policy = await t.api('POST', '/api/v1/escalation-policies', { name: 'Web', levels: [{ delayMinutes: 5, targets: [{ type: 'user', id: erinId }] }] });
    const svc = await t.api('POST', '/api/v1/services', { name: 'web', escalationPolicyId: policy.body.escalationPolicy.id });
    key = (await t.api('POST', `/api/v1/services/${svc.body.service.id}/integrations`, { name: 'pd', kind: 'pagerduty' })).body.integration.key;

    // The app is installed in the team by Erin: a signed conversationUpdate teaches the bot the tenant, its service URL and Erin.
    expect(await tm.send(endpoint(), tm.installedInTeam(erin, general))).toEqual({ status: 200, body: {} });
    // Erin links her Teams user by her Entra object id; the bot sends her the code in a new 1:1 chat.
    const cm = await t.api('POST', `/api/v1/users/${erinId}/contact-methods`, { name: 'Teams', type: 'teams', address: erin.aadObjectId }, token);
    expect(cm.status).toBe(201);
    await t.cycle();
    const code = await tm.posts.waitFor((p) => texts(p.activity).includes('verification code'));
    expect(code.conversationId).toBe(tm.personalChat(erin));
    expect(tm.created.items[0]?.params).toEqual({
      bot: { id: `28:${tm.appId}` },
      members: [{ id: erin.id }],
      tenantId: tm.tenantId,
      isGroup: false,
      channelData: { tenant: { id: tm.tenantId } },
    });
    const digits = must(/verification code is (\d{6})/.exec(texts(code.activity))?.[1], 'the code');
    expect((await t.api('POST', `/api/v1/contact-methods/${cm.body.contactMethod.id}/verify`, { code: digits }, token)).status).toBe(200);
    expect((await t.api('POST', `/api/v1/users/${erinId}/notification-rules`, { contactMethodId: cm.body.contactMethod.id, delayMinutes: 0 }, token)).status).toBe(201);
  });
  afterAll(async () => {
    await t?.stop();
    await tm?.close();
  });

  async function trigger(summary: string): Promise<{ n: number; id: string }> {
    const r = await fetch(`${t.url}/v2/enqueue`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ routing_key: key, event_action: 'trigger', payload: { summary, source: 'web-1', severity: 'critical' } }),
    });
    expect(r.status).toBe(202);
    await t.cycle();
    const inc = (await t.api('GET', '/api/v1/incidents?limit=1')).body.incidents[0];
    return { n: inc.number, id: inc.id };
  }

  it('pages Erin in her 1:1 chat as a card with Acknowledge / Resolve; a forged or stale press changes nothing; her press acknowledges as her', async () => {
    const { n, id } = await trigger('Checkout down');
    const page = await tm.posts.waitFor((p) => texts(p.activity).includes(`#${n} Checkout down`));
    expect(page.conversationId).toBe(tm.personalChat(erin));
    // The 1:1 chat was created once (for the code) and kept.
    expect(tm.created.items).toHaveLength(1);
    const card = page.activity.attachments[0];
    expect(card).toMatchObject({ contentType: 'application/vnd.microsoft.card.adaptive', content: { type: 'AdaptiveCard', version: '1.4' } });
    expect(card.content.actions).toEqual([
      { type: 'Action.Submit', title: 'Acknowledge', data: { action: 'ack', incident: id } },
      { type: 'Action.Submit', title: 'Resolve', data: { action: 'resolve', incident: id } },
      { type: 'Action.OpenUrl', title: 'Open incident', url: `${t.url}/incidents/${n}` },
    ]);

    const press = tm.personalSubmit(erin, card.content.actions[0].data);
    const forger = (await generateKeyPair('RS256')).privateKey;
    const posts = tm.posts.items.length;
    expect((await tm.send(endpoint(), press, await tm.token(tm.serviceUrl, { key: forger }))).status).toBe(401);
    expect((await tm.send(endpoint(), press, await tm.token(tm.serviceUrl, { expSec: Math.floor(t.clock.now() / 1000) - 600 }))).status).toBe(401);
    expect((await tm.send(endpoint(), press, await tm.token(tm.serviceUrl, { serviceUrl: 'https://evil.example/' }))).status).toBe(401);
    // A forged token carrying another service URL teaches the bot nothing either: pages still go to the fake's.
    expect((await tm.send(endpoint(), { ...press, serviceUrl: 'https://evil.example/' }, await tm.token('https://evil.example/', { key: forger }))).status).toBe(401);
    await t.cycle();
    expect((await incident(n)).status).toBe('triggered');
    expect(tm.replies.items).toEqual([]);
    expect(tm.posts.items).toHaveLength(posts);

    expect(await tm.send(endpoint(), press)).toEqual({ status: 200, body: {} });
    expect(await replyTo(press)).toBe(`Incident #${n} acknowledged.`);
    expect(await incident(n)).toMatchObject({ status: 'acknowledged', acknowledgedBy: erinId });
    const timeline = (await t.api('GET', `/api/v1/incidents/${n}/timeline`)).body;
    expect(JSON.stringify(timeline)).toContain('"teams"');
  });

  it('bridges a war room to a new thread of the war-room channel: messages both ways once, no echo; a command there runs as Erin', async () => {
    const { n } = await trigger('Payments failing');
    expect((await t.api('POST', '/api/v1/major-incidents', { incident: String(n) })).status).toBe(201);
    expect((await t.api('POST', `/api/v1/incidents/${n}/chat-bridges`, { platform: 'teams', channel: 'general' })).status).toBe(400);
    const b = await t.api('POST', `/api/v1/incidents/${n}/chat-bridges`, { platform: 'teams', create: true });
    expect(b.status).toBe(200);
    await t.cycle();
    const started = await tm.created.waitFor((c) => c.params.isGroup === true);
    expect(started.params).toMatchObject({ isGroup: true, channelData: { channel: { id: warRooms } }, activity: { type: 'message' } });
    expect(texts(started.params.activity)).toContain(`War room of #${n} Payments failing`);
    const thread = started.id;
    expect((await t.api('GET', `/api/v1/incidents/${n}/chat-bridges`)).body.bridges).toEqual([{ platform: 'teams', channel: thread, pending: null }]);

    // Klaxon -> Teams: posted to the thread.
    expect((await t.api('POST', `/api/v1/incidents/${n}/chat`, { text: 'Rolling back payments' })).status).toBe(201);
    await t.cycle();
    const out = await tm.posts.waitFor((p) => p.conversationId === thread && texts(p.activity).includes('Rolling back'));
    expect(out.activity.attachments[0].content.body[0].text).toBe('Admin: Rolling back payments');

    // Teams -> Klaxon (the bot has ChannelMessage.Read.Group): Erin's reply, delivered twice, is stored once; a stranger is named.
    const said = tm.channelMessage(erin, thread, 'Card processor returns <b>503</b>');
    expect(await tm.send(endpoint(), said)).toEqual({ status: 200, body: {} });
    expect(await tm.send(endpoint(), said)).toEqual({ status: 200, body: {} });
    expect((await tm.send(endpoint(), tm.channelMessage(stranger, thread, 'Is it us?'), await tm.token(tm.serviceUrl, { aud: 'another-bot' }))).status).toBe(401);
    expect((await tm.send(endpoint(), tm.channelMessage(stranger, thread, 'Is it us?'))).status).toBe(200);
    // A message in another thread of an unbridged channel goes nowhere.
    expect((await tm.send(endpoint(), tm.channelMessage(erin, tm.addThread(general), 'lunch?'))).status).toBe(200);
    await t.cycle();
    const chat = (await t.api('GET', `/api/v1/incidents/${n}/chat`)).body.messages as { text: string; author: { name: string }; source: string }[];
    expect(chat.map((m) => `${m.author.name}/${m.source}: ${m.text}`)).toEqual([
      'Admin/web: Rolling back payments',
      'Erin/teams: Card processor returns 503',
      'Microsoft Teams user Stranger/teams: Is it us?',
    ]);
    // Nothing that came from Teams was posted back to it.
    expect(tm.posts.items.filter((p) => p.conversationId === thread).map((p) => p.activity.attachments[0].content.body[0].text)).toEqual([
      `War room of #${n} Payments failing`,
      'Admin: Rolling back payments',
    ]);

    // A war-room command, @mentioning the bot in the bridged thread: runs as Erin, answered in the thread.
    const cmd = tm.channelMessage(erin, thread, 'ack', { mention: true });
    expect((await tm.send(endpoint(), cmd)).status).toBe(200);
    expect(await replyTo(cmd)).toBe(`#${n} acknowledged by Erin`);
    expect((await incident(n)).status).toBe('acknowledged');
    expect(tm.replies.items.find((r) => r.replyTo === cmd.id)?.conversationId).toBe(thread);
  });

  it('bridges to an existing channel (its threads too); a major page has Join war room, which makes Erin a member', async () => {
    // Erin's kept 1:1 chat is gone (the app was reinstalled): the next page makes a new one.
    const old = tm.personalChat(erin);
    tm.reinstall(erin);
    const d = await t.api('POST', '/api/v1/major-incidents', { service: 'web', title: 'Login broken' });
    expect(d.status).toBe(201);
    const m = d.body.incident.number as number;
    const channel = tm.addChannel();
    expect((await t.api('POST', `/api/v1/incidents/${m}/chat-bridges`, { platform: 'teams', channel })).status).toBe(200);
    await t.cycle();
    const page = await tm.posts.waitFor((p) => p.conversationId === tm.personalChat(erin) && texts(p.activity).includes(`#${m} `));
    expect(page.conversationId).not.toBe(old);
    expect(tm.created.items.filter((c) => c.params.isGroup === false)).toHaveLength(2);
    const join = page.activity.attachments[0].content.actions.find((a: any) => a.title === 'Join war room');
    expect(join).toEqual({ type: 'Action.Submit', title: 'Join war room', data: { action: 'join', incident: d.body.incident.id } });
    const press = tm.personalSubmit(erin, join.data);
    expect((await tm.send(endpoint(), press)).status).toBe(200);
    expect(await replyTo(press)).toBe(`You joined the war room of #${m}: ${t.url}/incidents/${m} (its Microsoft Teams channel: ${channel})`);
    // A war-room message goes to the channel (a new post there); a reply in any of its threads comes back.
    expect((await t.api('POST', `/api/v1/incidents/${m}/chat`, { text: 'Who has the runbook?' })).status).toBe(201);
    await t.cycle();
    await tm.posts.waitFor((p) => p.conversationId === channel && texts(p.activity).includes('runbook'));
    expect((await tm.send(endpoint(), tm.channelMessage(erin, tm.addThread(channel), 'I do'))).status).toBe(200);
    const chat = (await t.api('GET', `/api/v1/incidents/${m}/chat`)).body.messages as { text: string; author: { name: string } }[];
    expect(chat.map((x) => `${x.author.name}: ${x.text}`)).toContain('Erin: I do');
  });
});
