/**
 * Microsoft Teams as a chat platform (chat/platform.ts), through a Bot Framework bot. One inbound
 * endpoint, `messages` (the bot's messaging endpoint): every activity must carry a valid Bot
 * Connector token (auth.ts), else 401 and nothing changes. A message activity whose `value` is an
 * Adaptive Card Action.Submit's data `{action: "ack"|"resolve", incident}` acknowledges or resolves;
 * any other message text is a command once the bot's @mention (`<at>Klaxon</at>`) is taken out
 * (`@Klaxon ack 42`). The person is the sender's Entra object id (`from.aadObjectId`), else their
 * Teams user id (`from.id`): the address of their `teams` contact method. Answers are posted back
 * to the conversation as replies (client.ts), not in the HTTP response; an unlinked person is told
 * the id to add. Other activity types (conversationUpdate, ...) are ignored. No war-room bridge.
 */
import { notLinkedText, type ChatInbound, type ChatPlatform } from '../platform.js';
import type { BotConnectorAuth } from './auth.js';
import type { TeamsClient } from './client.js';
import { renderTeams } from './render.js';

const LABEL = 'Microsoft Teams';
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

/** Where a reply goes: the activity's service URL, conversation and id. */
export interface TeamsReplyTo {
  serviceUrl: string;
  conversationId: string;
  activityId: string;
}

/** The command in a message's text: without @mentions (`<at>...</at>`), other HTML tags and entities, trimmed. */
export function commandText(text: string): string {
  return text
    .replace(/<at>[^<]*<\/at>/gi, ' ')
    .replace(/<[^>]{0,200}>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Parses a verified activity (pure). */
export function parseActivity(a: Record<string, unknown>): ChatInbound {
  if (a.type !== 'message') return { kind: 'ignore' };
  const from = obj(a.from);
  const aad = str(from.aadObjectId).toLowerCase();
  const userId = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(aad) ? aad : str(from.id);
  const context: TeamsReplyTo = { serviceUrl: str(a.serviceUrl), conversationId: str(obj(a.conversation).id), activityId: str(a.id) };
  const value = obj(a.value);
  if ((value.action === 'ack' || value.action === 'resolve') && typeof value.incident === 'string' && /^.{1,100}$/.test(value.incident)) {
    return { kind: 'action', userId, incident: value.incident, action: value.action, channelId: context.conversationId, context };
  }
  const text = commandText(str(a.text));
  if (!text) return { kind: 'ignore' };
  return { kind: 'command', channelId: context.conversationId, userId, text, context };
}

/** Teams, built on its client and the token verifier. */
export function teamsPlatform(client: TeamsClient, auth: BotConnectorAuth): ChatPlatform {
  return {
    name: 'teams',
    label: LABEL,
    commandPrefix: '@Klaxon',
    provider: client,
    endpoints: [{ path: 'messages' }],
    async inbound(_path, req): Promise<ChatInbound> {
      let activity: Record<string, unknown> | null = null;
      try {
        const parsed = JSON.parse(req.rawBody) as unknown;
        if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) activity = parsed as Record<string, unknown>;
      } catch {
        activity = null;
      }
      const authorization = req.headers.authorization;
      const ok = await auth.verify(Array.isArray(authorization) ? authorization[0] : authorization, str(activity?.serviceUrl), req.now);
      if (!ok) return { kind: 'refuse', status: 401, body: { error: { code: 'unauthorized', message: 'a valid Bot Connector token is required' } } };
      if (!activity) return { kind: 'reply', status: 400, body: { error: { code: 'invalid', message: 'body: must be a JSON activity' } } };
      return parseActivity(activity);
    },
    answer(_kind, text) {
      return { status: 200, body: { text } };
    },
    async deliver(parsed, answer) {
      if (parsed.kind === 'refuse' || parsed.kind === 'reply') return answer;
      if (parsed.kind !== 'action' && parsed.kind !== 'command') return { status: 200, body: {} };
      const to = parsed.context as TeamsReplyTo;
      let text = str(obj(answer.body).text);
      if (text === notLinkedText(LABEL)) text += ` Its address is your Teams id: ${parsed.userId}`;
      if (!text || !to.serviceUrl || !to.conversationId) return { status: 200, body: {} };
      try {
        await client.reply(to, renderTeams({ kind: 'reply', text }, {}));
      } catch {
        // The action already happened; Teams would only retry the activity. Nothing more to do.
      }
      return { status: 200, body: {} };
    },
    async openRoom() {
      throw new Error('Microsoft Teams: war-room bridges are not supported');
    },
    channelProblem: () => 'Microsoft Teams war rooms cannot be bridged yet',
  };
}
