/**
 * Google Chat as a chat platform (chat/platform.ts). One inbound endpoint, `events` (the Chat app's
 * HTTP endpoint URL, authentication audience "Project Number"): every request must carry Google's
 * bearer token for this app (token.ts), else 401 and nothing changes. Interaction events
 * (https://developers.google.com/workspace/chat/api/reference/rest/v1/Event):
 * - CARD_CLICKED on a page's button (function `klaxon_ack` / `klaxon_resolve` / `klaxon_join`,
 *   parameter `incident`) acknowledges, resolves or joins as the Klaxon user linked to `user.name`
 *   (`users/<id>`); answered with a new message in the space (`actionResponse` NEW_MESSAGE).
 * - MESSAGE: `@Klaxon ack 42` (the text after the mention, `message.argumentText`) runs a command;
 *   answered with a message.
 * - ADDED_TO_SPACE is greeted with how to use Klaxon; anything else gets an empty answer.
 * Pages go out through incoming webhooks (client.ts). Google Chat has no war-room bridge here.
 */
import type { ChatInbound, ChatPlatform } from '../platform.js';
import type { GoogleChatWebhooks } from './client.js';
import { escapeGoogleChat, GOOGLECHAT_FUNCTIONS } from './render.js';
import type { GoogleChatTokens } from './token.js';

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

const ACTIONS: Record<string, 'ack' | 'resolve' | 'join'> = {
  [GOOGLECHAT_FUNCTIONS.ack]: 'ack',
  [GOOGLECHAT_FUNCTIONS.resolve]: 'resolve',
  [GOOGLECHAT_FUNCTIONS.join]: 'join',
};

/** What to say when Klaxon is added to a space. */
export const GOOGLECHAT_HELLO =
  'Klaxon is here. Press Acknowledge or Resolve on a page, or write "@Klaxon ack 42" / "@Klaxon resolve 42". Link your Google Chat user first: add users/<your id> as a Google Chat contact method in Klaxon.';

/** The `incident` parameter of a card click: `common.parameters` (an object) or the older `action.parameters` (a list of key/value). */
function clickedIncident(e: Record<string, unknown>): string {
  const common = obj(e.common);
  const fromCommon = str(obj(common.parameters).incident);
  if (fromCommon) return fromCommon;
  const list = obj(e.action).parameters;
  const p = Array.isArray(list) ? list.find((x) => obj(x).key === 'incident') : undefined;
  return str(obj(p).value);
}

/** Parses one verified interaction event. Pure. */
export function parseGoogleChatEvent(e: Record<string, unknown>): ChatInbound {
  const userId = str(obj(e.user).name);
  const message = obj(e.message);
  const channelId = str(obj(e.space).name) || str(obj(message.space).name);
  switch (e.type) {
    case 'CARD_CLICKED': {
      const fn = str(obj(e.common).invokedFunction) || str(obj(e.action).actionMethodName);
      const action = Object.prototype.hasOwnProperty.call(ACTIONS, fn) ? ACTIONS[fn] : undefined;
      const incident = clickedIncident(e);
      if (!action || !incident || incident.length > 100) return { kind: 'reply', status: 200, body: { actionResponse: { type: 'NEW_MESSAGE' }, text: 'Nothing to do.' } };
      return { kind: 'action', userId, incident, action, ...(channelId && { channelId }) };
    }
    case 'MESSAGE': {
      // argumentText is the text after the app's @mention; in a direct message there is no mention.
      const text = str(message.argumentText) || str(message.text).replace(/^\s*@\S+/, '');
      return { kind: 'command', channelId, userId, text: text.trim().slice(0, 2000) };
    }
    case 'ADDED_TO_SPACE':
      return { kind: 'reply', status: 200, body: { text: GOOGLECHAT_HELLO } };
    default:
      return { kind: 'ignore' };
  }
}

/** Google Chat, built on the webhook provider and the app's token verifier. */
export function googleChatPlatform(provider: GoogleChatWebhooks, tokens: GoogleChatTokens): ChatPlatform {
  return {
    name: 'googlechat',
    label: 'Google Chat',
    commandPrefix: '@Klaxon',
    provider,
    endpoints: [{ path: 'events' }],
    async inbound(_path, req): Promise<ChatInbound> {
      if (!(await tokens.verify(req.headers.authorization, req.now)))
        return { kind: 'refuse', status: 401, body: { error: { code: 'unauthorized', message: 'invalid or missing Google Chat bearer token' } } };
      let e: unknown;
      try {
        e = JSON.parse(req.rawBody) as unknown;
      } catch {
        e = undefined;
      }
      if (!e || typeof e !== 'object' || Array.isArray(e)) return { kind: 'reply', status: 400, body: { error: { code: 'invalid', message: 'body: must be a JSON Google Chat event' } } };
      return parseGoogleChatEvent(e as Record<string, unknown>);
    },
    answer(kind, text) {
      if (kind === 'action') return { status: 200, body: { actionResponse: { type: 'NEW_MESSAGE' }, text: escapeGoogleChat(text) } };
      if (kind === 'command') return { status: 200, body: { text: escapeGoogleChat(text) } };
      return { status: 200, body: {} };
    },
    openRoom: () => Promise.reject(new Error('Google Chat: Klaxon cannot create spaces')),
    channelProblem: () => 'Google Chat spaces cannot be bridged to a war room (Klaxon reaches Google Chat through incoming webhooks only)',
  };
}
