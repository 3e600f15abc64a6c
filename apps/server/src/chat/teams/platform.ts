/**
 * Microsoft Teams as a chat platform (chat/platform.ts), through a Bot Framework bot. One inbound
 * endpoint, `messages` (the bot's messaging endpoint): every activity must carry a valid Bot
 * Connector token (auth.ts), else 401 and nothing changes. A message activity whose `value` is an
 * Adaptive Card Action.Submit's data `{action: "ack"|"resolve"|"join", incident}` acknowledges,
 * resolves or joins the war room; in a personal chat any text is a command, in a channel a text
 * that @mentions the bot is one once the @mention (`<at>Klaxon</at>`) is taken out (`@Klaxon ack
 * 42`), and any other channel message goes into the war room bridged to that channel or thread
 * (Teams delivers those only with the RSC permission ChannelMessage.Read.Group). The person is the
 * sender's Entra object id (`from.aadObjectId`), else their Teams user id (`from.id`): the address
 * of their `teams` contact method. Answers are posted back to the conversation as replies
 * (client.ts), not in the HTTP response; an unlinked person is told the id to add. Every signed
 * activity (conversationUpdate too) teaches the bot its tenant, service URL, sender and channel
 * (activityRefs), which its proactive messages need.
 */
import { teamsChannelProblem } from '../channel-ids.js';
import { notLinkedText, type ChatInbound, type ChatPlatform } from '../platform.js';
import type { BotConnectorAuth } from './auth.js';
import { TEAMS_CHANNEL, teamsChannelOf, type TeamsClient } from './client.js';
import { renderTeams } from './render.js';
import type { TeamsRef } from './store.js';

const LABEL = 'Microsoft Teams';
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

/** Where a reply goes: the activity's service URL, conversation and id. */
export interface TeamsReplyTo {
  serviceUrl: string;
  conversationId: string;
  activityId: string;
}

/** A message's HTML as plain text: `<at>Name</at>` as `@Name`, other tags and entities undone, spaces collapsed. */
export function messageText(text: string): string {
  return decode(text.replace(/<at>([^<]*)<\/at>/gi, (_m, name: string) => ` @${name} `));
}

/** The command in a message's text: without @mentions (`<at>...</at>`), other HTML tags and entities, trimmed. */
export function commandText(text: string): string {
  return decode(text.replace(/<at>[^<]*<\/at>/gi, ' '));
}

