/**
 * Discord's HTTP API as a bot (`Authorization: Bot <token>`), and the provider of the `discord`
 * channel. A destination is a Discord user id (a direct message: POST /users/@me/channels with
 * `recipient_id`, then the message) or `#<channel id>` (a channel or a thread). War rooms get a
 * public thread in a configured channel (POST /channels/{id}/threads, type 11). Discord pushes no
 * messages over HTTP (only over its gateway), so bridged threads are read with GET
 * /channels/{id}/messages?after=<id> (`poll`). Errors: 429 and 5xx temporary, other 4xx permanent
 * (`code` of Discord's JSON error as the status). Requests go through the egress policy.
 */
import type { EgressPolicy } from '../../lib/egress.js';
import { httpRequest, isPermanentHttpStatus, readJson, trimBase } from '../../notify/providers/http.js';
import { ProviderError, type OutgoingMessage, type Provider, type SendResult } from '../../notify/types.js';
import type { ChatMessageIn } from '../platform.js';
import { renderDiscord } from './render.js';

/** Discord's epoch (2015-01-01T00:00:00Z) in ms: snowflakes count from it. */
export const DISCORD_EPOCH_MS = 1_420_070_400_000;

/** The smallest snowflake made at `ms`: messages created after `ms` have larger ids. */
export function snowflakeAt(ms: number): string {
  return (BigInt(Math.max(0, Math.floor(ms) - DISCORD_EPOCH_MS)) << 22n).toString();
}

/** Options of {@link DiscordClient}. */
export interface DiscordOptions {
  /** API base, default https://discord.com/api/v10. */
  baseUrl: string;
  token: string;
  /** The channel war-room threads are started in (none: war rooms bridge only to existing channels or threads). */
  warRoomChannelId?: string;
  egress: EgressPolicy;
}

interface DiscordApiMessage {
  id?: unknown;
  type?: unknown;
  content?: unknown;
  author?: { id?: unknown; username?: unknown; bot?: unknown };
  webhook_id?: unknown;
}

/** The REST client and provider. */
export class DiscordClient implements Provider {
  readonly channel = 'discord' as const;
  private readonly base: string;
  private me: Promise<string> | null = null;

  constructor(private readonly opts: DiscordOptions) {
    this.base = trimBase(opts.baseUrl);
  }

  async send(msg: OutgoingMessage): Promise<SendResult> {
    const channelId = msg.destination.startsWith('#') ? msg.destination.slice(1) : await this.directChannel(msg.destination);
    const res = (await this.call('POST', `/channels/${encodeURIComponent(channelId)}/messages`, renderDiscord(msg.message))) as { id?: unknown };
    return { providerMessageId: typeof res.id === 'string' ? res.id : null, providerStatus: 'posted' };
  }

  /** The bot's user id (GET /users/@me, asked once). */
  async botUserId(): Promise<string> {
    this.me ??= this.call('GET', '/users/@me').then((u) => {
      const id = (u as { id?: unknown }).id;
      if (typeof id !== 'string') throw new ProviderError('Discord users/@me: no id', false, 'bad_response');
      return id;
    });
    try {
      return await this.me;
    } catch (e) {
      this.me = null;
      throw e;
    }
  }

  /** The DM channel with a user. */
  async directChannel(userId: string): Promise<string> {
    const res = (await this.call('POST', '/users/@me/channels', { recipient_id: userId })) as { id?: unknown };
    if (typeof res.id !== 'string') throw new ProviderError('Discord create DM: no id', false, 'bad_response');
    return res.id;
  }

  /** Starts a public thread for a war room in the configured channel; its id. */
  async createThread(name: string): Promise<string> {
    if (!this.opts.warRoomChannelId) throw new ProviderError('Discord: set KLAXON_DISCORD_WAR_ROOM_CHANNEL_ID to start war-room threads', true, 'no_channel');
    const res = (await this.call('POST', `/channels/${encodeURIComponent(this.opts.warRoomChannelId)}/threads`, { name: name.slice(0, 100), type: 11, auto_archive_duration: 1440 })) as {
      id?: unknown;
    };
    if (typeof res.id !== 'string') throw new ProviderError('Discord start thread: no id', false, 'bad_response');
    return res.id;
  }

  /** A channel's messages after `cursor` (or after `since` ms), oldest first, without the bot's own or other bots'; the new cursor. */
  async readMessages(channelId: string, cursor: string | null, since: number): Promise<{ messages: ChatMessageIn[]; cursor: string | null }> {
    const after = cursor ?? snowflakeAt(since);
    const list = await this.call('GET', `/channels/${encodeURIComponent(channelId)}/messages?limit=100&after=${after}`);
    if (!Array.isArray(list)) throw new ProviderError('Discord messages: not a list', false, 'bad_response');
    const bot = await this.botUserId();
    const msgs = (list as DiscordApiMessage[]).filter((m) => typeof m.id === 'string' && /^\d{1,20}$/.test(m.id)).sort((a, b) => (BigInt(a.id as string) < BigInt(b.id as string) ? -1 : 1));
    const last = msgs.at(-1);
    const messages = msgs.flatMap((m) => {
      const author = m.author;
      if (!(m.type === 0 || m.type === 19) || m.webhook_id || !author || author.bot === true || typeof author.id !== 'string' || author.id === bot) return [];
      if (typeof m.content !== 'string' || !m.content) return [];
      return [{ channelId, userId: author.id, ...(typeof author.username === 'string' && { userName: author.username }), messageId: m.id as string, text: m.content }];
    });
    return { messages, cursor: last ? (last.id as string) : cursor };
  }

  /** One API call; the JSON answer or a ProviderError. */
  async call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
    const res = await httpRequest(
      `Discord ${path}`,
      `${this.base}${path}`,
      {
        method,
        headers: { Authorization: `Bot ${this.opts.token}`, 'User-Agent': 'DiscordBot (https://github.com/klaxon, 1) Klaxon', ...(body !== undefined && { 'Content-Type': 'application/json' }) },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      },
      { egress: this.opts.egress },
    );
    const json = (await readJson(res)) as Record<string, unknown> | unknown[] | undefined;
    if (!res.ok) {
      const err = json && !Array.isArray(json) ? json : {};
      const code = typeof err.code === 'number' || typeof err.code === 'string' ? String(err.code) : `http_${res.status}`;
      const message = typeof err.message === 'string' ? err.message : '';
      throw new ProviderError(`Discord ${path}: HTTP ${res.status}${message ? ` ${message}` : ''}`, isPermanentHttpStatus(res.status), code);
    }
    if (json === undefined) throw new ProviderError(`Discord ${path}: unexpected response`, false, 'bad_response');
    return json;
  }
}
