/**
 * A fake Discord, written from Discord's developer documentation:
 * - HTTP API v10 (`Authorization: Bot <token>`): GET /users/@me; POST /users/@me/channels
 *   `{recipient_id}` (the DM channel, type 1); POST /channels/{id}/messages (`content`, `embeds`,
 *   `components`, `allowed_mentions`; 200 with the message); POST /channels/{id}/threads (`name`,
 *   `type` 11 = public thread, 201 with the thread channel); GET /channels/{id}/messages
 *   `?after=<snowflake>&limit=<n>` (newest first). Errors are `{message, code}` (10003 Unknown
 *   Channel, 0 for 401 Unauthorized).
 * - Ids are snowflakes: milliseconds since 2015-01-01 shifted left 22 bits, plus a counter.
 * - Interactions: Discord POSTs JSON to the Interactions Endpoint URL with `X-Signature-Ed25519`
 *   (hex Ed25519 signature of timestamp + body) and `X-Signature-Timestamp` (unix seconds). Type 1
 *   PING (answer `{type: 1}`), 2 APPLICATION_COMMAND (`data.name`, `data.options`), 3
 *   MESSAGE_COMPONENT (`data.custom_id`, `data.component_type` 2 for a button, `message`); `member.user`
 *   in a guild, `user` in a DM. The key pair is generated here; `publicKeyHex` is what the
 *   application page shows.
 */
