import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeDiscord } from '../fakes/discord/server.js';
import { DIALECTS, startTestKlaxon, type TestKlaxon } from '../harness.js';

describe.each(DIALECTS)('Chat channels are platform-generic: a Discord channel announces a service’s incidents (%s)', (dialect) => {
  let t: TestKlaxon | undefined;
  let dc: FakeDiscord;

  beforeAll(async () => {
    dc = new FakeDiscord(() => (t ? t.clock.now() : Date.parse('2026-03-02T09:00:00Z')));
    const { url } = await dc.start();
    t = await startTestKlaxon(dialect, { discord: { baseUrl: `${url}/api/v10`, botToken: dc.token, publicKey: dc.publicKeyHex } });
  });
  afterAll(async () => {
    await t?.stop();
    await dc?.close();
  });

  it('posts the card with buttons to the channel, then the acknowledgement and resolution as new messages', async () => {
    const k = t as TestKlaxon;
    const room = dc.addChannel('web-incidents');
    const svc = (await k.api('POST', '/api/v1/services', { name: 'web' })).body.service.id as string;
    expect((await k.api('PUT', `/api/v1/services/${svc}/chat-channels`, { channels: [{ platform: 'discord', channel: 'web-incidents' }] })).status).toBe(400);
    const put = await k.api('PUT', `/api/v1/services/${svc}/chat-channels`, { channels: [{ platform: 'discord', channel: room.id }] });
    expect(put.status).toBe(200);
    expect(put.body.platforms).toEqual(expect.arrayContaining([{ name: 'discord', label: 'Discord' }]));

    const n = (await k.api('POST', '/api/v1/incidents', { service: 'web', title: 'Homepage 502' })).body.incident.number as number;
    await k.cycle();
    const card = await dc.messages.waitFor((m) => m.channel_id === room.id && m.content.includes(`#${n} `) && m.components.length > 0);
    expect(card.content).toContain('Homepage 502');

    expect((await k.api('POST', `/api/v1/incidents/${n}/acknowledge`)).status).toBe(200);
    await k.cycle();
    await dc.messages.waitFor((m) => m.channel_id === room.id && m.content.includes(`#${n} Homepage 502: Acknowledged by Admin`));
    expect((await k.api('POST', `/api/v1/incidents/${n}/resolve`)).status).toBe(200);
    await k.cycle();
    await dc.messages.waitFor((m) => m.channel_id === room.id && m.content.includes('Resolved by Admin'));
  });
});
