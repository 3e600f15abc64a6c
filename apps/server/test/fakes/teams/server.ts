/**
 * A fake Microsoft Teams, written from Microsoft's documentation:
 * - Workflows: a flow "When a Teams webhook request is received" has an HTTP URL; POSTing a message
 *   activity `{type: "message", attachments: [{contentType: "application/vnd.microsoft.card.adaptive",
 *   content: <AdaptiveCard>}]}` to it posts the card (Workflows support Adaptive Cards only) and
 *   answers 202 Accepted. Anything else is 400 here.
 * - Bot Connector authentication ("Authentication with the Bot Connector API"): the OpenID metadata
 *   document (`issuer`, `jwks_uri`, `id_token_signing_alg_values_supported: ["RS256"]`), the JWKS it
 *   points to, and activities POSTed to the bot with `Authorization: Bearer <JWT>` signed RS256 by a
 *   key of that set (a key pair generated here with jose), `iss` https://api.botframework.com, `aud`
 *   the bot's app id, `exp`/`nbf`, and `serviceurl` (the activity's serviceUrl).
 * - The bot's token: POST /botframework.com/oauth2/v2.0/token, form `grant_type=client_credentials`,
 *   `client_id`, `client_secret`, `scope=https://api.botframework.com/.default`; answers
 *   `{token_type: "Bearer", expires_in, ext_expires_in, access_token}` (400 `invalid_client` otherwise).
 * - Bot Connector replies: POST {serviceUrl}/v3/conversations/{conversationId}/activities/{activityId}
 *   with that bearer token and an Activity; answers 200 `{id}` (401 without a valid token).
 * - Create Conversation (Connector API reference; Teams "Proactive messages"): POST
 *   {serviceUrl}/v3/conversations with ConversationParameters. A 1:1 chat (`isGroup` false) needs
 *   `bot`, one member (`members: [{id}]`, the user's Teams id `29:...` or Entra object id) and the
 *   tenant (`tenantId` or `channelData.tenant.id`); the user must have the app (here: a user of this
 *   fake), else 403. The same user always gets the same chat; answers 201 `{id}`. A new thread in a
 *   channel (`isGroup` true, `channelData.channel.id`, the first `activity`): answers 201 `{id:
 *   "<channel>;messageid=<n>", activityId: "<n>"}`. A bot cannot create a channel or a group chat.
 * - Send to Conversation: POST {serviceUrl}/v3/conversations/{conversationId}/activities with an
 *   Activity; answers 201 `{id}` (404 for a conversation this fake does not know).
 * - Teams does not send a bot its own messages; a channel message reaches the bot when it is
 *   @mentioned (an `entities` mention of the bot, `<at>` in the text) or, with the RSC permission
 *   ChannelMessage.Read.Group, every message; a channel post's conversation id is
 *   `<channel id>;messageid=<root post id>`; `conversationUpdate` tells the bot it was installed.
 * - Activities a user's actions make: a message with `text` (a channel @mention is `<at>Klaxon</at>`
 *   in the text) or, for an Adaptive Card Action.Submit, with `value` = the action's `data`; `from`
 *   carries `id` (29:...) and `aadObjectId`.
 */
