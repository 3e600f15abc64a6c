/**
 * A fake Google Chat, written from Google's Chat documentation:
 * - Incoming webhooks: POST https://chat.googleapis.com/v1/spaces/{space}/messages?key=...&token=...
 *   with a JSON Message (`text`, `cardsV2`); the answer is the created Message (`name`
 *   spaces/{space}/messages/{id}, `sender` the webhook as a BOT, `createTime`, `space`). A wrong key or
 *   token is refused (Google's JSON error `{error: {code, message, status}}`).
 * - Google's key set for Chat's bearer tokens at
 *   GET /service_accounts/v1/jwk/chat@system.gserviceaccount.com (a JWKS), and tokens signed with
 *   it: RS256, `iss` chat@system.gserviceaccount.com, `aud` the app's project number, `iat`/`exp`
 *   (one hour), as Google sends in `Authorization: Bearer` on every interaction event.
 * - Interaction events (Event): CARD_CLICKED (`common.invokedFunction`, `common.parameters`, and the
 *   older `action.actionMethodName` / `action.parameters`), MESSAGE with an @mention of the app
 *   (`message.text` "@Klaxon ack 42", `message.argumentText` " ack 42", an USER_MENTION annotation);
 *   `user` {name users/<id>, displayName, type HUMAN}, `space` {name spaces/<id>, type ROOM}; in a
 *   space, each message is in a thread (`message.thread.name` spaces/<id>/threads/<id>).
 * - The Chat API as an app (app authentication):
 *   - A service account's JSON key (`serviceAccount()`: type, project_id, private_key_id, private_key
 *     PKCS#8 PEM, client_email, client_id, token_uri) and its token endpoint, POST /token
 *     (form: grant_type urn:ietf:params:oauth:grant-type:jwt-bearer, assertion): the assertion must be
 *     RS256-signed by that key, `iss` the client email, `aud` the token URI, `scope` holding
 *     https://www.googleapis.com/auth/chat.bot, `iat`/`exp` at most an hour apart and not expired;
 *     else 400 `{error: "invalid_grant", error_description}`. The answer: `{access_token,
 *     expires_in: 3599, token_type: "Bearer"}`.
 *   - Every API call must carry `Authorization: Bearer <a token issued here, not expired>`, else 401
 *     UNAUTHENTICATED.
 *   - spaces.messages.create: POST /v1/spaces/{space}/messages (no key/token: those are webhooks),
 *     the app must be a member of the space (else 404 NOT_FOUND); `thread` {name} or {threadKey} with
 *     `messageReplyOption`: unset starts a new thread (ignoring any given), REPLY_MESSAGE_OR_FAIL
 *     replies in the named thread or the key's thread (a new key starts one) and 404s on an unknown
 *     thread name, REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD falls back to a new thread. The answer is the
 *     Message with `thread.name` and `sender` the app (type BOT). A `requestId` seen before in the
 *     space returns the message created with it, and nothing is posted.
 *   - spaces.findDirectMessage: GET /v1/spaces:findDirectMessage?name=users/{id}: the DM space of the
 *     app and that user (type DM, singleUserBotDm) if the user added the app, else 404 NOT_FOUND.
 * Keys are generated here with jose; `forger()` gives a second key pair whose tokens must fail.
 */
