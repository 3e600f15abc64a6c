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
 *   `user` {name users/<id>, displayName, type HUMAN}, `space` {name spaces/<id>, type ROOM}.
 * Keys are generated here with jose; `forger()` gives a second key pair whose tokens must fail.
 */
import { createServer, type Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import { closeServer, listenLocal, readBody, RecordLog, sendJson } from '../util.js';
import { must } from '../../../src/lib/must.js';

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
}

export interface FakeChatMessage {
  name: string;
  space: { name: string };
  text: string;
  cardsV2: any[];
  createTime: string;
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
      void readBody(req).then((raw) => {
        const a = this.handle(req.method ?? 'GET', req.url ?? '/', raw.toString('utf8'));
        sendJson(res, a.status, a.body);
      });
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

  /** A space with an incoming webhook; `webhookUrl` is what the space's "Apps & integrations" page shows. */
  addSpace(displayName: string): FakeChatSpace & { webhookUrl: string } {
    const s = { name: `spaces/AAAA${randomBytes(6).toString('hex')}`, displayName, key: `AIza${randomBytes(12).toString('hex')}`, token: randomBytes(16).toString('base64url') };
    this.spaces.set(s.name, s);
    return { ...s, webhookUrl: `${this.url}/v1/${s.name}/messages?key=${s.key}&token=${encodeURIComponent(s.token)}` };
  }

  private handle(method: string, url: string, raw: string): Answer {
    const u = new URL(url, 'http://chat.test');
    if (method === 'GET' && u.pathname === JWKS_PATH) return { status: 200, body: this.jwks };
    const m = /^\/v1\/(spaces\/[^/]+)\/messages$/.exec(u.pathname);
    if (!m || method !== 'POST') return { status: 404, body: { error: { code: 404, message: 'Not Found', status: 'NOT_FOUND' } } };
    const space = this.spaces.get(must(m[1], 'm[1]'));
    if (!space || u.searchParams.get('key') !== space.key || u.searchParams.get('token') !== space.token) {
      return { status: 401, body: { error: { code: 401, message: 'Request had invalid authentication credentials.', status: 'UNAUTHENTICATED' } } };
    }
    let body: any;
    try {
      body = JSON.parse(raw);
    } catch {
      return { status: 400, body: { error: { code: 400, message: 'Invalid JSON payload received.', status: 'INVALID_ARGUMENT' } } };
    }
    if (typeof body?.text !== 'string' && !Array.isArray(body?.cardsV2)) return { status: 400, body: { error: { code: 400, message: 'Message cannot be empty.', status: 'INVALID_ARGUMENT' } } };
    if (typeof body.text === 'string' && body.text.length > 4096) return { status: 400, body: { error: { code: 400, message: 'Message text is too long.', status: 'INVALID_ARGUMENT' } } };
    const msg: FakeChatMessage = {
      name: `${space.name}/messages/${randomBytes(6).toString('hex')}.${randomBytes(6).toString('hex')}`,
      space: { name: space.name },
      text: body.text ?? '',
      cardsV2: body.cardsV2 ?? [],
      createTime: new Date(this.now()).toISOString(),
    };
    this.messages.push(msg);
    return { status: 200, body: { ...msg, sender: { name: 'users/114022495153014004089', displayName: 'Klaxon webhook', type: 'BOT' } } };
  }

  waitForMessage(predicate: (m: FakeChatMessage) => boolean = () => true): Promise<FakeChatMessage> {
    return this.messages.waitFor(predicate);
  }

  /** A bearer token as Google Chat signs it for this app (overrides make it forged, expired or for another app). */
  async token(o: TokenOptions = {}): Promise<string> {
    const signer = o.signer ?? must(this.signer, 'this.signer');
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

  /** `user` writes "@Klaxon <text>" in a space. */
  mention(endpoint: string, space: { name: string }, user: FakeChatUser, text: string, o: TokenOptions & { token?: string | null } = {}): Promise<Answer> {
    const full = `@Klaxon ${text}`;
    return this.send(
      endpoint,
      {
        type: 'MESSAGE',
        space: { name: space.name, type: 'ROOM' },
        user,
        message: {
          name: `${space.name}/messages/${randomBytes(6).toString('hex')}`,
          sender: user,
          text: full,
          argumentText: ` ${text}`,
          annotations: [{ type: 'USER_MENTION', startIndex: 0, length: 7, userMention: { user: { name: 'users/app', displayName: 'Klaxon', type: 'BOT' }, type: 'MENTION' } }],
          space: { name: space.name },
          createTime: new Date(this.now()).toISOString(),
        },
      },
      o,
    );
  }
}
