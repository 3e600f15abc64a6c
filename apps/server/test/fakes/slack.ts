/**
 * Fake Slack for tests: a real HTTP server on 127.0.0.1 (random port) speaking the Web API methods
 * Klaxon uses, plus helpers that build requests Slack would send to Klaxon, signed with the v0 scheme.
 *
 * Web API (give `url` as the provider's baseUrl; JSON or form bodies; Bearer token, or `token` form field):
 *   POST /api/chat.postMessage     {channel, text, blocks}  -> {ok:true, channel, ts, message}
 *   POST /api/chat.update          {channel, ts, text, blocks} -> {ok:true, channel, ts, text}
 *   POST /api/conversations.create {name, is_private}       -> {ok:true, channel:{id:'C...', name, ...}}
 *   POST /api/conversations.join   {channel}                -> {ok:true, channel:{id, ...}}
 *   GET|POST /api/users.lookupByEmail {email}                -> {ok:true, user:{id, name, profile:{email}}}
 *   Like Slack, errors are HTTP 200 `{ok:false, error}`: not_authed (no token), invalid_auth (wrong
 *   token), channel_not_found (only when `channels` was given: unknown ids are then refused; user ids
 *   U.../W... always work as DMs), no_text, name_taken, users_not_found, message_not_found,
 *   unknown_method.
 *
 * Failure behaviour: `failNext(n, error, httpStatus?)` makes the next n authenticated calls fail with
 * `{ok:false, error}`; 'ratelimited' answers HTTP 429 with Retry-After: 1 like Slack, other errors 200
 * unless `httpStatus` says otherwise (e.g. 500 with error 'internal_error').
 *
 * Slack's side of inbound requests (signed with `signingSecret` at the fake's clock):
 *   signedInteraction(payload)  {body: 'payload=<json>' form-encoded, headers} for interactivity
 *   blockActions({...})         a realistic block_actions payload for a button click
 *   signedEvent(event)          {body: JSON, headers} for the Events API; an inner event is wrapped in an
 *                               event_callback envelope, url_verification / event_callback bodies go as is
 *   urlVerification(challenge)  the url_verification body
 *   deliver(url, signed)        POSTs a signed request to Klaxon and returns the answer
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { computeSlackSignature } from '../../src/notify/providers/slack/signature.js';
import { closeServer, listenLocal, parseForm, readBody, RecordLog, sendJson } from './util.js';

/** Options of {@link FakeSlack}. */
export interface FakeSlackOptions {
  /** Bot token the fake accepts (default 'xoxb-fake-token'). */
  token?: string;
  /** Signing secret the helpers sign with (default random). */
  signingSecret?: string;
  /** Clock for request timestamps and message ts (default Date.now). */
  now?: () => number;
  /** Known channels; when given, posting to any other channel id fails with channel_not_found. */
  channels?: { id: string; name: string }[];
  /** Team id (default T0000FAKE). */
  teamId?: string;
  /** App id (default A0000FAKE). */
  appId?: string;
}

/** One Web API call the fake received. */
export interface FakeSlackCall {
  method: string;
  body: Record<string, unknown>;
  /** The answer the fake gave. */
  response: Record<string, unknown>;
  httpStatus: number;
}

/** A message posted with chat.postMessage. */
export interface FakeSlackPost {
  channel: string;
  ts: string;
  text: string;
  blocks: unknown[];
  body: Record<string, unknown>;
}

/** A signed request Slack would send to Klaxon. */
export interface SignedSlackRequest {
  body: string;
  headers: Record<string, string>;
}

/** Fields of a button click for {@link FakeSlack.blockActions}. */
export interface BlockActionInput {
  actionId: string;
  value?: string;
  blockId?: string;
  userId?: string;
  userName?: string;
  channelId?: string;
  messageTs?: string;
  responseUrl?: string;
}

interface SlackChannel {
  id: string;
  name: string;
  isPrivate: boolean;
  members: Set<string>;
}

interface Injected {
  error: string;
  httpStatus: number;
}

const BOT_USER = 'U0000KLAXON';