import { createServer, type Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import { exportJWK, exportPKCS8, generateKeyPair, jwtVerify, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import { must } from '../../../src/lib/must.js';
import { closeServer, listenLocal, parseForm, readBody, RecordLog, sendJson } from '../util.js';

export const JWKS_PATH = '/service_accounts/v1/jwk/chat@system.gserviceaccount.com';
export const ISSUER = 'chat@system.gserviceaccount.com';

export interface FakeChatUser {
  name: string;
  displayName: string;
  type: 'HUMAN';
}

export interface FakeChatSpace {
  name: string;
  displayName: string;
  key: string;
  token: string;
  /** The Klaxon app is a member (it may post with the API). */
  appMember: boolean;
  /** Thread keys -> thread names. */
  threadKeys: Map<string, string>;
  /** Request ids -> the messages created with them. */
  requests: Map<string, FakeChatMessage>;
  threads: Set<string>;
}

export interface FakeChatMessage {
  name: string;
  space: { name: string };
  thread: { name: string };
  text: string;
  cardsV2: any[];
  createTime: string;
  /** How it was posted: an incoming webhook, or the API as the app. */
  via: 'webhook' | 'api';
}

/** A service account's JSON key, as the Cloud console downloads it. */
export interface FakeServiceAccountKey {
  type: 'service_account';
  project_id: string;
  private_key_id: string;
  private_key: string;
  client_email: string;
  client_id: string;
  token_uri: string;
}

interface Answer {
  status: number;
  body: any;
}

/** A signing key: its private key and its id in the published key set. */
interface Signer {
  key: CryptoKey;
  kid: string;
}

export interface TokenOptions {
  /** Sign with another key (a forgery). */
  signer?: Signer;
  audience?: string;
  issuer?: string;
  /** Seconds since the epoch; default now. */
  iat?: number;
  /** Seconds since the epoch; default iat + 3600. */
  exp?: number;
}

export class FakeGoogleChat {
  readonly messages = new RecordLog<FakeChatMessage>('google chat messages');
  readonly spaces = new Map<string, FakeChatSpace>();
  readonly projectNumber = String(100_000_000_000 + Math.floor(Math.random() * 1e9));
  private signer: Signer | null = null;
  private jwks: unknown = null;
  private seq = 0;
  private server: Server | null = null;
  url = '';
  /** The app's service account (its public key checks assertions). */
  private account: { key: FakeServiceAccountKey; publicKey: CryptoKey } | null = null;
  /** Access tokens issued -> expiry (ms). */
  private readonly accessTokens = new Map<string, number>();
  /** Users who added the app -> their DM space name. */
  private readonly directMessages = new Map<string, string>();
  /** Every token request, as received (tests look at the assertion). */
  readonly tokenRequests: { grantType: string; assertion: string; status: number }[] = [];
  /** Every API call's method, path and status. */
  readonly apiCalls: { method: string; path: string; status: number }[] = [];

  /** `now` is the time tokens are issued at (the test's clock). */
  constructor(private readonly now: () => number = Date.now) {}

  /** A new signing key pair (not published): tokens signed with it must be refused. */
  static async forger(): Promise<Signer> {
    const { privateKey } = await generateKeyPair('RS256');
    return { key: privateKey, kid: randomBytes(8).toString('hex') };
  }

  async start(): Promise<{ url: string; jwksUrl: string }> {
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    this.signer = { key: privateKey, kid: randomBytes(8).toString('hex') };
    this.jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: this.signer.kid, alg: 'RS256', use: 'sig' }] };
    this.server = createServer((req, res) => {
      void readBody(req)
        .then((raw) => this.handle(req.method ?? 'GET', req.url ?? '/', raw.toString('utf8'), String(req.headers.authorization ?? '')))
        .then((a) => sendJson(res, a.status, a.body));
    });
    this.url = await listenLocal(this.server);
    return { url: this.url, jwksUrl: `${this.url}${JWKS_PATH}` };
  }

  async close(): Promise<void> {
    await closeServer(this.server);
  }

  addUser(displayName: string): FakeChatUser {
    return { name: `users/${100_000_000_000_000 + ++this.seq}`, displayName, type: 'HUMAN' };
  }

  /** A space with an incoming webhook; `webhookUrl` is what the space's "Apps & integrations" page shows. The Klaxon app is a member unless `app: false`. */
  addSpace(displayName: string, o: { app?: boolean } = {}): FakeChatSpace & { webhookUrl: string } {
    const s: FakeChatSpace = {
      name: `spaces/AAAA${randomBytes(6).toString('hex')}`,
      displayName,
      key: `AIza${randomBytes(12).toString('hex')}`,
      token: randomBytes(16).toString('base64url'),
      appMember: o.app ?? true,
      threadKeys: new Map(),
      requests: new Map(),
      threads: new Set(),
    };
    this.spaces.set(s.name, s);
    return Object.assign(s, { webhookUrl: `${this.url}/v1/${s.name}/messages?key=${s.key}&token=${encodeURIComponent(s.token)}` });
  }

  /** The app's service account: a new key pair; the JSON key Klaxon is given. */
  async serviceAccount(): Promise<FakeServiceAccountKey> {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    const key: FakeServiceAccountKey = {
      type: 'service_account',
      project_id: 'klaxon-test',
      private_key_id: randomBytes(20).toString('hex'),
      private_key: await exportPKCS8(privateKey),
      client_email: 'klaxon-chat@klaxon-test.iam.gserviceaccount.com',
      client_id: String(100_000_000_000_000_000n + BigInt(++this.seq)),
      token_uri: `${this.url}/token`,
    };
    this.account = { key, publicKey };
    return key;
  }

  /** Revokes every access token issued so far (the API refuses them with 401). */
  revokeTokens(): void {
    this.accessTokens.clear();
  }

  /** `user` adds the Klaxon app (a direct message space of the app and the user now exists). */
  addApp(user: FakeChatUser): string {
    const existing = this.directMessages.get(user.name);
    if (existing) return existing;
    const name = `spaces/D${randomBytes(6).toString('hex')}`;
    this.spaces.set(name, { name, displayName: '', key: '', token: '', appMember: true, threadKeys: new Map(), requests: new Map(), threads: new Set() });
    this.directMessages.set(user.name, name);
    return name;
  }

  private static error(code: number, status: string, message: string): Answer {
    return { status: code, body: { error: { code, message, status } } };
  }

  private async handle(method: string, url: string, raw: string, authorization: string): Promise<Answer> {
    const u = new URL(url, 'http://chat.test');
    if (method === 'GET' && u.pathname === JWKS_PATH) return { status: 200, body: this.jwks };
    if (method === 'POST' && u.pathname === '/token') return this.tokenEndpoint(raw);
    if (u.pathname.startsWith('/v1/') && !u.searchParams.has('key')) {
      const a = this.api(method, u, raw, authorization);
      this.apiCalls.push({ method, path: `${u.pathname}${u.search}`, status: a.status });
      return a;
    }
    const m = /^\/v1\/(spaces\/[^/]+)\/messages$/.exec(u.pathname);
    if (!m || method !== 'POST') return FakeGoogleChat.error(404, 'NOT_FOUND', 'Not Found');
    const space = this.spaces.get(must(m[1], 'the space'));
    if (!space || !space.key || u.searchParams.get('key') !== space.key || u.searchParams.get('token') !== space.token) {
      return FakeGoogleChat.error(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials.');
    }
    let body: any;
    try {
      body = JSON.parse(raw);
    } catch {
      return { status: 400, body: { error: { code: 400, message: 'Invalid JSON payload received.', status: 'INVALID_ARGUMENT' } } };
    }
    if (typeof body?.text !== 'string' && !Array.isArray(body?.cardsV2)) return { status: 400, body: { error: { code: 400, message: 'Message cannot be empty.', status: 'INVALID_ARGUMENT' } } };
    if (typeof body.text === 'string' && body.text.length > 4096) return { status: 400, body: { error: { code: 400, message: 'Message text is too long.', status: 'INVALID_ARGUMENT' } } };
    const msg = this.record(space, body, this.newThread(space), 'webhook');
    return { status: 200, body: { ...msg, sender: { name: 'users/114022495153014004089', displayName: 'Klaxon webhook', type: 'BOT' } } };
  }

  private newThread(space: FakeChatSpace): string {
    const t = `${space.name}/threads/${randomBytes(6).toString('hex')}`;
    space.threads.add(t);
    return t;
  }

  private record(space: FakeChatSpace, body: any, thread: string, via: 'webhook' | 'api'): FakeChatMessage {
    const msg: FakeChatMessage = {
      name: `${space.name}/messages/${randomBytes(6).toString('hex')}.${randomBytes(6).toString('hex')}`,
      space: { name: space.name },
      thread: { name: thread },
      text: body.text ?? '',
      cardsV2: body.cardsV2 ?? [],
      createTime: new Date(this.now()).toISOString(),
      via,
    };
    this.messages.push(msg);
    return msg;
  }

  /** The OAuth token endpoint: the JWT-bearer grant of the service account. */
  private async tokenEndpoint(raw: string): Promise<Answer> {
    const f = parseForm(raw);
    const refuse = (why: string): Answer => {
      this.tokenRequests.push({ grantType: f.grant_type ?? '', assertion: f.assertion ?? '', status: 400 });
      return { status: 400, body: { error: 'invalid_grant', error_description: why } };
    };
    if (f.grant_type !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') return { status: 400, body: { error: 'unsupported_grant_type', error_description: 'Invalid grant_type' } };
    if (!this.account || !f.assertion) return refuse('Invalid JWT Signature.');
    let claims: JWTPayload;
    try {
      claims = (
        await jwtVerify(f.assertion, this.account.publicKey, {
          algorithms: ['RS256'],
          issuer: this.account.key.client_email,
          audience: this.account.key.token_uri,
          currentDate: new Date(this.now()),
          requiredClaims: ['iat', 'exp'],
        })
      ).payload;
    } catch (e) {
      return refuse(`Invalid JWT: ${(e as Error).message}`);
    }
    if (must(claims.exp, 'exp') - must(claims.iat, 'iat') > 3600) return refuse('Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.');
    if (typeof claims.scope !== 'string' || !claims.scope.split(' ').includes('https://www.googleapis.com/auth/chat.bot')) return refuse('Invalid OAuth scope or ID token audience provided.');
    const token = `ya29.${randomBytes(24).toString('base64url')}`;
    this.accessTokens.set(token, this.now() + 3599_000);
    this.tokenRequests.push({ grantType: f.grant_type, assertion: f.assertion, status: 200 });
    return { status: 200, body: { access_token: token, expires_in: 3599, token_type: 'Bearer' } };
  }

  /** The Chat API as the app. */
  private api(method: string, u: URL, raw: string, authorization: string): Answer {
    const bearer = /^Bearer (\S+)$/.exec(authorization)?.[1];
    const until = bearer ? this.accessTokens.get(bearer) : undefined;
    if (until === undefined || until <= this.now()) return FakeGoogleChat.error(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials. Expected OAuth 2 access token.');
    if (method === 'GET' && u.pathname === '/v1/spaces:findDirectMessage') {
      const dm = this.directMessages.get(u.searchParams.get('name') ?? '');
      if (!dm) return FakeGoogleChat.error(404, 'NOT_FOUND', 'Direct message space not found.');
      return { status: 200, body: { name: dm, type: 'DM', spaceType: 'DIRECT_MESSAGE', singleUserBotDm: true } };
    }
    const m = /^\/v1\/(spaces\/[^/]+)\/messages$/.exec(u.pathname);
    if (!m || method !== 'POST') return FakeGoogleChat.error(404, 'NOT_FOUND', 'Not Found');
    const space = this.spaces.get(must(m[1], 'the space'));
    if (!space || !space.appMember) return FakeGoogleChat.error(404, 'NOT_FOUND', 'Requested entity was not found.');
    let body: any;
    try {
      body = JSON.parse(raw);
    } catch {
      return FakeGoogleChat.error(400, 'INVALID_ARGUMENT', 'Invalid JSON payload received.');
    }
    if (typeof body?.text !== 'string' && !Array.isArray(body?.cardsV2)) return FakeGoogleChat.error(400, 'INVALID_ARGUMENT', 'Message cannot be empty.');
    if (typeof body.text === 'string' && body.text.length > 4096) return FakeGoogleChat.error(400, 'INVALID_ARGUMENT', 'Message text is too long.');
    const requestId = u.searchParams.get('requestId');
    const earlier = requestId ? space.requests.get(requestId) : undefined;
    if (earlier) return { status: 200, body: { ...earlier, sender: { name: 'users/app', displayName: 'Klaxon', type: 'BOT' } } };
    const option = u.searchParams.get('messageReplyOption') ?? 'MESSAGE_REPLY_OPTION_UNSPECIFIED';
    const wanted = body.thread ?? {};
    let thread: string | undefined;
    if (option === 'REPLY_MESSAGE_OR_FAIL' || option === 'REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD') {
      if (typeof wanted.name === 'string') thread = space.threads.has(wanted.name) ? wanted.name : undefined;
      else if (typeof wanted.threadKey === 'string') {
        thread = space.threadKeys.get(wanted.threadKey);
        if (!thread) {
          thread = this.newThread(space);
          space.threadKeys.set(wanted.threadKey, thread);
        }
      }
      if (!thread && option === 'REPLY_MESSAGE_OR_FAIL') return FakeGoogleChat.error(404, 'NOT_FOUND', 'Thread not found.');
    }
    const msg = this.record(space, body, thread ?? this.newThread(space), 'api');
    if (requestId) space.requests.set(requestId, msg);
    return { status: 200, body: { ...msg, sender: { name: 'users/app', displayName: 'Klaxon', type: 'BOT' } } };
  }

  waitForMessage(predicate: (m: FakeChatMessage) => boolean = () => true): Promise<FakeChatMessage> {
    return this.messages.waitFor(predicate);
  }

  /** A bearer token as Google Chat signs it for this app (overrides make it forged, expired or for another app). */
  async token(o: TokenOptions = {}): Promise<string> {
    const signer = o.signer ?? must(this.signer, 'the signing key (start() first)');
    const iat = o.iat ?? Math.floor(this.now() / 1000);
    const claims: JWTPayload = { iss: o.issuer ?? ISSUER, aud: o.audience ?? this.projectNumber, iat, exp: o.exp ?? iat + 3600 };
    return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: signer.kid, typ: 'JWT' }).sign(signer.key);
  }

  /** POSTs an interaction event as Google Chat does, with a bearer token (`token: null` sends none). */
  async send(endpoint: string, event: Record<string, unknown>, o: TokenOptions & { token?: string | null } = {}): Promise<Answer> {
    const token = o.token === undefined ? await this.token(o) : o.token;
    const body = JSON.stringify({ eventTime: new Date(this.now()).toISOString(), ...event });
    const res = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'Google-Dynamite', ...(token !== null && { authorization: `Bearer ${token}` }) },
      body,
    });
    return { status: res.status, body: await res.json().catch(() => null) };
  }

  /** `user` clicks a card button: its `onClick.action` (function and parameters) as Chat reports it. */
  click(endpoint: string, message: FakeChatMessage, button: any, user: FakeChatUser, o: TokenOptions & { token?: string | null } = {}): Promise<Answer> {
    const action = button.onClick.action as { function: string; parameters?: { key: string; value: string }[] };
    const params = action.parameters ?? [];
    return this.send(
      endpoint,
      {
        type: 'CARD_CLICKED',
        space: { name: message.space.name, type: 'ROOM' },
        message,
        user,
        action: { actionMethodName: action.function, parameters: params },
        common: { invokedFunction: action.function, parameters: Object.fromEntries(params.map((p) => [p.key, p.value])), hostApp: 'CHAT' },
      },
      o,
    );
  }

  /**
   * `user` writes "@Klaxon <text>" in a space (in `thread`, a thread name, when given; the message is
   * recorded there so it is part of the space). `messageName` repeats a delivery of the same message.
   */
  mention(endpoint: string, space: { name: string }, user: FakeChatUser, text: string, o: TokenOptions & { token?: string | null; thread?: string; messageName?: string } = {}): Promise<Answer> {
    const full = `@Klaxon ${text}`;
    const thread = o.thread ?? `${space.name}/threads/${randomBytes(6).toString('hex')}`;
    const name = o.messageName ?? `${space.name}/messages/${randomBytes(6).toString('hex')}`;
    return this.send(
      endpoint,
      {
        type: 'MESSAGE',
        space: { name: space.name, type: 'ROOM', spaceType: 'SPACE' },
        user,
        message: {
          name,
          sender: user,
          text: full,
          argumentText: ` ${text}`,
          annotations: [{ type: 'USER_MENTION', startIndex: 0, length: 7, userMention: { user: { name: 'users/app', displayName: 'Klaxon', type: 'BOT' }, type: 'MENTION' } }],
          thread: { name: thread },
          space: { name: space.name },
          createTime: new Date(this.now()).toISOString(),
        },
      },
      o,
    );
  }

  /** `user` writes `text` (no mention) in their direct message with the app. */
  direct(endpoint: string, user: FakeChatUser, text: string, o: TokenOptions & { token?: string | null } = {}): Promise<Answer> {
    const dm = this.addApp(user);
    return this.send(
      endpoint,
      {
        type: 'MESSAGE',
        space: { name: dm, type: 'DM', spaceType: 'DIRECT_MESSAGE', singleUserBotDm: true },
        user,
        message: {
          name: `${dm}/messages/${randomBytes(6).toString('hex')}`,
          sender: user,
          text,
          argumentText: text,
          thread: { name: `${dm}/threads/${randomBytes(6).toString('hex')}` },
          space: { name: dm },
        },
      },
      o,
    );
  }
}
