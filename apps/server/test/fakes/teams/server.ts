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

export class FakeTeams {
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
    return { id: `29:1${randomBytes(12).toString('base64url')}`, aadObjectId: randomUUID(), name };
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
    const m = /^\/amer\/v3\/conversations\/([^/]+)\/activities\/([^/]+)$/.exec(u.pathname);
    if (method === 'POST' && m) {
      if (!this.tokens.has(auth.replace(/^Bearer /, ''))) return { status: 401, body: { error: { code: 'Unauthorized', message: 'Authorization has been denied for this request.' } } };
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

  /** POSTs an activity to the bot's messaging endpoint with a token (`token` overrides it; null sends none). */
  async send(endpoint: string, activity: any, token?: string | null): Promise<{ status: number; body: any }> {
    const t = token === undefined ? await this.token(activity.serviceUrl) : token;
    const res = await fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/json', ...(t !== null && { authorization: `Bearer ${t}` }) }, body: JSON.stringify(activity) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }
}
