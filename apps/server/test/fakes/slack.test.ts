import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifySlackRequest } from '../../src/notify/providers/slack/signature.js';
import { FakeSlack } from './slack.js';
import { closeServer, listenLocal, readBody } from './util.js';

let clockMs = Date.parse('2026-01-05T09:00:00Z');
const slack = new FakeSlack({ now: () => clockMs });
let apiUrl = '';
let klaxon: Server;
let klaxonUrl = '';
const received: { body: string; contentType: string }[] = [];

// A stand-in for Klaxon's Slack endpoints: verifies the v0 signature against the server's own clock.
const serverNow = () => clockMs;
beforeAll(async () => {
  apiUrl = (await slack.start()).url;
  klaxon = createServer((req, res) => {
    void readBody(req).then((raw) => {
      if (!verifySlackRequest(slack.signingSecret, req.headers, raw, serverNow())) {
        res.writeHead(401).end('invalid signature');
        return;
      }
      const body = raw.toString('utf8');
      received.push({ body, contentType: String(req.headers['content-type']) });
      if (String(req.headers['content-type']).startsWith('application/json')) {
        const json = JSON.parse(body) as { type: string; challenge?: string };
        if (json.type === 'url_verification') {
          res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ challenge: json.challenge }));
          return;
        }
      }
      res.writeHead(200).end();
    });
  });
  klaxonUrl = await listenLocal(klaxon);
});
afterAll(async () => {
  await slack.close();
  await closeServer(klaxon);
});

describe('FakeSlack', () => {
  it('builds a signed block_actions interaction that verifies and parses', async () => {
    const payload = slack.blockActions({ actionId: 'klaxon_ack', value: 'inc-42', userId: 'U0000ADA', channelId: 'C0000ONCALL' });
    const req = slack.signedInteraction(payload);
    expect(req.headers['content-type']).toBe('application/x-www-form-urlencoded');
    const answer = await slack.deliver(`${klaxonUrl}/slack/interactivity`, req);
    expect(answer.status).toBe(200);
    const parsed = JSON.parse(new URLSearchParams(received.at(-1)?.body).get('payload') ?? '{}') as {
      type: string;
      user: { id: string };
      actions: { action_id: string; value: string }[];
      container: { channel_id: string };
    };
    expect(parsed.type).toBe('block_actions');
    expect(parsed.user.id).toBe('U0000ADA');
    expect(parsed.actions[0]).toMatchObject({ action_id: 'klaxon_ack', value: 'inc-42' });
    expect(parsed.container.channel_id).toBe('C0000ONCALL');
  });

  it('signs Events API requests, url_verification as is and inner events wrapped in event_callback', async () => {
    const verification = slack.urlVerification('chal-123');
    const answer = await slack.deliver(`${klaxonUrl}/slack/events`, slack.signedEvent(verification));
    expect(JSON.parse(answer.body)).toEqual({ challenge: 'chal-123' });

    await slack.deliver(`${klaxonUrl}/slack/events`, slack.signedEvent({ type: 'message', channel: 'C1', user: 'U1', text: 'hi', ts: '1.000001' }));
    const envelope = JSON.parse(received.at(-1)?.body ?? '{}') as { type: string; event: { type: string; text: string }; team_id: string };
    expect(envelope.type).toBe('event_callback');
    expect(envelope.event).toMatchObject({ type: 'message', text: 'hi' });
    expect(envelope.team_id).toBe(slack.teamId);
  });

  it('produces requests a receiver rejects when stale or signed with another secret', async () => {
    const stale = slack.signedInteraction(slack.blockActions({ actionId: 'klaxon_ack' }), { timestampSec: Math.floor(clockMs / 1000) - 301 });
    expect((await slack.deliver(`${klaxonUrl}/x`, stale)).status).toBe(401);
    const wrong = slack.signedEvent({ type: 'app_mention' }, { signWith: 'other-secret' });
    expect((await slack.deliver(`${klaxonUrl}/x`, wrong)).status).toBe(401);
    const replayed = slack.signedEvent({ type: 'app_mention' });
    clockMs += 6 * 60_000;
    expect((await slack.deliver(`${klaxonUrl}/x`, replayed)).status).toBe(401);
  });

  it('serves conversations.create / join, users.lookupByEmail and chat.update, and records calls', async () => {
    const call = async (method: string, body: Record<string, unknown>, token = slack.token) => {
      const res = await fetch(`${apiUrl}/api/${method}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json; charset=utf-8' },
        body: JSON.stringify(body),
      });
      return (await res.json()) as Record<string, unknown> & { ok: boolean; error?: string };
    };
    const created = await call('conversations.create', { name: 'inc-7-checkout' });
    const channelId = (created.channel as { id: string }).id;
    expect(channelId).toMatch(/^C/);
    expect((await call('conversations.create', { name: 'Bad Name' })).error).toBe('invalid_name_specials');
    expect((await call('conversations.join', { channel: channelId })).ok).toBe(true);

    slack.addUser('grace@example.com', { id: 'U0000GRACE', name: 'grace' });
    expect(await call('users.lookupByEmail', { email: 'Grace@example.com' })).toMatchObject({ ok: true, user: { id: 'U0000GRACE' } });
    // GET with a query string, as the Web API allows for read methods.
    const viaGet = await fetch(`${apiUrl}/api/users.lookupByEmail?email=grace%40example.com`, { headers: { Authorization: `Bearer ${slack.token}` } });
    expect(await viaGet.json()).toMatchObject({ ok: true, user: { id: 'U0000GRACE' } });
    expect((await call('users.lookupByEmail', { email: 'nobody@example.com' })).error).toBe('users_not_found');

    const posted = await call('chat.postMessage', { channel: channelId, text: 'hello' });
    const updated = await call('chat.update', { channel: channelId, ts: posted.ts, text: 'acked' });
    expect(updated).toMatchObject({ ok: true, text: 'acked' });
    expect((await call('chat.update', { channel: channelId, ts: '1.2', text: 'x' })).error).toBe('message_not_found');

    expect((await call('chat.postMessage', { channel: channelId, text: 'x' }, 'xoxb-wrong')).error).toBe('invalid_auth');
    const noAuth = await fetch(`${apiUrl}/api/chat.postMessage`, { method: 'POST', body: '' });
    expect(((await noAuth.json()) as { error: string }).error).toBe('not_authed');
    expect(slack.calls.map((c) => c.method)).toContain('conversations.join');
  });

  it('accepts form-encoded chat.postMessage with blocks as a JSON string', async () => {
    const res = await fetch(`${apiUrl}/api/chat.postMessage`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: slack.token, channel: 'C42', text: 'form', blocks: JSON.stringify([{ type: 'divider' }]) }).toString(),
    });
    expect(((await res.json()) as { ok: boolean }).ok).toBe(true);
    const post = await slack.waitForPost((p) => p.text === 'form');
    expect(post.blocks).toEqual([{ type: 'divider' }]);
  });
});
