import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SlackProvider } from '../../notify/providers/slack/index.js';
import { computeSlackSignature } from '../../notify/providers/slack/signature.js';
import { chatChannelName } from '../service.js';
import { slackPlatform } from './platform.js';

const SECRET = 'slack-signing-secret';
const NOW = 1_772_442_000_000;
const slack = slackPlatform(new SlackProvider({ token: 'xoxb', baseUrl: 'http://127.0.0.1:1' }), SECRET);
const signed = (rawBody: string, secret = SECRET, ts = NOW / 1000) => ({
  headers: { 'x-slack-request-timestamp': String(ts), 'x-slack-signature': computeSlackSignature(secret, ts, rawBody) },
  rawBody,
  contentType: 'application/x-www-form-urlencoded',
  now: NOW,
});

describe('Slack as a chat platform', () => {
  it('parses a signed button, command and message; refuses a forged or stale one with 403', async () => {
    const click = `payload=${encodeURIComponent(JSON.stringify({ type: 'block_actions', user: { id: 'U1' }, actions: [{ action_id: 'klaxon_resolve', value: 'inc-1' }] }))}`;
    expect(await slack.inbound('interactions', signed(click))).toEqual({ kind: 'action', userId: 'U1', incident: 'inc-1', action: 'resolve' });
    expect(await slack.inbound('commands', signed('text=ack+42&channel_id=C1&user_id=U1'))).toEqual({ kind: 'command', channelId: 'C1', userId: 'U1', text: 'ack 42' });
    const ev = JSON.stringify({ type: 'event_callback', event: { type: 'message', user: 'U1', channel: 'C1', ts: '1.2', text: 'hi' } });
    expect(await slack.inbound('events', signed(ev))).toEqual({ kind: 'message', channelId: 'C1', userId: 'U1', messageId: '1.2', text: 'hi' });
    const bot = JSON.stringify({ type: 'event_callback', event: { type: 'message', bot_id: 'B1', channel: 'C1', ts: '1.3', text: 'hi' } });
    expect(await slack.inbound('events', signed(bot))).toEqual({ kind: 'ignore' });
    expect((await slack.inbound('interactions', signed(click, 'wrong'))).kind).toBe('refuse');
    expect(await slack.inbound('commands', signed('text=ack', SECRET, NOW / 1000 - 301))).toMatchObject({ kind: 'refuse', status: 403 });
  });

  it('property: any signed body is parsed without throwing, into a known kind', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('interactions', 'events', 'commands'),
        fc.oneof(
          fc.string(),
          fc.json().map((j) => `payload=${encodeURIComponent(j)}`),
          fc.json(),
        ),
        async (path, body) => {
          const r = await slack.inbound(path, signed(body));
          expect(['reply', 'action', 'command', 'message', 'ignore']).toContain(r.kind);
        },
      ),
    );
  });

  it('property: channel names are lower-case slugs of at most 64 characters naming the incident', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e9 }), fc.string(), fc.boolean(), (n, title, drill) => {
        const name = chatChannelName(n, title, drill);
        expect(name).toMatch(/^[a-z0-9_-]{1,64}$/);
        expect(name).toContain(`inc-${n}`.slice(0, 64 - (drill ? 6 : 0)));
      }),
    );
  });
});