/** Fake Slack Web API + signed request builder. */
export class FakeSlack {
  /** Bot token accepted. */
  readonly token: string;
  /** Signing secret used by the helpers. */
  readonly signingSecret: string;
  /** Team id in payloads. */
  readonly teamId: string;
  /** App id in payloads. */
  readonly appId: string;
  private readonly now: () => number;
  private readonly strictChannels: boolean;
  private readonly channels = new Map<string, SlackChannel>();
  private readonly users = new Map<string, { id: string; name: string; email: string }>();
  private readonly messages = new Map<string, { channel: string; text: string; blocks: unknown[] }>();
  private readonly callLog = new RecordLog<FakeSlackCall>('FakeSlack calls');
  private readonly postLog = new RecordLog<FakeSlackPost>('FakeSlack posts');
  private readonly injected: Injected[] = [];
  private tsCounter = 0;
  private server: Server | null = null;

  /** Creates the fake; call start() to listen. */
  constructor(opts: FakeSlackOptions = {}) {
    this.token = opts.token ?? 'xoxb-fake-token';
    this.signingSecret = opts.signingSecret ?? randomBytes(16).toString('hex');
    this.now = opts.now ?? Date.now;
    this.teamId = opts.teamId ?? 'T0000FAKE';
    this.appId = opts.appId ?? 'A0000FAKE';
    this.strictChannels = opts.channels !== undefined;
    for (const c of opts.channels ?? []) this.channels.set(c.id, { id: c.id, name: c.name, isPrivate: false, members: new Set() });
  }

  /** Every Web API call, in order. */
  get calls(): FakeSlackCall[] {
    return this.callLog.items;
  }

  /** Every successful chat.postMessage, in order. */
  get posts(): FakeSlackPost[] {
    return this.postLog.items;
  }