import { createServer, type Server } from 'node:http';
import { generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { closeServer, listenLocal, readBody, RecordLog, sendJson } from '../util.js';
import { must } from '../../../src/lib/must.js';

const EPOCH = 1_420_070_400_000n;

export interface FakeDiscordUser {
  id: string;
  username: string;
  bot?: boolean;
}

export interface FakeDiscordMessage {
  id: string;
  channel_id: string;
  type: number;
  author: FakeDiscordUser;
  content: string;
  embeds: any[];
  components: any[];
  allowed_mentions?: unknown;
}

export interface FakeDiscordChannel {
  id: string;
  type: number;
  name?: string;
  parent_id?: string;
  recipients?: FakeDiscordUser[];
}

interface Answer {
  status: number;
  body: any;
}

export class FakeDiscord {
  readonly token = `discord-bot-${randomBytes(8).toString('hex')}`;
  readonly keys: { publicKey: KeyObject; privateKey: KeyObject } = generateKeyPairSync('ed25519');
  readonly publicKeyHex = this.keys.publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('hex');
  readonly messages = new RecordLog<FakeDiscordMessage>('discord messages');
  readonly channels = new Map<string, FakeDiscordChannel>();
  readonly users = new Map<string, FakeDiscordUser>();
  readonly bot: FakeDiscordUser;
  readonly guildId: string;
  private seq = 0n;
  private server: Server | null = null;

  /** `now` gives the time snowflakes are made at (the test's clock). */
  constructor(private readonly now: () => number = Date.now) {
    this.bot = { id: this.snowflake(), username: 'Klaxon', bot: true };
    this.users.set(this.bot.id, this.bot);
    this.guildId = this.snowflake();
  }

  /** A new snowflake at the clock's now. */
  snowflake(): string {
    this.seq = (this.seq + 1n) % 4096n;
    return (((BigInt(Math.floor(this.now())) - EPOCH) << 22n) | this.seq).toString();
  }

  addUser(username: string): FakeDiscordUser {
    const u = { id: this.snowflake(), username };
    this.users.set(u.id, u);
    return u;
  }

  addChannel(name: string): FakeDiscordChannel {
    const c = { id: this.snowflake(), type: 0, name };
    this.channels.set(c.id, c);
    return c;
  }

  async start(): Promise<{ url: string }> {
    this.server = createServer((req, res) => {
      void readBody(req).then((raw) => {
        const a = this.handle(req.method ?? 'GET', req.url ?? '/', String(req.headers.authorization ?? ''), raw.toString('utf8'));
        sendJson(res, a.status, a.body);
      });
    });
    return { url: await listenLocal(this.server) };
  }

  async close(): Promise<void> {
    await closeServer(this.server);
  }

  private handle(method: string, url: string, auth: string, raw: string): Answer {
    if (auth !== `Bot ${this.token}`) return { status: 401, body: { message: '401: Unauthorized', code: 0 } };
    let body: any;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      return { status: 400, body: { message: 'The request body contains invalid JSON.', code: 50109 } };
    }
    const u = new URL(url, 'http://discord.test');
    const path = u.pathname.replace(/^\/api\/v10/, '');
    if (method === 'GET' && path === '/users/@me') return { status: 200, body: this.bot };
    if (method === 'POST' && path === '/users/@me/channels') {
      const user = this.users.get(String(body?.recipient_id));
      if (!user) return { status: 400, body: { message: 'Invalid Form Body', code: 50035 } };
      const existing = [...this.channels.values()].find((c) => c.type === 1 && c.recipients?.[0]?.id === user.id);
      if (existing) return { status: 200, body: existing };
      const c: FakeDiscordChannel = { id: this.snowflake(), type: 1, recipients: [user] };
      this.channels.set(c.id, c);
      return { status: 200, body: c };
    }
    const m = /^\/channels\/(\d+)\/(messages|threads)$/.exec(path);
    if (!m) return { status: 404, body: { message: '404: Not Found', code: 0 } };
    const channel = this.channels.get(must(m[1], 'm[1]'));
    if (!channel) return { status: 404, body: { message: 'Unknown Channel', code: 10003 } };
    if (method === 'POST' && m[2] === 'messages') {
      if (typeof body?.content !== 'string' || body.content.length > 2000) return { status: 400, body: { message: 'Invalid Form Body', code: 50035 } };
      const msg: FakeDiscordMessage = {
        id: this.snowflake(),
        channel_id: channel.id,
        type: 0,
        author: this.bot,
        content: body.content,
        embeds: body.embeds ?? [],
        components: body.components ?? [],
        allowed_mentions: body.allowed_mentions,
      };
      this.messages.push(msg);
      return { status: 200, body: msg };
    }
    if (method === 'POST' && m[2] === 'threads') {
      if (typeof body?.name !== 'string' || !body.name || body.name.length > 100) return { status: 400, body: { message: 'Invalid Form Body', code: 50035 } };
      const t: FakeDiscordChannel = { id: this.snowflake(), type: body.type ?? 11, name: body.name, parent_id: channel.id };
      this.channels.set(t.id, t);
      return { status: 201, body: t };
    }
    if (method === 'GET' && m[2] === 'messages') {
      const after = BigInt(u.searchParams.get('after') ?? '0');
      const limit = Math.min(100, Number(u.searchParams.get('limit') ?? 50));
      const list = this.messages.items
        .filter((x) => x.channel_id === channel.id && BigInt(x.id) > after)
        .sort((a, b) => (BigInt(a.id) > BigInt(b.id) ? -1 : 1))
        .slice(0, limit);
      return { status: 200, body: list };
    }
    return { status: 405, body: { message: '405: Method Not Allowed', code: 0 } };
  }

  waitForMessage(predicate: (m: FakeDiscordMessage) => boolean = () => true): Promise<FakeDiscordMessage> {
    return this.messages.waitFor(predicate);
  }

  /** `user` writes in a channel or thread. */
  say(user: FakeDiscordUser, channelId: string, content: string): FakeDiscordMessage {
    const msg: FakeDiscordMessage = { id: this.snowflake(), channel_id: channelId, type: 0, author: user, content, embeds: [], components: [] };
    this.messages.push(msg);
    return msg;
  }

  /** Signs and POSTs an interaction as Discord does; `signWith` another key forges it, `timestampSec` makes it stale. */
  async interact(url: string, interaction: Record<string, unknown>, o: { timestampSec?: number; signWith?: KeyObject } = {}): Promise<Answer> {
    const body = JSON.stringify({ application_id: this.bot.id, token: randomBytes(16).toString('hex'), version: 1, id: this.snowflake(), ...interaction });
    const ts = String(o.timestampSec ?? Math.floor(this.now() / 1000));
    const signature = sign(null, Buffer.from(ts + body), o.signWith ?? this.keys.privateKey).toString('hex');
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-signature-ed25519': signature, 'x-signature-timestamp': ts }, body });
    return { status: res.status, body: await res.json().catch(() => null) };
  }

  /** A button pressed by `user` on a message (type 3, in a guild channel or a DM). */
  press(url: string, message: FakeDiscordMessage, customId: string, user: FakeDiscordUser, o: { timestampSec?: number; signWith?: KeyObject } = {}): Promise<Answer> {
    const dm = this.channels.get(message.channel_id)?.type === 1;
    return this.interact(
      url,
      {
        type: 3,
        channel_id: message.channel_id,
        ...(dm ? { user } : { guild_id: this.guildId, member: { user, roles: [] } }),
        message,
        data: { custom_id: customId, component_type: 2 },
      },
      o,
    );
  }

  /** `/klaxon command:<text>` run by `user` in a guild channel (type 2). */
  slash(url: string, user: FakeDiscordUser, channelId: string, text: string, o: { timestampSec?: number; signWith?: KeyObject } = {}): Promise<Answer> {
    return this.interact(
      url,
      {
        type: 2,
        channel_id: channelId,
        guild_id: this.guildId,
        member: { user, roles: [] },
        data: { id: this.snowflake(), name: 'klaxon', type: 1, options: [{ name: 'command', type: 3, value: text }] },
      },
      o,
    );
  }
}