import { createServer, type Server } from 'node:http';
import { randomBytes, randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { closeServer, listenLocal, parseForm, readBody, RecordLog, sendJson } from '../util.js';
import { must } from '../../../src/lib/must.js';

export interface FakeTeamsUser {
  id: string;
  aadObjectId: string;
  name: string;
}

export interface FakeWorkflowPost {
  flow: string;
  body: any;
}

export interface FakeBotReply {
  conversationId: string;
  replyTo: string;
  activity: any;
}

export interface FakeBotPost {
  conversationId: string;
  activity: any;
}

export interface FakeConversationCreated {
  params: any;
  id: string;
}

export class FakeTeams {
  readonly tenantId = 'tenant-1';
  /** Activities the bot sent to a conversation (not replies). */
  readonly posts = new RecordLog<FakeBotPost>('teams bot posts');
  readonly created = new RecordLog<FakeConversationCreated>('teams conversations created');
  private readonly users: FakeTeamsUser[] = [];
  private readonly threads = new Set<string>();
  private seq = 1000;
  readonly appId = randomUUID();
  readonly appPassword = `pw-${randomBytes(8).toString('hex')}`;
  readonly kid = `kid-${randomBytes(4).toString('hex')}`;
  readonly workflowPosts = new RecordLog<FakeWorkflowPost>('teams workflow posts');
  readonly replies = new RecordLog<FakeBotReply>('teams bot replies');
  private readonly tokens = new Set<string>();
  private keys!: { privateKey: CryptoKey; jwk: JWK };
  private server: Server | null = null;
  url = '';

  /** `now` is the test's clock (tokens are issued at its time). */
  constructor(private readonly now: () => number = Date.now) {}

  get openIdMetadataUrl(): string {
    return `${this.url}/v1/.well-known/openidconfiguration`;
  }
  get tokenUrl(): string {
    return `${this.url}/botframework.com/oauth2/v2.0/token`;
  }
  /** The serviceUrl activities carry (the Bot Connector of this fake). */
  get serviceUrl(): string {
    return `${this.url}/amer/`;
  }
  workflowUrl(flow: string): string {
    return `${this.url}/workflows/${flow}/triggers/manual/paths/invoke?api-version=1&sig=${randomBytes(6).toString('hex')}`;
  }

  async start(): Promise<{ url: string }> {
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    this.keys = { privateKey, jwk: { ...(await exportJWK(publicKey)), kid: this.kid, use: 'sig', alg: 'RS256' } };
    this.server = createServer((req, res) => {
      void readBody(req).then((raw) => {
        const a = this.handle(req.method ?? 'GET', req.url ?? '/', String(req.headers.authorization ?? ''), raw.toString('utf8'));
        sendJson(res, a.status, a.body);
      });
    });
    this.url = await listenLocal(this.server);
    return { url: this.url };
  }

  async close(): Promise<void> {
    await closeServer(this.server);
  }

  addUser(name: string): FakeTeamsUser {
    const u = { id: `29:1${randomBytes(12).toString('base64url')}`, aadObjectId: randomUUID(), name };
    this.users.push(u);
    return u;
  }

  private readonly chatEpoch = new Map<string, number>();

  /** A user's 1:1 chat with the bot. */
  personalChat(user: FakeTeamsUser): string {
    return `a:1${user.id.slice(4)}${this.chatEpoch.has(user.id) ? `-${this.chatEpoch.get(user.id)}` : ''}`;
  }

  /** The app removed and added again for a user: their old 1:1 chat is gone (404), a new one is made. */
  reinstall(user: FakeTeamsUser): void {
    this.chatEpoch.set(user.id, (this.chatEpoch.get(user.id) ?? 0) + 1);
  }

  /** A new channel id (`19:...@thread.tacv2`). */
  addChannel(): string {
    return `19:${randomBytes(16).toString('hex')}@thread.tacv2`;
  }

  /** A thread (top-level post) of a channel someone started: its conversation id. */
  addThread(channel: string): string {
    const id = `${channel};messageid=${++this.seq}`;
    this.threads.add(id);
    return id;
  }

  private handle(method: string, url: string, auth: string, raw: string): { status: number; body: any } {
    const u = new URL(url, 'http://teams.test');
    if (method === 'GET' && u.pathname === '/v1/.well-known/openidconfiguration') {
      return {
        status: 200,
        body: {
          issuer: 'https://api.botframework.com',
          authorization_endpoint: 'https://invalid.botframework.com',
          jwks_uri: `${this.url}/v1/.well-known/keys`,
          id_token_signing_alg_values_supported: ['RS256'],
          token_endpoint_auth_methods_supported: ['private_key_jwt'],
        },
      };
    }
    if (method === 'GET' && u.pathname === '/v1/.well-known/keys') return { status: 200, body: { keys: [{ ...this.keys.jwk, endorsements: ['msteams'] }] } };
    if (method === 'POST' && u.pathname.startsWith('/workflows/')) {
      let body: any;
      try {
        body = JSON.parse(raw);
      } catch {
        return { status: 400, body: { error: { code: 'InvalidRequestContent', message: 'The request content is not valid JSON.' } } };
      }
      const att = body?.attachments?.[0];
      if (body?.type !== 'message' || att?.contentType !== 'application/vnd.microsoft.card.adaptive' || att?.content?.type !== 'AdaptiveCard') {
        return { status: 400, body: { error: { code: 'InvalidRequestContent', message: 'Workflows support Adaptive Cards only.' } } };
      }
      this.workflowPosts.push({ flow: must(u.pathname.split('/')[2], "u.pathname.split('/')[2]"), body });
      return { status: 202, body: {} };
    }
    if (method === 'POST' && u.pathname === '/botframework.com/oauth2/v2.0/token') {
      const f = parseForm(raw);
      if (f.grant_type !== 'client_credentials' || f.scope !== 'https://api.botframework.com/.default') return { status: 400, body: { error: 'invalid_request' } };
      if (f.client_id !== this.appId || f.client_secret !== this.appPassword) return { status: 401, body: { error: 'invalid_client' } };
      const token = `bf-${randomBytes(12).toString('hex')}`;
      this.tokens.add(token);
      return { status: 200, body: { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: token } };
    }
    const authorized = this.tokens.has(auth.replace(/^Bearer /, ''));
    const denied = { status: 401, body: { error: { code: 'Unauthorized', message: 'Authorization has been denied for this request.' } } };
    if (method === 'POST' && u.pathname === '/amer/v3/conversations') {
      if (!authorized) return denied;
      let p: any;
      try {
        p = JSON.parse(raw);
      } catch {
        return { status: 400, body: { error: { code: 'BadSyntax', message: 'invalid JSON' } } };
      }
      const tenant = p?.tenantId ?? p?.channelData?.tenant?.id;
      if (typeof p?.bot?.id !== 'string' || !String(p.bot.id).includes(this.appId)) return { status: 400, body: { error: { code: 'BadArgument', message: 'bot: required' } } };
      if (p.isGroup === true) {
        const channel = p?.channelData?.channel?.id;
        if (typeof channel !== 'string' || !/^19:.+@thread\.(tacv2|skype)$/.test(channel) || p.activity?.type !== 'message') {
          return { status: 400, body: { error: { code: 'BadArgument', message: 'a channel thread needs channelData.channel.id and an activity' } } };
        }
        const activityId = String(++this.seq);
        const id = `${channel};messageid=${activityId}`;
        this.threads.add(id);
        this.created.push({ params: p, id });
        this.posts.push({ conversationId: id, activity: p.activity });
        return { status: 201, body: { id, activityId } };
      }
      if (tenant !== this.tenantId) return { status: 400, body: { error: { code: 'BadArgument', message: 'tenantId: required' } } };
      const member = Array.isArray(p.members) && p.members.length === 1 ? String(p.members[0]?.id ?? '') : '';
      const user = this.users.find((x) => x.id === member || x.aadObjectId === member);
      if (!user) return { status: 403, body: { error: { code: 'Forbidden', message: 'The bot is not part of the conversation roster.' } } };
      const id = this.personalChat(user);
      this.created.push({ params: p, id });
      return { status: 201, body: { id } };
    }
    const send = /^\/amer\/v3\/conversations\/([^/]+)\/activities$/.exec(u.pathname);
    if (method === 'POST' && send) {
      if (!authorized) return denied;
      const conversationId = decodeURIComponent(send[1] ?? '');
      const known = this.users.some((x) => this.personalChat(x) === conversationId) || this.threads.has(conversationId) || /^19:[^;]+@thread\.(tacv2|skype)$/.test(conversationId);
      if (!known) return { status: 404, body: { error: { code: 'ConversationNotFound', message: 'Conversation not found.' } } };
      let activity: any;
      try {
        activity = JSON.parse(raw);
      } catch {
        return { status: 400, body: { error: { code: 'BadSyntax', message: 'invalid JSON' } } };
      }
      const id = String(++this.seq);
      this.posts.push({ conversationId, activity });
      return { status: 201, body: { id } };
    }
    const m = /^\/amer\/v3\/conversations\/([^/]+)\/activities\/([^/]+)$/.exec(u.pathname);
    if (method === 'POST' && m) {
      if (!authorized) return denied;
      let activity: any;
      try {
        activity = JSON.parse(raw);
      } catch {
        return { status: 400, body: { error: { code: 'BadSyntax', message: 'invalid JSON' } } };
      }
      this.replies.push({ conversationId: decodeURIComponent(must(m[1], 'm[1]')), replyTo: decodeURIComponent(must(m[2], 'm[2]')), activity });
      return { status: 200, body: { id: `1:${randomBytes(6).toString('hex')}` } };
    }
    return { status: 404, body: { error: { code: 'NotFound', message: `${method} ${u.pathname}` } } };
  }

  /** A Bot Connector token; `over` changes claims or the key (a forger's) or the header's kid. */
  async token(serviceUrl: string, over: { aud?: string; iss?: string; expSec?: number; serviceUrl?: string; key?: CryptoKey } = {}): Promise<string> {
    const now = Math.floor(this.now() / 1000);
    return new SignJWT({ serviceurl: over.serviceUrl ?? serviceUrl })
      .setProtectedHeader({ alg: 'RS256', kid: this.kid, typ: 'JWT' })
      .setIssuer(over.iss ?? 'https://api.botframework.com')
      .setAudience(over.aud ?? this.appId)
      .setIssuedAt(now - 60)
      .setNotBefore(now - 60)
      .setExpirationTime(over.expSec ?? now + 3600)
      .sign(over.key ?? this.keys.privateKey);
  }

  /** An activity as the Bot Connector sends it for `user` in a conversation. */
  activity(user: FakeTeamsUser, conversationId: string, fields: { text?: string; value?: unknown }): any {
    return {
      type: 'message',
      id: `${Date.now()}${randomBytes(2).toString('hex')}`,
      timestamp: new Date(this.now()).toISOString(),
      serviceUrl: this.serviceUrl,
      channelId: 'msteams',
      from: { id: user.id, name: user.name, aadObjectId: user.aadObjectId },
      conversation: { id: conversationId, conversationType: 'channel', tenantId: 'tenant-1' },
      recipient: { id: `28:${this.appId}`, name: 'Klaxon' },
      ...(fields.text !== undefined && { text: fields.text, textFormat: 'plain' }),
      ...(fields.value !== undefined && { value: fields.value }),
      channelData: { tenant: { id: 'tenant-1' } },
    };
  }

  /** The activity Teams sends when the app is installed in a team (`from`: who installed it, in the team's General channel). */
  installedInTeam(user: FakeTeamsUser, channel: string): any {
    return {
      type: 'conversationUpdate',
      id: `f:${randomBytes(6).toString('hex')}`,
      timestamp: new Date(this.now()).toISOString(),
      serviceUrl: this.serviceUrl,
      channelId: 'msteams',
      from: { id: user.id, aadObjectId: user.aadObjectId },
      conversation: { id: channel, conversationType: 'channel', isGroup: true, tenantId: this.tenantId },
      recipient: { id: `28:${this.appId}`, name: 'Klaxon' },
      membersAdded: [{ id: `28:${this.appId}` }],
      channelData: { tenant: { id: this.tenantId }, team: { id: channel }, eventType: 'teamMemberAdded' },
    };
  }

  /** A message in a channel thread (`mention`: it @mentions the bot, as the text's `<at>Klaxon</at>` and an entity). */
  channelMessage(user: FakeTeamsUser, thread: string, text: string, o: { mention?: boolean } = {}): any {
    const channel = thread.replace(/;messageid=.*$/, '');
    const bot = { id: `28:${this.appId}`, name: 'Klaxon' };
    return {
      type: 'message',
      id: String(++this.seq),
      timestamp: new Date(this.now()).toISOString(),
      serviceUrl: this.serviceUrl,
      channelId: 'msteams',
      from: { id: user.id, name: user.name, aadObjectId: user.aadObjectId },
      conversation: { id: thread, conversationType: 'channel', isGroup: true, tenantId: this.tenantId },
      recipient: bot,
      text: o.mention ? `<at>Klaxon</at> ${text}` : text,
      textFormat: 'plain',
      ...(o.mention && { entities: [{ type: 'mention', mentioned: bot, text: '<at>Klaxon</at>' }] }),
      channelData: { tenant: { id: this.tenantId }, team: { id: channel }, channel: { id: channel } },
    };
  }

  /** A card's Action.Submit pressed in the user's 1:1 chat with the bot. */
  personalSubmit(user: FakeTeamsUser, value: unknown): any {
    return {
      ...this.activity(user, this.personalChat(user), { value }),
      conversation: { id: this.personalChat(user), conversationType: 'personal', tenantId: this.tenantId },
    };
  }

  /** POSTs an activity to the bot's messaging endpoint with a token (`token` overrides it; null sends none). */
  async send(endpoint: string, activity: any, token?: string | null): Promise<{ status: number; body: any }> {
    const t = token === undefined ? await this.token(activity.serviceUrl) : token;
    const res = await fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/json', ...(t !== null && { authorization: `Bearer ${t}` }) }, body: JSON.stringify(activity) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }
}
