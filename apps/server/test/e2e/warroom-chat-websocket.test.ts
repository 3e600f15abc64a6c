import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { DIALECTS } from '../harness.js';
import { declaredIncident, warRoomWorld, type WarRoomWorld } from './warroom-setup.js';

/** A live socket that collects chat events. */
async function liveClient(url: string, token: string): Promise<{ ws: WebSocket; chats: { text: string; author: string }[]; waitFor(n: number): Promise<void> }> {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/api/v1/live`, { headers: { authorization: `Bearer ${token}` } });
  const chats: { text: string; author: string }[] = [];
  await new Promise<void>((resolve, reject) => {
    ws.on('message', (raw) => {
      const e = JSON.parse(String(raw)) as { type: string; data?: { message?: { text: string; author: { name: string } } } };
      if (e.type === 'hello') resolve();
      if (e.type === 'chat' && e.data?.message) chats.push({ text: e.data.message.text, author: e.data.message.author.name });
    });
    ws.on('error', reject);
  });
  const waitFor = async (n: number) => {
    for (let i = 0; i < 200 && chats.length < n; i++) await new Promise((r) => setTimeout(r, 10));
  };
  return { ws, chats, waitFor };
}

describe.each(DIALECTS)('war-room chat over WebSocket (%s)', (dialect) => {
  let w: WarRoomWorld;
  beforeAll(async () => {
    w = await warRoomWorld(dialect);
  });
  afterAll(async () => w?.t.stop());

  it('two clients see each other’s messages in order; an @mention notifies; the chat is stored', async () => {
    const { t } = w;
    const n = await declaredIncident(w, 'Payments failing');
    const ivy = await liveClient(t.url, w.ivy.token);
    const bob = await liveClient(t.url, w.bob.token);
    const said = [
      [w.ivy.token, 'Ivy here, I am IM. @bob can you check the DB?'],
      [w.bob.token, 'Looking at it now'],
      [w.ivy.token, 'Thanks'],
      [w.bob.token, 'Replica lag is 40 minutes'],
    ] as const;
    for (const [token, text] of said) expect((await t.api('POST', `/api/v1/incidents/${n}/chat`, { text }, token)).status).toBe(201);
    await ivy.waitFor(4);
    await bob.waitFor(4);
    const expected = said.map(([token, text]) => ({ text, author: token === w.ivy.token ? 'Ivy' : 'Bob' }));
    expect(ivy.chats).toEqual(expected);
    expect(bob.chats).toEqual(expected);
    ivy.ws.close();
    bob.ws.close();

    await t.cycle();
    const mail = await t.smtp.waitFor((m) => m.to.includes('bob@example.com') && m.text.includes('mentioned you'));
    expect(mail.text).toContain('Ivy mentioned you');

    const stored = (await t.api('GET', `/api/v1/incidents/${n}/chat`, undefined, w.stakeholderToken)).body.messages as { text: string }[];
    expect(stored.map((m) => m.text)).toEqual(said.map(([, text]) => text));
    // Stakeholders read, but may not talk in the war room.
    expect((await t.api('POST', `/api/v1/incidents/${n}/chat`, { text: 'any news?' }, w.stakeholderToken)).status).toBe(403);
  });
});
