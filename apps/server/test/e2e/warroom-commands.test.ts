import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../harness.js';
import { declaredIncident, warRoomWorld, type WarRoomWorld } from './warroom-setup.js';

describe.each(DIALECTS)('war-room commands and their role checks (%s)', (dialect) => {
  let w: WarRoomWorld;
  beforeAll(async () => {
    w = await warRoomWorld(dialect);
  });
  afterAll(async () => w?.t.stop());

  it('each command works for a role allowed to use it and is refused for one that is not', async () => {
    const { t } = w;
    const n = await declaredIncident(w, 'Checkout latency 10s');
    const cmd = async (token: string, text: string) => (await t.api('POST', `/api/v1/incidents/${n}/commands`, { text }, token)).body.result as { ok: boolean; code?: string; text: string };
    const refused = async (token: string, text: string) => expect(await cmd(token, text)).toMatchObject({ ok: false, code: 'forbidden' });
    const incident = async () => (await t.api('GET', `/api/v1/incidents/${n}`)).body.incident;

    expect((await cmd(w.bob.token, '/help')).text).toContain('/run ACTION');
    // Typed in the chat, /help answers only the asker: nothing is written to the room's chat.
    const chatBefore = (await t.api('GET', `/api/v1/incidents/${n}/chat`, undefined, w.bob.token)).body.messages.length;
    const asked = await t.api('POST', `/api/v1/incidents/${n}/chat`, { text: '/help' }, w.bob.token);
    expect(asked.status).toBe(201);
    expect(asked.body.message).toBeNull();
    expect(asked.body.result).toMatchObject({ ok: true, command: 'help' });
    expect(asked.body.result.text).toContain('/run ACTION');
    expect((await t.api('GET', `/api/v1/incidents/${n}/chat`, undefined, w.bob.token)).body.messages).toHaveLength(chatBefore);

    await refused(w.stakeholderToken, '/ack');
    // Typed in the chat: the command runs and Klaxon answers in the chat.
    const chat = await t.api('POST', `/api/v1/incidents/${n}/chat`, { text: '/ack' }, w.bob.token);
    expect(chat.body.result).toMatchObject({ ok: true, command: 'ack' });
    expect((await incident()).status).toBe('acknowledged');
    const messages = (await t.api('GET', `/api/v1/incidents/${n}/chat`)).body.messages as { text: string; author: { name: string } }[];
    expect(messages.slice(-2).map((m) => `${m.author.name}: ${m.text}`)).toEqual(['Bob: /ack', `Klaxon: #${n} acknowledged by Bob`]);

    await refused(w.bob.token, '/sev 2');
    expect((await t.api('POST', `/api/v1/incidents/${n}/severity`, { sev: '2' }, w.bob.token)).status).toBe(403);
    expect(await cmd(w.ivy.token, '/sev 2')).toMatchObject({ ok: true, text: 'Severity is now SEV2' });

    await refused(w.bob.token, '/role comms @bob');
    expect((await cmd(w.ivy.token, '/role comms @bob')).ok).toBe(true);

    await refused(w.carol.token, '/update "We are on it"');
    expect((await cmd(w.bob.token, '/update "Checkout is slow; we are rolling back"')).ok).toBe(true);

    await refused(w.stakeholderToken, '/task "Roll back" @bob');
    expect((await cmd(w.carol.token, '/task "Roll back deploy 42" @bob')).ok).toBe(true);
    const room = (await t.api('GET', `/api/v1/incidents/${n}/war-room`)).body.warRoom;
    expect(room.tasks).toMatchObject([{ text: 'Roll back deploy 42', ownerName: 'Bob' }]);
    expect(room.members.find((m: { name: string }) => m.name === 'Bob').role).toBe('comms');

    await refused(w.stakeholderToken, '/page @carol');
    const ivyPagesBefore = t.twilio.messages.filter((m) => m.to === w.ivy.phone).length;
    expect(await cmd(w.carol.token, '/page @ivy')).toMatchObject({ ok: true, text: 'Paged 1 person for @ivy' });
    // The incident is acknowledged, yet a page a person asks for is delivered.
    await t.cycle();
    expect(t.twilio.messages.filter((m) => m.to === w.ivy.phone).length).toBe(ivyPagesBefore + 1);

    expect((await t.api('POST', '/api/v1/runbooks', { service: 'checkout', title: 'Checkout slow', body: '1. Check the DB\n2. Roll back', owner: 'bob@example.com' })).status).toBe(201);
    expect((await cmd(w.carol.token, '/runbook')).text).toContain('Checkout slow');

    expect(await cmd(w.carol.token, '/run nothing')).toMatchObject({ ok: false, code: 'not_found' });

    await refused(w.carol.token, '/resolve');
    expect((await cmd(w.ivy.token, '/role im @bob')).ok).toBe(true);
    expect((await incident()).incidentManagerId).toBe(w.bob.id);
    await refused(w.ivy.token, '/resolve');
    expect(await cmd(w.bob.token, '/resolve')).toMatchObject({ ok: true });
    expect((await incident()).status).toBe('resolved');

    const timeline = (await t.api('GET', `/api/v1/incidents/${n}/timeline`)).body.timeline as { type: string; message: string }[];
    expect(timeline.map((e) => e.type)).toEqual(expect.arrayContaining(['severity.changed', 'role.assigned', 'status.update', 'task.created', 'page.manual', 'incident.resolved']));
    expect(timeline.some((e) => e.message === 'Incident manager handed over from Ivy to Bob')).toBe(true);
  });
});
