/**
 * Mattermost as a chat platform (chat/platform.ts). Inbound:
 * - `actions` (JSON, sent by the Mattermost server when someone presses a button): `context` must
 *   carry the per-action secret of its action and incident (client.ts), else 403 and nothing
 *   changes; `user_id` is the person who pressed it.
 * - `commands` (form, the `/klaxon` slash command): its `token` must be the slash command's token
 *   (KLAXON_MATTERMOST_COMMAND_TOKEN), else 401.
 * - `messages` (an outgoing webhook, JSON or form): its `token` must be the webhook's token
 *   (KLAXON_MATTERMOST_WEBHOOK_TOKEN), else 401; posts by the bot itself are dropped (no echo).
 */
import { timingSafeEqual } from 'node:crypto';
import type { ChatInbound, ChatPlatform, ChatRequest } from '../platform.js';
import { checkMattermostActionSecret, type MattermostClient } from './client.js';
import { mattermostChannelProblem } from '../channel-ids.js';

/** Options of {@link mattermostPlatform}. */
export interface MattermostPlatformOptions {
  actionKey: string;
  /** The slash command's token; without it every command is refused. */
  commandToken?: string;
  /** The outgoing webhook's token; without it every message is refused. */
  webhookToken?: string;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const sameSecret = (want: string | undefined, got: string) => {
  if (!want) return false;
  const a = Buffer.from(want);
  const b = Buffer.from(got);
  return a.length === b.length && timingSafeEqual(a, b);
};

/** The request's fields: JSON object, or form parameters. */
function fields(req: ChatRequest): Record<string, unknown> | null {
  if (/json/i.test(req.contentType)) {
    try {
      const v = JSON.parse(req.rawBody) as unknown;
      return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
    } catch {
      return null;
    }
  }
  return Object.fromEntries(new URLSearchParams(req.rawBody));
}

const bad = (what: string): ChatInbound => ({ kind: 'reply', status: 400, body: { error: { code: 'invalid', message: what } } });

/** Mattermost, built on its client. */
export function mattermostPlatform(client: MattermostClient, o: MattermostPlatformOptions): ChatPlatform {
  return {
    name: 'mattermost',
    label: 'Mattermost',
    commandPrefix: '/klaxon',
    provider: client,
    endpoints: [{ path: 'actions' }, { path: 'commands' }, { path: 'messages' }],
    async inbound(path, req) {
      const f = fields(req);
      if (path === 'actions') {
        if (!f) return bad('body: must be a JSON object (a Mattermost integration action request)');
        const ctx = (f.context && typeof f.context === 'object' ? f.context : {}) as Record<string, unknown>;
        const action = ctx.action === 'ack' || ctx.action === 'resolve' || ctx.action === 'join' ? ctx.action : null;
        const incident = str(ctx.incident);
        if (!action || !incident || !checkMattermostActionSecret(o.actionKey, action, incident, str(ctx.secret))) {
          return { kind: 'refuse', status: 403, body: { ephemeral_text: 'This button was not made by Klaxon: nothing was changed.' } };
        }
        return { kind: 'action', userId: str(f.user_id), incident, action };
      }
      if (!f) return bad('body: must be form-encoded or a JSON object');
      if (!sameSecret(path === 'commands' ? o.commandToken : o.webhookToken, str(f.token))) {
        return { kind: 'refuse', status: 401, body: { error: { code: 'unauthorized', message: 'bad or missing Mattermost token' } } };
      }
      if (path === 'commands') return { kind: 'command', channelId: str(f.channel_id), userId: str(f.user_id), text: str(f.text) };
      const userId = str(f.user_id);
      if (!userId || userId === (await client.botUserId())) return { kind: 'ignore' };
      return { kind: 'message', channelId: str(f.channel_id), userId, userName: str(f.user_name) || undefined, messageId: str(f.post_id), text: str(f.text) };
    },
    answer(kind, text) {
      if (kind === 'action') return { status: 200, body: { ephemeral_text: text } };
      if (kind === 'command') return { status: 200, body: { response_type: 'ephemeral', text } };
      return { status: 200, body: {} };
    },
    async openRoom(r) {
      return client.createChannel(r.name, `#${r.incidentNumber} ${r.title}`.slice(0, 64));
    },
    channelProblem: mattermostChannelProblem,
  };
}