function decode(text: string): string {
  return text
    .replace(/<[^>]{0,200}>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Whether an activity is in a channel (a post or a thread of a team's channel). */
function inChannel(a: Record<string, unknown>): boolean {
  const conversation = obj(a.conversation);
  return conversation.conversationType === 'channel' || TEAMS_CHANNEL.test(str(conversation.id));
}

/**
 * Whether a message @mentions the bot: a mention entity of the recipient, or (without mention
 * entities) `<at>` + the recipient's name (any `<at>` when it has none) in its text.
 */
function mentionsBot(a: Record<string, unknown>): boolean {
  const mentions = (Array.isArray(a.entities) ? a.entities : []).map(obj).filter((e) => e.type === 'mention');
  const recipient = obj(a.recipient);
  const bot = str(recipient.id);
  if (mentions.length) return mentions.some((e) => bot !== '' && str(obj(e.mentioned).id) === bot);
  const name = str(recipient.name).toLowerCase();
  const tags = [...str(a.text).matchAll(/<at>([^<]*)<\/at>/gi)].map((m) => (m[1] ?? '').trim().toLowerCase());
  return name ? tags.includes(name) : tags.length > 0;
}

/**
 * Parses a verified activity (pure). A card's Action.Submit is an action; in a personal chat any
 * text is a command; in a channel a message that @mentions the bot is a command and any other is a
 * message for the war room bridged there. The bot's own activities (`from` is the recipient, or a
 * `28:` bot id) are ignored: Klaxon's posts never come back.
 */
export function parseActivity(a: Record<string, unknown>): ChatInbound {
  if (a.type !== 'message') return { kind: 'ignore' };
  const from = obj(a.from);
  const fromId = str(from.id);
  if (fromId.startsWith('28:') || (fromId !== '' && fromId === str(obj(a.recipient).id))) return { kind: 'ignore' };
  const aad = str(from.aadObjectId).toLowerCase();
  const userId = GUID.test(aad) ? aad : fromId;
  const context: TeamsReplyTo = { serviceUrl: str(a.serviceUrl), conversationId: str(obj(a.conversation).id), activityId: str(a.id) };
  const value = obj(a.value);
  if ((value.action === 'ack' || value.action === 'resolve' || value.action === 'join') && typeof value.incident === 'string' && /^.{1,100}$/.test(value.incident)) {
    return { kind: 'action', userId, incident: value.incident, action: value.action, channelId: context.conversationId, context };
  }
  if (inChannel(a) && !mentionsBot(a)) {
    const text = messageText(str(a.text));
    if (!text || !context.activityId || !userId) return { kind: 'ignore' };
    return { kind: 'message', channelId: context.conversationId, userId, ...(str(from.name) && { userName: str(from.name) }), messageId: context.activityId, text };
  }
  const text = commandText(str(a.text));
  if (!text) return { kind: 'ignore' };
  return { kind: 'command', channelId: context.conversationId, userId, text, context };
}

/**
 * What a signed activity teaches the bot for its proactive messages (pure): its tenant and service
 * URL; the sender (by Entra object id and Teams user id, with their personal chat's id when the
 * activity is in one); and the channel it came from (`channelData.channel.id`, the conversation's
 * channel, and the team's General channel, whose id is the team's). Nothing without a tenant id or
 * an http(s) service URL.
 */
export function activityRefs(a: Record<string, unknown>, serviceUrl: string): TeamsRef[] {
  const channelData = obj(a.channelData);
  const conversation = obj(a.conversation);
  const tenantId = str(obj(channelData.tenant).id) || str(conversation.tenantId);
  if (!/^[A-Za-z0-9._-]{1,100}$/.test(tenantId) || !/^https?:\/\/[^\s]{1,500}$/.test(serviceUrl)) return [];
  const where = { tenantId, serviceUrl };
  const out: TeamsRef[] = [{ kind: 'tenant', ref: tenantId, ...where }];
  const from = obj(a.from);
  const fromId = str(from.id);
  if (/^29:[^\s]{1,200}$/.test(fromId)) {
    const personal = conversation.conversationType === 'personal' && /^[^\s]{1,300}$/.test(str(conversation.id)) ? str(conversation.id) : null;
    const aad = str(from.aadObjectId).toLowerCase();
    for (const ref of GUID.test(aad) ? [aad, fromId] : [fromId]) out.push({ kind: 'user', ref, ...where, memberId: fromId, ...(personal && { conversationId: personal }) });
  }
  const channels = [str(obj(channelData.channel).id), str(obj(channelData.team).id), str(conversation.id)].filter((c) => TEAMS_CHANNEL.test(c)).map(teamsChannelOf);
  for (const c of new Set(channels)) out.push({ kind: 'channel', ref: c, ...where });
  return out;
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
      const checked = await auth.check(Array.isArray(authorization) ? authorization[0] : authorization, str(activity?.serviceUrl), req.now);
      if (!checked) return { kind: 'refuse', status: 401, body: { error: { code: 'unauthorized', message: 'a valid Bot Connector token is required' } } };
      if (!activity) return { kind: 'reply', status: 400, body: { error: { code: 'invalid', message: 'body: must be a JSON activity' } } };
      // Only a service URL the token itself vouches for is kept for later (proactive) messages.
      if (checked.signedServiceUrl) await client.remember(activityRefs(activity, str(activity.serviceUrl)));
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
    openRoom: (r) => client.createThread(`War room of #${r.incidentNumber} ${r.title}`),
    channelProblem: teamsChannelProblem,
    channelParents: (channel) => (channel.includes(';messageid=') ? [teamsChannelOf(channel)] : []),
  };
}
