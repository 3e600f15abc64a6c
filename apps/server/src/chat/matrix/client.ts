/**
 * The Matrix client-server API (any homeserver) as a bot user with an access token
 * (`Authorization: Bearer`), and the provider of the `matrix` channel. A destination is a Matrix
 * user id `@name:server` (a direct room, created once with `is_direct` and the user invited, then
 * reused while the process runs) or `#<room id>` (`#!abc:server`). Events are sent with
 * PUT /rooms/{room}/send/m.room.message/{txnId}, the outbox id as the transaction id, so a resend
 * after a crash is deduplicated by the homeserver. War rooms are rooms created with their members
 * invited. Everything that comes back is read with /sync (`timeout=0`, driven by the engine): the
 * bot's own events are dropped, invitations are accepted, and events from before the process
 * started reading are ignored. Errors: Matrix's `{errcode, error}`; 429 and 5xx temporary.
 */
import type { EgressPolicy } from '../../lib/egress.js';
import { httpRequest, isPermanentHttpStatus, readJson, trimBase } from '../../notify/providers/http.js';
import { ProviderError, type OutgoingMessage, type Provider, type SendResult } from '../../notify/types.js';
import type { ChatInbound } from '../platform.js';
import { QUICK_ACK_KEYS, renderMatrix } from './render.js';

export interface MatrixOptions {
  homeserverUrl: string;
  accessToken: string;
  egress: EgressPolicy;
  /** The injected clock (ms): events older than the first read are ignored. */
  now: () => number;
}

interface MatrixEvent {
  type?: unknown;
  sender?: unknown;
  event_id?: unknown;
  origin_server_ts?: unknown;
  content?: Record<string, unknown>;
}

const enc = encodeURIComponent;
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

export class MatrixClient implements Provider {
  readonly channel = 'matrix' as const;
  private readonly base: string;
  private me: Promise<string> | null = null;
  private readonly dms = new Map<string, string>();
  private since: string | null = null;
  private readonly startedAt: number;

  constructor(private readonly opts: MatrixOptions) {
    this.base = trimBase(opts.homeserverUrl);
    this.startedAt = opts.now();
  }

  async send(msg: OutgoingMessage): Promise<SendResult> {
    const room = msg.destination.startsWith('#') ? msg.destination.slice(1) : await this.directRoom(msg.destination);
    const res = await this.call('PUT', `/_matrix/client/v3/rooms/${enc(room)}/send/m.room.message/${enc(msg.id)}`, renderMatrix(msg.message));
    return { providerMessageId: typeof res.event_id === 'string' ? res.event_id : null, providerStatus: 'sent' };
  }

  /** Sends a plain notice (a command's answer). */
  async notice(roomId: string, text: string, txnId: string): Promise<void> {
    await this.call('PUT', `/_matrix/client/v3/rooms/${enc(roomId)}/send/m.room.message/${enc(txnId)}`, { msgtype: 'm.notice', body: text, 'm.mentions': {} });
  }

  /** The bot's user id (whoami, asked once). */
  async botUserId(): Promise<string> {
    this.me ??= this.call('GET', '/_matrix/client/v3/account/whoami').then((r) => {
      if (typeof r.user_id !== 'string') throw new ProviderError('Matrix whoami: no user_id', false, 'bad_response');
      return r.user_id;
    });
    try {
      return await this.me;
    } catch (e) {
      this.me = null;
      throw e;
    }
  }

  /** The direct room with a user (created once per process). */
  async directRoom(userId: string): Promise<string> {
    const known = this.dms.get(userId);
    if (known) return known;
    const r = await this.call('POST', '/_matrix/client/v3/createRoom', { is_direct: true, invite: [userId], preset: 'trusted_private_chat', name: 'Klaxon' });
    if (typeof r.room_id !== 'string') throw new ProviderError('Matrix createRoom: no room_id', false, 'bad_response');
    this.dms.set(userId, r.room_id);
    return r.room_id;
  }

