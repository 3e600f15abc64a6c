/**
 * Slack as a chat platform (chat/platform.ts). Inbound, every request carries Slack's v0 signature
 * (notify/providers/slack/signature.ts), checked before anything else; a bad or stale one is 403:
 * - `interactions` (form, `payload` JSON): the Acknowledge / Resolve buttons (`block_actions`).
 * - `events` (JSON, Events API): `url_verification` answered; a `message` in a bridged channel goes
 *   into the war room. Klaxon's own posts (bot_id) and edits (any subtype) are ignored: no echo.
 * - `commands` (form): `/klaxon ...`.
 * Outbound through SlackProvider (chat.postMessage); war-room channels with conversations.create.
 */
import { verifySlackRequest } from '../../notify/providers/slack/signature.js';
import type { SlackProvider } from '../../notify/providers/slack/index.js';
import type { ChatInbound, ChatPlatform, ChatRequest } from '../platform.js';
import { slackChannelProblem } from '../channel-ids.js';

const REFUSE: ChatInbound = { kind: 'refuse', status: 403, body: { error: { code: 'forbidden', message: 'bad or stale Slack signature' } } };

/** Slack's interactivity payload (the parts Klaxon reads). */
interface SlackInteraction {
  type?: string;
  user?: { id?: string };
  actions?: { action_id?: string; value?: string }[];
}

/** An Events API `event_callback` body (the parts Klaxon reads). */
interface SlackEventEnvelope {
  type?: string;
  challenge?: string;
  event?: { type?: string; subtype?: string; bot_id?: string; user?: string; text?: string; channel?: string; ts?: string };
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Slack, built on its provider and signing secret. */
export function slackPlatform(provider: SlackProvider, signingSecret: string): ChatPlatform {
  const verified = (req: ChatRequest) => verifySlackRequest(signingSecret, req.headers, req.rawBody, req.now);
  return {
    name: 'slack',
    label: 'Slack',
    commandPrefix: '/klaxon',
    provider,
    endpoints: [{ path: 'interactions' }, { path: 'events' }, { path: 'commands' }],
    async inbound(path, req) {
      if (!verified(req)) return REFUSE;
      if (path === 'interactions') {
        let payload: SlackInteraction;
        try {
          payload = JSON.parse(new URLSearchParams(req.rawBody).get('payload') ?? '') as SlackInteraction;
          if (!payload || typeof payload !== 'object') throw new Error('not an object');
        } catch {
          return { kind: 'reply', status: 400, body: { error: { code: 'invalid', message: 'payload: must be JSON' } } };
        }
        const action = Array.isArray(payload.actions) ? payload.actions[0] : undefined;
        const kind = action?.action_id === 'klaxon_ack' ? 'ack' : action?.action_id === 'klaxon_resolve' ? 'resolve' : null;
        if (payload.type !== 'block_actions' || !kind || !str(action?.value)) return { kind: 'reply', status: 200, body: { text: 'Nothing to do.' } };
        return { kind: 'action', userId: str(payload.user?.id), incident: str(action?.value), action: kind };
      }
      if (path === 'events') {
        let body: SlackEventEnvelope = {};
        try {
          body = (JSON.parse(req.rawBody) as SlackEventEnvelope) ?? {};
        } catch {
          /* answered like an event Klaxon does not read */
        }
        if (typeof body !== 'object') body = {};
        if (body.type === 'url_verification') return { kind: 'reply', status: 200, body: { challenge: str(body.challenge) } };
        const e = body.event;
        if (body.type !== 'event_callback' || e?.type !== 'message' || e.subtype || e.bot_id || !str(e.user) || !str(e.channel) || !str(e.ts) || !str(e.text)) return { kind: 'ignore' };
        return { kind: 'message', channelId: str(e.channel), userId: str(e.user), messageId: str(e.ts), text: str(e.text) };
      }
      if (path === 'commands') {
        const b = new URLSearchParams(req.rawBody);
        return { kind: 'command', channelId: b.get('channel_id') ?? '', userId: b.get('user_id') ?? '', text: b.get('text') ?? '' };
      }
      return { kind: 'reply', status: 404, body: { error: { code: 'not_found', message: 'no such Slack endpoint' } } };
    },
    answer(kind, text) {
      if (kind === 'message' || kind === 'ignore') return { status: 200, body: { ok: true } };
      return { status: 200, body: { response_type: 'ephemeral', text } };
    },
    async openRoom(o) {
      const res = await provider.call('conversations.create', { name: o.name, is_private: false });
      const id = ((res.channel ?? {}) as { id?: string }).id;
      if (!id) throw new Error('Slack conversations.create answered without a channel id');
      return id;
    },
    channelProblem: slackChannelProblem,
  };
}
