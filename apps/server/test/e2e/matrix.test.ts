import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeMatrix, type FakeMatrixEvent } from '../fakes/matrix/server.js';
import { capture, DIALECTS, startTestKlaxon, type TestKlaxon } from '../harness.js';
import { must } from '../../src/lib/must.js';

const FRAN = '@fran:test.local';
const STRANGER = '@stranger:test.local';

describe.each(DIALECTS)('Matrix: pages, reactions, !commands and a war room through /sync (%s)', (dialect) => {
  let t: TestKlaxon | undefined;
  const server = (): TestKlaxon => must(t, 'the test server');
  let mx: FakeMatrix;
  let franId: string;
  let dm: string;
  let key: string;
  const incident = async (n: number) => (await server().api('GET', `/api/v1/incidents/${n}`)).body.incident;
  /** The engine reads /sync every 2 s of the clock. */
  const sync = () => server().advance(2_000);
  const lastNotice = (room: string) => mx.events.items.filter((e) => e.room_id === room && e.sender === mx.bot && e.content.msgtype === 'm.notice').at(-1)?.content.body as string;

  beforeAll(async () => {
    mx = new FakeMatrix(() => (t ? t.clock.now() : Date.parse('2026-03-02T09:00:00Z')));
    const { url } = await mx.start();
    t = await startTestKlaxon(dialect, { matrix: { homeserverUrl: url, accessToken: mx.token } });
    const u = await t.api('POST', '/api/v1/users', { email: 'fran@example.com', name: 'Fran', role: 'responder', timeZone: 'UTC' });
    franId = u.body.user.id;
    const token = (await t.api('POST', `/api/v1/users/${franId}/tokens`, { name: 't' })).body.token;
    expect((await t.api('POST', `/api/v1/users/${franId}/contact-methods`, { name: 'mx', type: 'matrix', address: 'fran' }, token)).status).toBe(400);
    const cm = await t.api('POST', `/api/v1/users/${franId}/contact-methods`, { name: 'mx', type: 'matrix', address: FRAN }, token);
    expect(cm.status).toBe(201);
    await t.cycle();
    const code = await mx.waitForEvent((e) => e.sender === mx.bot && String(e.content.body).includes('verification code'));
    dm = code.room_id;
    expect(mx.rooms.get(dm)).toMatchObject({ is_direct: true });
    expect(must(mx.rooms.get(dm), 'the DM room').invited.has(FRAN)).toBe(true);
    mx.join(FRAN, dm);
    expect((await t.api('POST', `/api/v1/contact-methods/${cm.body.contactMethod.id}/verify`, { code: capture(/(\d{6})/, code.content.body) }, token)).status).toBe(200);
    expect((await t.api('POST', `/api/v1/contact-methods/${cm.body.contactMethod.id}/test`, undefined, token)).status).toBe(202);
    await t.cycle();
    await mx.waitForEvent((e) => e.room_id === dm && String(e.content.body).includes('Matrix notifications reach you'));
    expect((await t.api('POST', `/api/v1/users/${franId}/notification-rules`, { contactMethodId: cm.body.contactMethod.id, delayMinutes: 0 }, token)).status).toBe(201);
    const policy = await t.api('POST', '/api/v1/escalation-policies', { name: 'Web', levels: [{ delayMinutes: 5, targets: [{ type: 'user', id: franId }] }] });
    const svc = await t.api('POST', '/api/v1/services', { name: 'web', escalationPolicyId: policy.body.escalationPolicy.id });
    key = (await t.api('POST', `/api/v1/services/${svc.body.service.id}/integrations`, { name: 'pd', kind: 'pagerduty' })).body.integration.key;
  });
  afterAll(async () => {
    await t?.stop();
    await mx?.close();
  });

  async function trigger(summary: string): Promise<{ n: number; page: FakeMatrixEvent }> {
    const r = await fetch(`${server().url}/v2/enqueue`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ routing_key: key, event_action: 'trigger', payload: { summary, source: 'web-1', severity: 'critical' } }),
    });
    expect(r.status).toBe(202);
    await server().cycle();
    const n = (await server().api('GET', '/api/v1/incidents?limit=1')).body.incidents[0].number as number;
    const page = await mx.waitForEvent((e) => e.room_id === dm && String(e.content.body).includes(`#${n} `) && !!e.content['org.klaxon.incident']);
    return { n, page };
  }

  it('pages Fran in a direct room; a 👍 on the page acknowledges as her; a 👍 on a look-alike does nothing', async () => {
    const { n, page } = await trigger('Checkout down');
    expect(page.content).toMatchObject({ msgtype: 'm.text', 'm.mentions': {} });
    // Someone writes a message carrying the incident field: a reaction to it is not a reaction to Klaxon's page.
    const fake = mx.say(FRAN, dm, 'look-alike');
    fake.content['org.klaxon.incident'] = page.content['org.klaxon.incident'];
    mx.react(FRAN, dm, fake.event_id, '👍');
    mx.react(FRAN, dm, page.event_id, '🎉');
    await sync();
    expect((await incident(n)).status).toBe('triggered');
    mx.react(FRAN, dm, page.event_id, '👍');
    await sync();
    expect(await incident(n)).toMatchObject({ status: 'acknowledged', acknowledgedBy: franId });
    expect(lastNotice(dm)).toBe(`Incident #${n} acknowledged.`);
  });

  it('!ack N and !resolve N as the linked user; an unknown user is told how to link', async () => {
    const { n } = await trigger('Search slow');
    const shared = mx.createRoomAs(STRANGER, { invite: [mx.bot] }).room_id;
    await sync(); // the bot accepts the invitation
    expect(must(mx.rooms.get(shared), 'the shared room').joined.has(mx.bot)).toBe(true);
    mx.say(STRANGER, shared, `!ack ${n}`);
    await sync();
    expect(lastNotice(shared)).toBe('Your Matrix user is not linked to a Klaxon user: add it as a Matrix contact method.');
    expect((await incident(n)).status).toBe('triggered');
    mx.say(FRAN, dm, `!ack ${n}`);
    await sync();
    expect(lastNotice(dm)).toBe(`Incident #${n} acknowledged.`);
    mx.say(FRAN, dm, `!resolve ${n}`);
    await sync();
    expect(await incident(n)).toMatchObject({ status: 'resolved', resolvedBy: franId });
  });

  it('a room per major incident with its members invited; messages both ways once, no echo; priority messages mention @room', async () => {
    const { n } = await trigger('Payments failing');
    expect((await server().api('POST', '/api/v1/major-incidents', { incident: String(n) })).status).toBe(201);
    expect((await server().api('POST', `/api/v1/incidents/${n}/roles`, { role: 'responder', user: 'fran@example.com' })).status).toBe(200);
    expect((await server().api('POST', `/api/v1/incidents/${n}/chat-bridges`, { platform: 'matrix', channel: 'not-a-room' })).status).toBe(400);
    expect((await server().api('POST', `/api/v1/incidents/${n}/chat-bridges`, { platform: 'matrix', create: true })).status).toBe(200);
    await server().cycle();
    const room = (await server().api('GET', `/api/v1/incidents/${n}/chat-bridges`)).body.bridges.find((b: { platform: string }) => b.platform === 'matrix').channel as string;
    expect(must(mx.rooms.get(room), 'the war-room room').name).toBe(`#${n} Payments failing`);
    expect([...must(mx.rooms.get(room), 'the war-room room').invited]).toEqual([FRAN]);
    mx.join(FRAN, room);

    expect((await server().api('POST', `/api/v1/incidents/${n}/chat`, { text: 'Rolling back payments' })).status).toBe(201);
    expect((await server().api('POST', `/api/v1/incidents/${n}/chat`, { text: 'Everyone stop deploying', priority: true })).status).toBe(201);
    await server().cycle();
    const out = await mx.waitForEvent((e) => e.room_id === room && String(e.content.body).includes('Rolling back'));
    expect(out.content).toEqual({ msgtype: 'm.notice', body: 'Admin: Rolling back payments', 'm.mentions': {} });
    const prio = await mx.waitForEvent((e) => e.room_id === room && String(e.content.body).includes('stop deploying'));
    expect(prio.content).toEqual({ msgtype: 'm.text', body: '@room PRIORITY Admin: Everyone stop deploying', 'm.mentions': { room: true } });

    mx.say(FRAN, room, 'Card processor returns 503');
    await sync();
    await sync();
    const chat = (await server().api('GET', `/api/v1/incidents/${n}/chat`)).body.messages as { text: string; author: { name: string }; source: string }[];
    expect(chat.map((m) => `${m.author.name}/${m.source}: ${m.text}`)).toEqual(['Admin/web: Rolling back payments', 'Admin/web: Everyone stop deploying', 'Fran/matrix: Card processor returns 503']);
    expect(mx.events.items.filter((e) => e.room_id === room && e.sender === mx.bot && e.type === 'm.room.message')).toHaveLength(2);

    mx.say(FRAN, room, '!ack');
    await sync();
    expect(lastNotice(room)).toBe(`#${n} acknowledged by Fran`);
  });
});