  /** A private room for a war room, its members invited; the room id. */
  async createRoom(name: string, topic: string, invite: string[]): Promise<string> {
    const r = await this.call('POST', '/_matrix/client/v3/createRoom', { name, topic, preset: 'private_chat', invite });
    if (typeof r.room_id !== 'string') throw new ProviderError('Matrix createRoom: no room_id', false, 'bad_response');
    return r.room_id;
  }

  /**
   * One /sync since the last: messages (a `!command` as a command), 👍 reactions to Klaxon's pages
   * as acknowledgements; invitations accepted. Not the bot's own events, nor events older than the first read.
   */
  async sync(): Promise<ChatInbound[]> {
    const me = await this.botUserId();
    const filter = JSON.stringify({ room: { timeline: { limit: 100 } }, presence: { not_types: ['*'] }, account_data: { not_types: ['*'] } });
    const r = await this.call('GET', `/_matrix/client/v3/sync?timeout=0&filter=${enc(filter)}${this.since ? `&since=${enc(this.since)}` : ''}`);
    if (typeof r.next_batch !== 'string') throw new ProviderError('Matrix sync: no next_batch', false, 'bad_response');
    const rooms = (r.rooms ?? {}) as { join?: Record<string, { timeline?: { events?: MatrixEvent[] } }>; invite?: Record<string, unknown> };
    for (const roomId of Object.keys(rooms.invite ?? {})) await this.call('POST', `/_matrix/client/v3/join/${enc(roomId)}`, {}).catch(() => undefined);
    const out: ChatInbound[] = [];
    for (const [roomId, room] of Object.entries(rooms.join ?? {})) {
      for (const e of room?.timeline?.events ?? []) {
        const sender = str(e.sender);
        if (!sender || sender === me || typeof e.origin_server_ts !== 'number' || e.origin_server_ts < this.startedAt) continue;
        const c = e.content ?? {};
        if (e.type === 'm.room.message' && (c.msgtype === 'm.text' || c.msgtype === 'm.emote') && str(c.body)) {
          const body = str(c.body).trim();
          if (body.startsWith('!')) out.push({ kind: 'command', channelId: roomId, userId: sender, text: body.slice(1) });
          else out.push({ kind: 'message', channelId: roomId, userId: sender, messageId: str(e.event_id), text: body });
        } else if (e.type === 'm.reaction') {
          const rel = (c['m.relates_to'] ?? {}) as Record<string, unknown>;
          if (rel.rel_type !== 'm.annotation' || !QUICK_ACK_KEYS.has(str(rel.key)) || !str(rel.event_id)) continue;
          const target = await this.call('GET', `/_matrix/client/v3/rooms/${enc(roomId)}/event/${enc(str(rel.event_id))}`).catch(() => null);
          const incident = str((target?.content as Record<string, unknown> | undefined)?.['org.klaxon.incident']);
          // Only Klaxon's own pages: anyone can write that field into a message of theirs.
          if (target?.sender === me && incident) out.push({ kind: 'action', userId: sender, incident, action: 'ack', channelId: roomId });
        }
      }
    }
    this.since = r.next_batch;
    return out;
  }

  async call(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<Record<string, unknown>> {
    const res = await httpRequest(
      `Matrix ${path.split('?')[0]}`,
      `${this.base}${path}`,
      {
        method,
        headers: { Authorization: `Bearer ${this.opts.accessToken}`, 'User-Agent': 'Klaxon', ...(body !== undefined && { 'Content-Type': 'application/json' }) },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      },
      { egress: this.opts.egress },
    );
    const json = (await readJson(res)) as Record<string, unknown> | undefined;
    if (!res.ok) {
      const code = typeof json?.errcode === 'string' ? json.errcode : `http_${res.status}`;
      throw new ProviderError(`Matrix ${path.split('?')[0]}: HTTP ${res.status}${typeof json?.error === 'string' ? ` ${json.error}` : ''}`, isPermanentHttpStatus(res.status), code);
    }
    if (!json || typeof json !== 'object' || Array.isArray(json)) throw new ProviderError(`Matrix ${path.split('?')[0]}: unexpected response`, false, 'bad_response');
    return json;
  }
}
