/**
 * Mattermost REST API v4 as a bot account (Authorization: Bearer <bot access token>), and the
 * provider of the `mattermost` channel. A destination is a Mattermost user id (a direct message:
 * POST /api/v4/channels/direct with the bot's and the user's ids, then the post) or `#<channel id>`.
 * Errors: Mattermost answers `{id, message, status_code}`; 429 and 5xx are temporary, other 4xx
 * permanent. Requests go through the egress policy. POST /api/v4/posts takes no idempotency key,
 * so a crash between Mattermost's answer and recording it can post twice.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { EgressPolicy } from '../../lib/egress.js';
import { httpRequest, isPermanentHttpStatus, readJson, trimBase } from '../../notify/providers/http.js';
import { ProviderError, type OutgoingMessage, type Provider, type SendResult } from '../../notify/types.js';
import { renderMattermost } from './render.js';

/** Options of {@link MattermostClient}. */
export interface MattermostOptions {
  /** The server's base URL, e.g. https://chat.example.com. */
  baseUrl: string;
  /** The bot account's access token. */
  token: string;
  /** The team war-room channels are created in (none: channels cannot be created, only bridged). */
  teamId?: string;
  /** Key of the buttons' per-action secrets. */
  actionKey: string;
  /** Klaxon's public URL, read at send time (the buttons call it). */
  publicUrl: () => string;
  egress: EgressPolicy;
}

/** The per-action secret of a button: hex HMAC-SHA256 of `mattermost:<action>:<incident id>`. */
export function mattermostActionSecret(key: string, action: string, incidentId: string): string {
  return createHmac('sha256', key).update(`mattermost:${action}:${incidentId}`).digest('hex');
}

/** True when `secret` is the one of (action, incident). Constant time. */
export function checkMattermostActionSecret(key: string, action: string, incidentId: string, secret: string): boolean {
  const want = Buffer.from(mattermostActionSecret(key, action, incidentId));
  const got = Buffer.from(secret);
  return want.length === got.length && timingSafeEqual(want, got);
}

/** The REST client and provider. */
export class MattermostClient implements Provider {
  readonly channel = 'mattermost' as const;
  private readonly base: string;
  private me: Promise<string> | null = null;

  constructor(private readonly opts: MattermostOptions) {
    this.base = trimBase(opts.baseUrl);
  }

  /** The URL the buttons call. */
  actionsUrl(): string {
    return `${this.opts.publicUrl()}/integrations/v1/mattermost/actions`;
  }

  /** Renders and posts a message; providerMessageId is the post id. */
  async send(msg: OutgoingMessage): Promise<SendResult> {
    const post = renderMattermost(msg.message, { url: this.actionsUrl(), secret: (a, id) => mattermostActionSecret(this.opts.actionKey, a, id) });
    const channelId = msg.destination.startsWith('#') ? msg.destination.slice(1) : await this.directChannel(msg.destination);
    const root = msg.message.kind === 'reply' && msg.message.thread ? { root_id: msg.message.thread } : {};
    const res = await this.call('POST', '/api/v4/posts', { channel_id: channelId, message: post.message, props: post.props, ...root });
    return { providerMessageId: typeof res.id === 'string' ? res.id : null, providerStatus: 'posted' };
  }

  /** The bot's own user id (GET /api/v4/users/me, asked once). */
  async botUserId(): Promise<string> {
    this.me ??= this.call('GET', '/api/v4/users/me').then((u) => {
      if (typeof u.id !== 'string') throw new ProviderError('Mattermost users/me: no id', false, 'bad_response');
      return u.id;
    });
    try {
      return await this.me;
    } catch (e) {
      this.me = null;
      throw e;
    }
  }

  /** The direct-message channel between the bot and a user. */
  async directChannel(userId: string): Promise<string> {
    const res = await this.call('POST', '/api/v4/channels/direct', [await this.botUserId(), userId]);
    if (typeof res.id !== 'string') throw new ProviderError('Mattermost channels/direct: no id', false, 'bad_response');
    return res.id;
  }

  /** Creates a public channel in the configured team; its id. */
  async createChannel(name: string, displayName: string): Promise<string> {
    if (!this.opts.teamId) throw new ProviderError('Mattermost: set KLAXON_MATTERMOST_TEAM_ID to create channels', true, 'no_team');
    const res = await this.call('POST', '/api/v4/channels', { team_id: this.opts.teamId, name, display_name: displayName, type: 'O' });
    if (typeof res.id !== 'string') throw new ProviderError('Mattermost channels: no id', false, 'bad_response');
    return res.id;
  }

  /** One API call; the JSON answer or a ProviderError. */
  async call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Record<string, unknown>> {
    const res = await httpRequest(
      `Mattermost ${path}`,
      `${this.base}${path}`,
      {
        method,
        headers: { Authorization: `Bearer ${this.opts.token}`, 'User-Agent': 'Klaxon', ...(body !== undefined && { 'Content-Type': 'application/json' }) },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      },
      { egress: this.opts.egress },
    );
    const json = (await readJson(res)) as Record<string, unknown> | undefined;
    if (!res.ok) {
      const id = typeof json?.id === 'string' ? json.id : `http_${res.status}`;
      const message = typeof json?.message === 'string' ? json.message : '';
      throw new ProviderError(`Mattermost ${path}: HTTP ${res.status}${message ? ` ${message}` : ''}`, isPermanentHttpStatus(res.status), id);
    }
    if (!json || typeof json !== 'object') throw new ProviderError(`Mattermost ${path}: unexpected response`, false, 'bad_response');
    return json;
  }
}
