import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeDiscord, type FakeDiscordMessage, type FakeDiscordUser } from '../fakes/discord/server.js';
import { capture, DIALECTS, startTestKlaxon, type TestKlaxon } from '../harness.js';
import { must } from '../../src/lib/must.js';

describe.each(DIALECTS)('Discord: pages with buttons, signed interactions, a war-room thread both ways (%s)', (dialect) => {
  let t: TestKlaxon | undefined;
  const server = (): TestKlaxon => must(t, 'the test server');
  let dc: FakeDiscord;
  let erin: FakeDiscordUser;
  let stranger: FakeDiscordUser;
  let erinId: string;
  let key: string;
  const endpoint = () => `${server().url}/integrations/v1/discord/interactions`;
  const incident = async (n: number) => (await server().api('GET', `/api/v1/incidents/${n}`)).body.incident;
  const content = (a: { body: any }) => a.body?.data?.content as string;

  beforeAll(async () => {
    dc = new FakeDiscord(() => (t ? t.clock.now() : Date.parse('2026-03-02T09:00:00Z')));
    const { url } = await dc.start();
    erin = dc.addUser('erin');
    stranger = dc.addUser('stranger');
    const warRooms = dc.addChannel('war-rooms');
    t = await startTestKlaxon(dialect, { discord: { baseUrl: `${url}/api/v10`, botToken: dc.token, publicKey: dc.publicKeyHex, warRoomChannelId: warRooms.id } });
    const u = await t.api('POST', '/api/v1/users', { email: 'erin@example.com', name: 'Erin', role: 'responder', timeZone: 'UTC' });
    erinId = u.body.user.id;
    const token = (await t.api('POST', `/api/v1/users/${erinId}/tokens`, { name: 't' })).body.token;
    expect((await t.api('POST', `/api/v1/users/${erinId}/contact-methods`, { name: 'dc', type: 'discord', address: 'erin' }, token)).status).toBe(400);
    const cm = await t.api('POST', `/api/v1/users/${erinId}/contact-methods`, { name: 'dc', type: 'discord', address: erin.id }, token);
    expect(cm.status).toBe(201);
    await t.cycle();
    const code = await dc.waitForMessage((m) => m.content.includes('verification code'));
    expect(dc.channels.get(code.channel_id)?.type).toBe(1);
    expect((await t.api('POST', `/api/v1/contact-methods/${cm.body.contactMethod.id}/verify`, { code: capture(/\*\*(\d{6})\*\*/, code.content) }, token)).status).toBe(200);
    expect((await t.api('POST', `/api/v1/contact-methods/${cm.body.contactMethod.id}/test`, undefined, token)).status).toBe(202);
    await t.cycle();
    await dc.waitForMessage((m) => m.content.includes('Discord notifications reach you'));
    expect((await t.api('POST', `/api/v1/users/${erinId}/notification-rules`, { contactMethodId: cm.body.contactMethod.id, delayMinutes: 0 }, token)).status).toBe(201);
    const policy = await t.api('POST', '/api/v1/escalation-policies', { name: 'Web', levels: [{ delayMinutes: 5, targets: [{ type: 'user', id: erinId }] }] });
    const svc = await t.api('POST', '/api/v1/services', { name: 'web', escalationPolicyId: policy.body.escalationPolicy.id });
    key = (await t.api('POST', `/api/v1/services/${svc.body.service.id}/integrations`, { name: 'pd', kind: 'pagerduty' })).body.integration.key;
  });
  afterAll(async () => {
    await t?.stop();
    await dc?.close();
  });

  async function trigger(summary: string): Promise<{ n: number; page: FakeDiscordMessage }> {
    const r = await fetch(`${server().url}/v2/enqueue`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ routing_key: key, event_action: 'trigger', payload: { summary, source: 'web-1', severity: 'critical' } }),
    });
    expect(r.status).toBe(202);
    await server().cycle();
    const n = (await server().api('GET', '/api/v1/incidents?limit=1')).body.incidents[0].number as number;
    const page = await dc.waitForMessage((m) => m.content.includes(`#${n} `) && m.components.length > 0);
    return { n, page };
  }

  it('answers PING with PONG; refuses forged and stale interactions with 401 and changes nothing; a press acknowledges as Erin', async () => {
    expect(await dc.interact(endpoint(), { type: 1 })).toEqual({ status: 200, body: { type: 1 } });
    const { n, page } = await trigger('Checkout down');
    expect(page.allowed_mentions).toEqual({ parse: [] });
    const ids = page.components[0].components.map((c: { custom_id?: string; label: string }) => c.custom_id ?? c.label);
    expect(ids).toEqual([expect.stringMatching(/^klaxon:ack:/), expect.stringMatching(/^klaxon:resolve:/), 'Open incident']);

    const forger = generateKeyPairSync('ed25519').privateKey;
    expect((await dc.press(endpoint(), page, ids[0], erin, { signWith: forger })).status).toBe(401);
    expect((await dc.press(endpoint(), page, ids[0], erin, { timestampSec: Math.floor(server().clock.now() / 1000) - 301 })).status).toBe(401);
    expect((await dc.interact(endpoint(), { type: 1 }, { signWith: forger })).status).toBe(401);
    const noSig = await fetch(endpoint(), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"type":1}' });
    expect(noSig.status).toBe(401);
    expect((await incident(n)).status).toBe('triggered');

    expect(content(await dc.press(endpoint(), page, ids[0], stranger))).toBe('Your Discord user is not linked to a Klaxon user: add it as a Discord contact method.');
    expect((await incident(n)).status).toBe('triggered');

    const ok = await dc.press(endpoint(), page, ids[0], erin);
    expect(ok.body).toMatchObject({ type: 4, data: { content: `Incident #${n} acknowledged.`, flags: 64 } });
    expect(await incident(n)).toMatchObject({ status: 'acknowledged', acknowledgedBy: erinId });
  });

  it('/klaxon ack N and resolve N', async () => {
    const { n } = await trigger('Search slow');
    const general = dc.addChannel('general');
    expect((await dc.slash(endpoint(), erin, general.id, `ack ${n}`, { signWith: generateKeyPairSync('ed25519').privateKey })).status).toBe(401);
    expect((await incident(n)).status).toBe('triggered');
    expect(content(await dc.slash(endpoint(), erin, general.id, `ack ${n}`))).toBe(`Incident #${n} acknowledged.`);
    expect(content(await dc.slash(endpoint(), erin, general.id, `resolve ${n}`))).toBe(`Incident #${n} resolved.`);
    expect(await incident(n)).toMatchObject({ status: 'resolved', resolvedBy: erinId });
  });

  it('a thread per war room: messages flow both ways, once, with no echo; commands run in it', async () => {
    const { n } = await trigger('Payments failing');
    expect((await server().api('POST', '/api/v1/major-incidents', { incident: String(n) })).status).toBe(201);
    expect((await server().api('POST', `/api/v1/incidents/${n}/chat-bridges`, { platform: 'discord', create: true })).status).toBe(200);
    await server().cycle();
    const thread = (await server().api('GET', `/api/v1/incidents/${n}/chat-bridges`)).body.bridges.find((b: { platform: string }) => b.platform === 'discord').channel as string;
    expect(dc.channels.get(thread)).toMatchObject({ type: 11, name: `inc-${n}-payments-failing` });

    // Klaxon -> Discord.
    expect((await server().api('POST', `/api/v1/incidents/${n}/chat`, { text: 'Rolling back payments' })).status).toBe(201);
    await server().cycle();
    const out = await dc.waitForMessage((m) => m.channel_id === thread && m.content.includes('Rolling back'));
    expect(out.content).toBe('Admin: Rolling back payments');

    // Discord -> Klaxon: read from the thread every 5 s of the clock; the bot's own message is not brought back.
    dc.say(erin, thread, 'Card processor returns 503');
    dc.say(stranger, thread, 'Is it us?');
    await server().advance(5_000);
    await server().advance(5_000);
    const chat = (await server().api('GET', `/api/v1/incidents/${n}/chat`)).body.messages as { text: string; author: { name: string }; source: string }[];
    expect(chat.map((m) => `${m.author.name}/${m.source}: ${m.text}`)).toEqual([
      'Admin/web: Rolling back payments',
      'Erin/discord: Card processor returns 503',
      'Discord user stranger/discord: Is it us?',
    ]);
    expect(dc.messages.items.filter((m) => m.channel_id === thread && m.author.id === dc.bot.id).map((m) => m.content)).toEqual(['Admin: Rolling back payments']);

    // A fresh major incident pages Erin by escalation: the page has Join war room, which makes her a member.
    const d = await server().api('POST', '/api/v1/major-incidents', { service: 'web', title: 'Login broken' });
    expect(d.status).toBe(201);
    const m2 = d.body.incident.number as number;
    expect((await server().api('POST', `/api/v1/incidents/${m2}/chat-bridges`, { platform: 'discord', channel: thread })).status).toBe(409);
    const other = dc.addChannel('login-broken').id;
    expect((await server().api('POST', `/api/v1/incidents/${m2}/chat-bridges`, { platform: 'discord', channel: other })).status).toBe(200);
    await server().cycle();
    const page = await dc.waitForMessage((m) => m.content.includes(`#${m2} `) && m.components[0]?.components.some((c: { label: string }) => c.label === 'Join war room'));
    const join = page.components[0].components.find((c: { label: string }) => c.label === 'Join war room').custom_id as string;
    expect(join).toMatch(/^klaxon:join:/);
    expect((await dc.press(endpoint(), page, join, erin, { signWith: generateKeyPairSync('ed25519').privateKey })).status).toBe(401);
    expect((await server().api('GET', `/api/v1/incidents/${m2}/war-room`)).body.warRoom.members.some((m: { name: string }) => m.name === 'Erin')).toBe(false);
    expect(content(await dc.press(endpoint(), page, join, erin))).toBe(`You joined the war room of #${m2}: ${server().url}/incidents/${m2} (its Discord channel: ${other})`);
    expect(content(await dc.press(endpoint(), page, join, erin))).toContain('You are already in the war room');
    const members = (await server().api('GET', `/api/v1/incidents/${m2}/war-room`)).body.warRoom.members as { name: string; role: string }[];
    expect(members.find((m) => m.name === 'Erin')?.role).toBe('responder');

    expect(content(await dc.slash(endpoint(), erin, thread, 'ack'))).toBe(`#${n} acknowledged by Erin`);
  });
});
