/**
 * Google Chat as a chat platform (chat/platform.ts). One inbound endpoint, `events` (the Chat app's
 * HTTP endpoint URL, authentication audience "Project Number"): every request must carry Google's
 * bearer token for this app (token.ts), else 401 and nothing changes. Interaction events
 * (https://developers.google.com/workspace/chat/api/reference/rest/v1/Event):
 * - CARD_CLICKED on a page's button (function `klaxon_ack` / `klaxon_resolve` / `klaxon_join`,
 *   parameter `incident`) acknowledges, resolves or joins as the Klaxon user linked to `user.name`
 *   (`users/<id>`); answered with a new message in the space (`actionResponse` NEW_MESSAGE).
 * - MESSAGE (Google sends one for every message in a direct message with the app, and in a space
 *   for a message that @mentions the app or uses its slash command): the text after the mention
 *   (`message.argumentText`) is a command when it starts with a command word (`ack 42`, `resolve
 *   42`, `declare ...`, `sev 2`, `page @pat`, `help`...; see {@link isGoogleChatCommand}), when it is
 *   a slash command, or in a direct message; answered with a message (in the same thread). Any other
 *   text in a thread is a chat message for the war room bridged to that thread
 *   (`message.thread.name`, spaces/X/threads/Y), stored once per `message.name`, with no answer.
 *   Messages from bots (Klaxon's own among them) are ignored: nothing Klaxon posts comes back.
 * - ADDED_TO_SPACE is greeted with how to use Klaxon; anything else gets an empty answer.
 * Pages go out through incoming webhooks or the Chat API (client.ts). With the Chat API, a war room
 * is bridged to a thread of a space: `openRoom` starts it in the configured space with the thread key
 * `klaxon-incident-<number>` (so a retry lands in the same thread) and returns its name.
 */
import { GOOGLE_CHAT_ANNOUNCE, googleChatSpaceProblem } from '../channel-ids.js';
import type { ChatInbound, ChatPlatform } from '../platform.js';
import { THREAD_NAME } from './api.js';
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

/** The words that start a command after "@Klaxon" (with or without a leading "/" or "!"); other text in a thread is a chat message. */
const COMMAND_WORDS = /^[/!]?(ack|acknowledge|resolve|declare|help|sev|role|page|update|task|runbooks?|run)(?=\s|$)/i;

/** True when the text after "@Klaxon" is a command (empty text asks for help). Pure. */
export function isGoogleChatCommand(text: string): boolean {
  const t = text.trim();
  return !t || COMMAND_WORDS.test(t);
}

/** The thread key of a war room's thread. */
export const warRoomThreadKey = (incidentNumber: number): string => `klaxon-incident-${incidentNumber}`;

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
      if (obj(e.user).type === 'BOT' || obj(message.sender).type === 'BOT') return { kind: 'ignore' };
      // argumentText is the text after the app's @mention; in a direct message there is no mention.
      const text = (str(message.argumentText) || str(message.text).replace(/^\s*@\S+/, '')).trim();
      const thread = THREAD_NAME.test(str(obj(message.thread).name)) ? str(obj(message.thread).name) : '';
      const space = obj(e.space);
      const direct = space.type === 'DM' || space.spaceType === 'DIRECT_MESSAGE' || space.singleUserBotDm === true;
      const slash = Object.keys(obj(message.slashCommand)).length > 0;
      if (direct || slash || !thread || isGoogleChatCommand(text)) return { kind: 'command', channelId: thread || channelId, userId, text: text.slice(0, 2000) };
      const userName = str(obj(e.user).displayName) || str(obj(message.sender).displayName);
      return { kind: 'message', channelId: thread, userId, ...(userName && { userName: userName.slice(0, 200) }), messageId: str(message.name).slice(0, 300), text: text.slice(0, 10_000) };
    }
    case 'ADDED_TO_SPACE':
      return { kind: 'reply', status: 200, body: { text: GOOGLECHAT_HELLO } };
    default:
      return { kind: 'ignore' };
  }
}

/** Google Chat, built on the provider (webhooks, and the Chat API when configured) and the app's token verifier; `warRoomSpace` is where war-room threads are started. */
export function googleChatPlatform(provider: GoogleChatWebhooks, tokens: GoogleChatTokens, o: { warRoomSpace?: string } = {}): ChatPlatform {
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
    async openRoom(r): Promise<string> {
      const api = provider.api;
      if (!api) throw new Error('Google Chat: war-room threads need the Chat API: set KLAXON_GOOGLECHAT_SERVICE_ACCOUNT');
      if (!o.warRoomSpace) throw new Error('Google Chat: set KLAXON_GOOGLECHAT_WAR_ROOM_SPACE (spaces/<id>) to start war-room threads');
      const mentions = r.invite.filter((u) => /^users\/\d{1,30}$/.test(u)).map((u) => `<${u}>`);
      const text = [
        `War room of #${r.incidentNumber} ${escapeGoogleChat(r.title)}.`,
        ...(mentions.length ? [`${mentions.join(' ')}: you are in it.`] : []),
        'Write "@Klaxon <message>" in this thread to say it in the war room; "@Klaxon help" lists the commands.',
      ].join(' ');
      const posted = await api.createMessage(o.warRoomSpace, { text: text.slice(0, 4000) }, { thread: { threadKey: warRoomThreadKey(r.incidentNumber) } });
      if (!posted.thread || !THREAD_NAME.test(posted.thread)) throw new Error('Google Chat: the first message of the war-room thread came back without a thread name');
      return posted.thread;
    },
    channelProblem: (channel) => {
      if (!provider.api) return 'Google Chat threads cannot be bridged to a war room without the Chat API: set KLAXON_GOOGLECHAT_SERVICE_ACCOUNT';
      return THREAD_NAME.test(channel) ? null : 'a Google Chat thread, spaces/<space id>/threads/<thread id> (or create: true for a new thread)';
    },
    announceProblem: googleChatSpaceProblem,
    ...(!provider.api && { cannotAnnounce: GOOGLE_CHAT_ANNOUNCE }),
  };
}
