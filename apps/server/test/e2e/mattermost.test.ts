import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeMattermost, type FakeMattermostPost, type FakeMattermostUser } from '../fakes/mattermost/server.js';
import { capture, DIALECTS, mustFind, startTestKlaxon, type TestKlaxon } from '../harness.js';
import { must } from '../../src/lib/must.js';

const COMMAND_TOKEN = 'mm-slash-token-0123456789';
const WEBHOOK_TOKEN = 'mm-outgoing-token-0123456789';

describe.each(DIALECTS)('Mattermost: pages with buttons, /klaxon commands, a war room bridged both ways (%s)', (dialect) => {
  let t: TestKlaxon;
  let mm: FakeMattermost;
  let dana: FakeMattermostUser;
  let stranger: FakeMattermostUser;
  let danaId: string;
  let key: string;
  const incident = async (n: number) => (await t.api('GET', `/api/v1/incidents/${n}`)).body.incident;
  const slash = (text: string, user = dana, channel = '', token = COMMAND_TOKEN) => mm.slash(`${t.url}/integrations/v1/mattermost/commands`, token, user, channel, text);

  beforeAll(async () => {
    mm = new FakeMattermost();
    const { url } = await mm.start();
    dana = mm.addUser('dana');
    stranger = mm.addUser('stranger');
    t = await startTestKlaxon(dialect, { mattermost: { baseUrl: url, botToken: mm.token, teamId: mm.teamId, commandToken: COMMAND_TOKEN, webhookToken: WEBHOOK_TOKEN } });
    mm.outgoing = { url: `${t.url}/integrations/v1/mattermost/messages`, token: WEBHOOK_TOKEN, json: true };

    // Dana links her Mattermost user: a Mattermost contact method, verified with the code the bot sends her.
    const u = await t.api('POST', '/api/v1/users', { email: 'dana@example.com', name: 'Dana', role: 'responder', timeZone: 'UTC' });
    danaId = u.body.user.id;
    const token = (await t.api('POST', `/api/v1/users/${danaId}/tokens`, { name: 't' })).body.token;
    expect((await t.api('POST', `/api/v1/users/${danaId}/contact-methods`, { name: 'mm', type: 'mattermost', address: 'not an id' }, token)).status).toBe(400);
    const cm = await t.api('POST', `/api/v1/users/${danaId}/contact-methods`, { name: 'mm', type: 'mattermost', address: dana.id }, token);
    expect(cm.status).toBe(201);
    await t.cycle();
    const code = await mm.waitForPost((p) => p.message.includes('verification code'));
    expect(mm.channels.get(code.channel_id)?.type).toBe('D');
    const v = await t.api('POST', `/api/v1/contact-methods/${cm.body.contactMethod.id}/verify`, { code: capture(/\*\*(\d{6})\*\*/, code.message) }, token);
    expect(v.status).toBe(200);
    // The test-page button.
    expect((await t.api('POST', `/api/v1/contact-methods/${cm.body.contactMethod.id}/test`, undefined, token)).status).toBe(202);
    await t.cycle();
    await mm.waitForPost((p) => p.message.includes('Mattermost notifications reach you'));
    expect((await t.api('POST', `/api/v1/users/${danaId}/notification-rules`, { contactMethodId: cm.body.contactMethod.id, delayMinutes: 0 }, token)).status).toBe(201);
    const policy = await t.api('POST', '/api/v1/escalation-policies', { name: 'Web', levels: [{ delayMinutes: 5, targets: [{ type: 'user', id: danaId }] }] });
    const svc = await t.api('POST', '/api/v1/services', { name: 'web', escalationPolicyId: policy.body.escalationPolicy.id });
    key = (await t.api('POST', `/api/v1/services/${svc.body.service.id}/integrations`, { name: 'pd', kind: 'pagerduty' })).body.integration.key;
  });
  afterAll(async () => {
    await t?.stop();
    await mm?.close();
  });

  async function trigger(summary: string): Promise<{ n: number; page: FakeMattermostPost }> {
    const r = await fetch(`${t.url}/v2/enqueue`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ routing_key: key, event_action: 'trigger', payload: { summary, source: 'web-1', severity: 'critical' } }),
    });
    expect(r.status).toBe(202);
    await t.cycle();
    const n = (await t.api('GET', '/api/v1/incidents?limit=1')).body.incidents[0].number as number;
    const page = await mm.waitForPost((p) => p.message.includes(`#${n} `) && mm.buttons(p).length > 0);
    return { n, page };
  }

  it('pages Dana in a direct message with buttons; a forged press changes nothing; her press acknowledges as her', async () => {
    const { n, page } = await trigger('Checkout down');
    expect(mm.channels.get(page.channel_id)?.name).toContain(dana.id);
    expect(mm.buttons(page).map((b) => b.name)).toEqual(['Acknowledge', 'Resolve']);
    expect(page.props.disable_group_highlight).toBe(true);

    // Forged: a wrong secret, or the secret of another action or incident.
    const ctx = must(mm.buttons(page)[0], 'the first button').integration.context;
    for (const forged of [
      { ...ctx, secret: 'f'.repeat(64) },
      { ...ctx, action: 'resolve' },
      { ...ctx, incident: 'another-incident' },
      { action: 'ack', incident: ctx.incident },
    ]) {
      const r = await mm.press(page, 'klaxonack', dana, { context: forged });
      expect(r.status).toBe(403);
    }
    expect((await incident(n)).status).toBe('triggered');

    // An unlinked Mattermost user is told how to link; nothing changes.
    const unknown = await mm.press(page, 'klaxonack', stranger);
    expect(unknown).toEqual({ status: 200, body: { ephemeral_text: 'Your Mattermost user is not linked to a Klaxon user: add it as a Mattermost contact method.' } });
    expect((await incident(n)).status).toBe('triggered');

    const ok = await mm.press(page, 'klaxonack', dana);
    expect(ok).toEqual({ status: 200, body: { ephemeral_text: `Incident #${n} acknowledged.` } });
    const inc = await incident(n);
    expect(inc.status).toBe('acknowledged');
    expect(inc.acknowledgedBy).toBe(danaId);
    const timeline = (await t.api('GET', `/api/v1/incidents/${n}/timeline`)).body;
    expect(JSON.stringify(timeline)).toContain('"mattermost"');
  });

  it('/klaxon ack N and resolve N, checked by the slash command token', async () => {
    const { n } = await trigger('Search slow');
    const forged = await slash(`ack ${n}`, dana, '', 'wrong-token');
    expect(forged.status).toBe(401);
    expect((await incident(n)).status).toBe('triggered');
    expect((await slash(`ack ${n}`, stranger)).body.text).toContain('not linked');
    expect(await slash(`ack ${n}`)).toEqual({ status: 200, body: { response_type: 'ephemeral', text: `Incident #${n} acknowledged.` } });
    expect((await incident(n)).acknowledgedBy).toBe(danaId);
    expect((await slash(`resolve #${n}`)).body.text).toBe(`Incident #${n} resolved.`);
    expect((await incident(n)).status).toBe('resolved');
    expect((await slash('sev 2', dana, mm.addChannel('random').id)).body.text).toBe('This channel is not bridged to a Klaxon war room.');
  });

  it('bridges a war room to a new channel: messages flow both ways, once, with no echo; commands run there', async () => {
    const { n } = await trigger('Payments failing');
    expect((await t.api('POST', '/api/v1/major-incidents', { incident: String(n) })).status).toBe(201);
    const bad = await t.api('POST', `/api/v1/incidents/${n}/chat-bridges`, { platform: 'mattermost', channel: 'C123' });
    expect(bad.status).toBe(400);
    expect((await t.api('POST', `/api/v1/incidents/${n}/chat-bridges`, { platform: 'teams', create: true })).status).toBe(400);
    const b = await t.api('POST', `/api/v1/incidents/${n}/chat-bridges`, { platform: 'mattermost', create: true });
    expect(b.status).toBe(200);
    expect(b.body.bridge).toEqual({ platform: 'mattermost', channel: null, pending: `inc-${n}-payments-failing` });
    await t.cycle();
    const bridges = (await t.api('GET', `/api/v1/incidents/${n}/chat-bridges`)).body.bridges;
    const channel = bridges[0].channel as string;
    expect(mm.channels.get(channel)).toMatchObject({ name: `inc-${n}-payments-failing`, team_id: mm.teamId, type: 'O' });

    // Klaxon -> Mattermost.
    expect((await t.api('POST', `/api/v1/incidents/${n}/chat`, { text: 'Rolling back payments' })).status).toBe(201);
    await t.cycle();
    const out = await mm.waitForPost((p) => p.channel_id === channel && p.message.includes('Rolling back'));
    expect(out.message).toBe('Admin: Rolling back payments');
    // The bot's own post comes back through the outgoing webhook: dropped.
    expect(must(await mm.echo(out), 'the echo of the post').status).toBe(200);

    // Mattermost -> Klaxon, from Dana; a retried webhook is stored once; a forged token is refused.
    const said = await mm.say(dana, channel, 'Card processor returns 503');
    expect(must(said.answer, 'said.answer').status).toBe(200);
    expect(must(await mm.echo(said.post), 'the echo of the post').status).toBe(200);
    expect(must(await mm.echo({ ...said.post, id: 'forgedpostid0000000000000', message: 'forged' }, 'wrong-token'), 'the echo of the forged post').status).toBe(401);
    await mm.say(stranger, channel, 'Is it us?');
    await t.cycle();
    const chat = (await t.api('GET', `/api/v1/incidents/${n}/chat`)).body.messages as { text: string; author: { name: string }; source: string }[];
    expect(chat.map((m) => `${m.author.name}/${m.source}: ${m.text}`)).toEqual([
      'Admin/web: Rolling back payments',
      'Dana/mattermost: Card processor returns 503',
      'Mattermost user stranger/mattermost: Is it us?',
    ]);
    // Nothing that came from Mattermost was posted back to it.
    expect(mm.posts.items.filter((p) => p.channel_id === channel && p.user_id === mm.bot.id).map((p) => p.message)).toEqual(['Admin: Rolling back payments']);

    // A fresh major incident pages Dana by escalation: the page has Join war room (with its own secret), which makes her a member.
    const d = await t.api('POST', '/api/v1/major-incidents', { service: 'web', title: 'Login broken' });
    expect(d.status).toBe(201);
    const m2 = d.body.incident.number as number;
    expect((await t.api('POST', `/api/v1/incidents/${m2}/chat-bridges`, { platform: 'mattermost', channel })).status).toBe(409);
    const other = mm.addChannel('login-broken').id;
    expect((await t.api('POST', `/api/v1/incidents/${m2}/chat-bridges`, { platform: 'mattermost', channel: other })).status).toBe(200);
    await t.cycle();
    const page = await mm.waitForPost((p) => p.message.includes(`#${m2} `) && mm.buttons(p).some((b) => b.id === 'klaxonjoin'));
    const joinCtx = mustFind(mm.buttons(page), 'the Join button', (b) => b.id === 'klaxonjoin').integration.context;
    expect((await mm.press(page, 'klaxonjoin', dana, { context: { ...joinCtx, secret: must(mm.buttons(page)[0], 'the first button').integration.context.secret } })).status).toBe(403);
    expect((await t.api('GET', `/api/v1/incidents/${m2}/war-room`)).body.warRoom.members.some((m: { name: string }) => m.name === 'Dana')).toBe(false);
    expect((await mm.press(page, 'klaxonjoin', dana)).body.ephemeral_text).toBe(`You joined the war room of #${m2}: ${t.url}/incidents/${m2} (its Mattermost channel: ${other})`);
    const members = (await t.api('GET', `/api/v1/incidents/${m2}/war-room`)).body.warRoom.members as { name: string; role: string }[];
    expect(members.find((m) => m.name === 'Dana')?.role).toBe('responder');

    // A war-room command in the bridged channel.
    expect((await slash('ack', dana, channel)).body.text).toBe(`#${n} acknowledged by Dana`);
    expect((await incident(n)).status).toBe('acknowledged');
  });
});