  /** Starts listening on 127.0.0.1:0; `url` is the Web API base URL. */
  async start(): Promise<{ url: string }> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { ok: false, error: 'internal_error', detail: String(err) });
        else res.destroy();
      });
    });
    return { url: await listenLocal(this.server) };
  }

  /** Stops the server. */
  async close(): Promise<void> {
    await closeServer(this.server);
    this.server = null;
  }

  /** Makes the next `n` authenticated calls fail with `{ok:false, error}` ('ratelimited' -> HTTP 429 by default). */
  failNext(n: number, error = 'ratelimited', httpStatus?: number): void {
    const status = httpStatus ?? (error === 'ratelimited' ? 429 : 200);
    for (let i = 0; i < n; i++) this.injected.push({ error, httpStatus: status });
  }

  /** Adds a workspace user findable with users.lookupByEmail; returns the user id. */
  addUser(email: string, opts: { id?: string; name?: string } = {}): string {
    const id = opts.id ?? `U${randomBytes(5).toString('hex').toUpperCase()}`;
    this.users.set(email.toLowerCase(), { id, name: opts.name ?? email.split('@')[0] ?? email, email });
    return id;
  }

  /** Resolves with the first chat.postMessage matching `predicate`. */
  waitForPost(predicate: (p: FakeSlackPost) => boolean = () => true, timeoutMs = 5000): Promise<FakeSlackPost> {
    return this.postLog.waitFor(predicate, timeoutMs);
  }

  /** Resolves with the first call of Web API `method` matching `predicate`. */
  waitForCall(method: string, predicate: (c: FakeSlackCall) => boolean = () => true, timeoutMs = 5000): Promise<FakeSlackCall> {
    return this.callLog.waitFor((c) => c.method === method && predicate(c), timeoutMs);
  }

  /** A block_actions payload for a click on button `actionId` (value = incident id for Klaxon's buttons). */
  blockActions(input: BlockActionInput): Record<string, unknown> {
    const channelId = input.channelId ?? 'C0000ONCALL';
    const messageTs = input.messageTs ?? this.nextTs();
    const userId = input.userId ?? 'U0000ADA';
    const nowSec = this.now() / 1000;
    return {
      type: 'block_actions',
      user: { id: userId, username: input.userName ?? 'ada', name: input.userName ?? 'ada', team_id: this.teamId },
      api_app_id: this.appId,
      token: 'fake-verification-token',
      container: { type: 'message', message_ts: messageTs, channel_id: channelId, is_ephemeral: false },
      trigger_id: `${Math.floor(nowSec)}.${randomBytes(4).readUInt32BE()}.${randomBytes(16).toString('hex')}`,
      team: { id: this.teamId, domain: 'fake' },
      enterprise: null,
      is_enterprise_install: false,
      channel: { id: channelId, name: this.channels.get(channelId)?.name ?? 'oncall' },
      message: { type: 'message', user: BOT_USER, ts: messageTs, bot_id: 'B0000KLAXON', text: this.messages.get(`${channelId}:${messageTs}`)?.text ?? '' },
      state: { values: {} },
      response_url: input.responseUrl ?? `https://hooks.slack.com/actions/${this.teamId}/1/${randomBytes(8).toString('hex')}`,
      actions: [
        {
          action_id: input.actionId,
          block_id: input.blockId ?? 'klaxon_incident_actions',
          text: { type: 'plain_text', text: input.actionId, emoji: true },
          value: input.value ?? '',
          type: 'button',
          action_ts: nowSec.toFixed(6),
        },
      ],
    };
  }

  /** Form-encodes `payload=<json>` and signs it as Slack signs interactivity requests. */
  signedInteraction(payload: unknown, opts: { timestampSec?: number; signWith?: string } = {}): SignedSlackRequest {
    const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    return this.sign(body, 'application/x-www-form-urlencoded', opts);
  }

  /** The body of an Events API url_verification request. */
  urlVerification(challenge = randomBytes(16).toString('hex')): Record<string, unknown> {
    return { token: 'fake-verification-token', challenge, type: 'url_verification' };
  }

  /**
   * JSON-encodes and signs an Events API request. A body whose `type` is url_verification or
   * event_callback is sent as is; any other object is treated as the inner event and wrapped in an
   * event_callback envelope.
   */
  signedEvent(event: Record<string, unknown>, opts: { timestampSec?: number; signWith?: string } = {}): SignedSlackRequest {
    const nowSec = Math.floor(this.now() / 1000);
    const envelope =
      event.type === 'url_verification' || event.type === 'event_callback'
        ? event
        : {
            token: 'fake-verification-token',
            team_id: this.teamId,
            api_app_id: this.appId,
            event: { event_ts: `${nowSec}.000100`, ...event },
            type: 'event_callback',
            event_id: `Ev${randomBytes(5).toString('hex').toUpperCase()}`,
            event_time: nowSec,
            authorizations: [{ team_id: this.teamId, user_id: BOT_USER, is_bot: true }],
            is_ext_shared_channel: false,
          };
    return this.sign(JSON.stringify(envelope), 'application/json', opts);
  }

  /** POSTs a signed request to `url`; returns status, body and content type. */
  async deliver(url: string, req: SignedSlackRequest): Promise<{ status: number; body: string; contentType: string }> {
    const res = await fetch(url, { method: 'POST', headers: req.headers, body: req.body });
    return { status: res.status, body: await res.text(), contentType: res.headers.get('content-type') ?? '' };
  }

  private sign(body: string, contentType: string, opts: { timestampSec?: number; signWith?: string }): SignedSlackRequest {
    const ts = opts.timestampSec ?? Math.floor(this.now() / 1000);
    return {
      body,
      headers: {
        'content-type': contentType,
        'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
        'x-slack-request-timestamp': String(ts),
        'x-slack-signature': computeSlackSignature(opts.signWith ?? this.signingSecret, ts, body),
      },
    };
  }

  private nextTs(): string {
    this.tsCounter += 1;
    return `${Math.floor(this.now() / 1000)}.${String(this.tsCounter).padStart(6, '0')}`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const raw = (await readBody(req)).toString('utf8');
    const contentType = String(req.headers['content-type'] ?? '');
    let body: Record<string, unknown> = {};
    if (contentType.includes('application/json')) {
      try {
        body = JSON.parse(raw === '' ? '{}' : raw) as Record<string, unknown>;
      } catch {
        return sendJson(res, 200, { ok: false, error: 'invalid_json' });
      }
    } else {
      body = parseForm(raw);
      for (const key of ['blocks', 'attachments']) {
        if (typeof body[key] === 'string') {
          try {
            body[key] = JSON.parse(body[key] as string) as unknown;
          } catch {
            return sendJson(res, 200, { ok: false, error: 'invalid_blocks_format' });
          }
        }
      }
    }
    for (const [k, v] of url.searchParams) if (!(k in body)) body[k] = v;

    const m = /^\/api\/([\w.]+)$/.exec(url.pathname);
    const method = m?.[1] ?? url.pathname;
    const reply = (response: Record<string, unknown>, httpStatus = 200, headers: Record<string, string> = {}) => {
      this.callLog.push({ method, body, response, httpStatus });
      sendJson(res, httpStatus, response, headers);
    };
    if (!m) return reply({ ok: false, error: 'unknown_method' }, 404);

    const auth = String(req.headers.authorization ?? '');
    const token = /^Bearer\s+(.+)$/i.exec(auth)?.[1] ?? (typeof body.token === 'string' ? body.token : undefined);
    if (!token) return reply({ ok: false, error: 'not_authed' });
    if (token !== this.token) return reply({ ok: false, error: 'invalid_auth' });

    const injected = this.injected.shift();
    if (injected) {
      return reply({ ok: false, error: injected.error }, injected.httpStatus, injected.httpStatus === 429 ? { 'Retry-After': '1' } : {});
    }

    switch (method) {
      case 'chat.postMessage': {
        const channel = typeof body.channel === 'string' ? body.channel : '';
        const text = typeof body.text === 'string' ? body.text : '';
        const blocks = Array.isArray(body.blocks) ? (body.blocks as unknown[]) : [];
        if (!channel) return reply({ ok: false, error: 'channel_not_found' });
        if (!this.channelKnown(channel)) return reply({ ok: false, error: 'channel_not_found' });
        if (!text && blocks.length === 0) return reply({ ok: false, error: 'no_text' });
        // A post to a user id lands in the app's DM with that user: Slack answers with the D... channel.
        const effective = /^[UW]/.test(channel) ? `D${channel.slice(1)}` : channel;
        const ts = this.nextTs();
        this.messages.set(`${effective}:${ts}`, { channel: effective, text, blocks });
        reply({ ok: true, channel: effective, ts, message: { type: 'message', user: BOT_USER, bot_id: 'B0000KLAXON', text, blocks, ts } });
        this.postLog.push({ channel: effective, ts, text, blocks, body });
        return;
      }
      case 'chat.update': {
        const channel = typeof body.channel === 'string' ? body.channel : '';
        const ts = typeof body.ts === 'string' ? body.ts : '';
        const existing = this.messages.get(`${channel}:${ts}`);
        if (!existing) return reply({ ok: false, error: 'message_not_found' });
        if (typeof body.text === 'string') existing.text = body.text;
        if (Array.isArray(body.blocks)) existing.blocks = body.blocks as unknown[];
        return reply({ ok: true, channel, ts, text: existing.text, message: { text: existing.text, blocks: existing.blocks } });
      }
      case 'conversations.create': {
        const name = typeof body.name === 'string' ? body.name : '';
        if (!name) return reply({ ok: false, error: 'invalid_name_required' });
        if (name.length > 80) return reply({ ok: false, error: 'invalid_name_maxlength' });
        if (!/^[a-z0-9_-]+$/.test(name)) return reply({ ok: false, error: 'invalid_name_specials' });
        if ([...this.channels.values()].some((c) => c.name === name)) return reply({ ok: false, error: 'name_taken' });
        const isPrivate = body.is_private === true || body.is_private === 'true';
        const c: SlackChannel = { id: `${isPrivate ? 'G' : 'C'}${randomBytes(5).toString('hex').toUpperCase()}`, name, isPrivate, members: new Set([BOT_USER]) };
        this.channels.set(c.id, c);
        return reply({ ok: true, channel: this.channelJson(c) });
      }
      case 'conversations.join': {
        const id = typeof body.channel === 'string' ? body.channel : '';
        let c = this.channels.get(id);
        if (!c) {
          if (this.strictChannels || !id) return reply({ ok: false, error: 'channel_not_found' });
          c = { id, name: id.toLowerCase(), isPrivate: false, members: new Set() };
          this.channels.set(id, c);
        }
        if (c.isPrivate) return reply({ ok: false, error: 'method_not_supported_for_channel_type' });
        c.members.add(BOT_USER);
        return reply({ ok: true, channel: this.channelJson(c) });
      }
      case 'users.lookupByEmail': {
        const email = typeof body.email === 'string' ? body.email.toLowerCase() : '';
        const u = this.users.get(email);
        if (!u) return reply({ ok: false, error: 'users_not_found' });
        return reply({
          ok: true,
          user: { id: u.id, team_id: this.teamId, name: u.name, real_name: u.name, deleted: false, is_bot: false, profile: { email: u.email, real_name: u.name, display_name: u.name } },
        });
      }
      default:
        return reply({ ok: false, error: 'unknown_method' });
    }
  }

  private channelKnown(id: string): boolean {
    if (/^[UWD]/.test(id)) return true;
    return !this.strictChannels || this.channels.has(id);
  }

  private channelJson(c: SlackChannel): Record<string, unknown> {
    return {
      id: c.id,
      name: c.name,
      is_channel: !c.isPrivate,
      is_group: c.isPrivate,
      is_private: c.isPrivate,
      is_member: c.members.has(BOT_USER),
      is_archived: false,
      created: Math.floor(this.now() / 1000),
      creator: BOT_USER,
    };
  }
}
