import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeSlackSignature } from '../../src/notify/providers/slack/signature.js';
import { DIALECTS } from '../harness.js';
import { declaredIncident, warRoomWorld, type WarRoomWorld } from './warroom-setup.js';

describe.each(DIALECTS)('war room bridged to Slack (%s)', (dialect) => {
  let w: WarRoomWorld;
  let n: number;
  let channel: string;
  const nowSec = () => Math.floor(w.t.clock.now() / 1000);
  const events = () => `${w.t.url}/integrations/v1/slack/events`;
  beforeAll(async () => {
    w = await warRoomWorld(dialect);
    n = await declaredIncident(w, 'Login broken');
  });
  afterAll(async () => w?.t.stop());

  it('creates a channel; messages flow both ways without echo; /klaxon commands work there', async () => {
    const { t } = w;
    expect((await t.api('POST', `/api/v1/incidents/${n}/slack`, { create: true }, w.carol.token)).status).toBe(403);
    expect((await t.api('POST', `/api/v1/incidents/${n}/slack`, { create: true }, w.ivy.token)).status).toBe(200);
    await t.cycle();
    const created = await t.slack.waitForCall('conversations.create');
    expect(created.body.name).toBe(`inc-${n}-login-broken`);
    channel = (await t.api('GET', `/api/v1/incidents/${n}/war-room`)).body.warRoom.slackChannel;
    expect(channel).toMatch(/^C/);

    const verify = await t.slack.deliver(events(), t.slack.signedEvent(t.slack.urlVerification('abc123'), { timestampSec: nowSec() }));
    expect(JSON.parse(verify.body)).toEqual({ challenge: 'abc123' });

    // Klaxon -> Slack.
    await t.api('POST', `/api/v1/incidents/${n}/chat`, { text: 'Rolling back auth service' }, w.ivy.token);
    await t.cycle();
    const out = await t.slack.waitForPost((p) => p.channel === channel && p.text.includes('Rolling back'));
    expect(out.text).toBe('Ivy: Rolling back auth service');

    // Slack -> Klaxon, from Carol's linked Slack user.
    const inbound = await t.slack.deliver(
      events(),
      t.slack.signedEvent({ type: 'message', channel, user: 'U0CAROL01', text: 'Auth pods are crash-looping', ts: '1772442000.000200' }, { timestampSec: nowSec() }),
    );
    expect(inbound.status).toBe(200);
    // Slack retries the same event: stored once.
    await t.slack.deliver(events(), t.slack.signedEvent({ type: 'message', channel, user: 'U0CAROL01', text: 'Auth pods are crash-looping', ts: '1772442000.000200' }, { timestampSec: nowSec() }));
    // Klaxon's own post comes back as a bot message: ignored (no echo loop).
    await t.slack.deliver(events(), t.slack.signedEvent({ type: 'message', channel, bot_id: 'B0000KLAXON', text: out.text, ts: out.ts }, { timestampSec: nowSec() }));
    await t.cycle();
    const chat = (await t.api('GET', `/api/v1/incidents/${n}/chat`)).body.messages as { text: string; author: { name: string }; source: string }[];
    expect(chat.map((m) => `${m.author.name}/${m.source}: ${m.text}`)).toEqual(['Ivy/web: Rolling back auth service', 'Carol/slack: Auth pods are crash-looping']);
    expect(t.slack.posts.filter((p) => p.channel === channel)).toHaveLength(1);

    // /klaxon ack in the channel.
    const form = new URLSearchParams({ command: '/klaxon', text: 'ack', channel_id: channel, user_id: 'U0CAROL01', team_id: t.slack.teamId }).toString();
    const ts = nowSec();
    const res = await fetch(`${t.url}/integrations/v1/slack/commands`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(ts), 'x-slack-signature': computeSlackSignature(t.slack.signingSecret, ts, form) },
      body: form,
    });
    expect(res.status).toBe(200);
    expect((await res.json()).text).toBe(`#${n} acknowledged by Carol`);
    expect((await t.api('GET', `/api/v1/incidents/${n}`)).body.incident.status).toBe('acknowledged');
  });

  it('refuses forged and stale Slack requests', async () => {
    const { t } = w;
    const ev = { type: 'message', channel, user: 'U0CAROL01', text: 'forged message', ts: '1772442000.000900' };
    expect((await t.slack.deliver(events(), t.slack.signedEvent(ev, { signWith: 'not-the-secret', timestampSec: nowSec() }))).status).toBe(403);
    expect((await t.slack.deliver(events(), t.slack.signedEvent(ev, { timestampSec: nowSec() - 600 }))).status).toBe(403);
    const form = new URLSearchParams({ command: '/klaxon', text: 'resolve', channel_id: channel, user_id: 'U0CAROL01' }).toString();
    const res = await fetch(`${t.url}/integrations/v1/slack/commands`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(nowSec()), 'x-slack-signature': computeSlackSignature('wrong', nowSec(), form) },
      body: form,
    });
    expect(res.status).toBe(403);
    const chat = (await t.api('GET', `/api/v1/incidents/${n}/chat`)).body.messages as { text: string }[];
    expect(chat.some((m) => m.text.includes('forged'))).toBe(false);
    expect((await t.api('GET', `/api/v1/incidents/${n}`)).body.incident.status).not.toBe('resolved');
  });
});
