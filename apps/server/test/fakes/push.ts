/**
 * A local fake Web Push service (the role FCM, Mozilla autopush or Apple play for a browser), on
 * http://127.0.0.1:<random port>. It speaks the real protocols:
 *   RFC 8030  POST <endpoint> with TTL (required, else 400), Urgency, Topic; 201 Created + Location;
 *             404 for an unknown subscription, 410 Gone once unsubscribed, 413 over 4096 bytes.
 *   RFC 8292  Authorization: vapid t=<JWT>, k=<public key>. The ES256 JWT is verified with k, its
 *             aud must be the endpoint's origin, exp in the future and at most 24 h away, sub present
 *             (401 otherwise); k must be the applicationServerKey the subscription was made with (403).
 *   RFC 8291  Content-Encoding: aes128gcm. The fake made the subscription's key pair itself (as a
 *             browser does), so it decrypts every message and records the plaintext.
 * Tests get a subscription with `newSubscription()`, then await deliveries with `waitFor()`.
 */
import { createECDH, createPublicKey, createDecipheriv, hkdfSync, randomBytes, verify as verifySignature, type ECDH } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { closeServer, listenLocal, readBody, RecordLog } from './util.js';
import { must } from '../../src/lib/must.js';

/** The JSON a browser's PushSubscription serializes to. */
export interface SubscriptionJson {
  endpoint: string;
  expirationTime: null;
  keys: { p256dh: string; auth: string };
}

/** The claims of a verified VAPID JWT. */
export interface VapidClaims {
  aud: string;
  exp: number;
  sub: string;
}

/** One push message the fake accepted, decrypted. */
export interface PushDelivery {
  /** The subscription's endpoint. */
  endpoint: string;
  /** Id of the message resource (the Location the fake answered). */
  messageId: string;
  ttl: number;
  urgency: string | null;
  topic: string | null;
  vapid: { claims: VapidClaims; publicKey: string };
  /** The encrypted body as received. */
  body: Buffer;
  /** The decrypted plaintext. */
  text: string;
  /** The plaintext parsed as JSON (undefined when it is not JSON). */
  json: any;
}

/** A request the fake refused, and why. */
export interface PushRejection {
  endpoint: string;
  status: number;
  reason: string;
}

interface Sub {
  json: SubscriptionJson;
  ecdh: ECDH;
  publicKey: Buffer;
  auth: Buffer;
  applicationServerKey: string | null;
  gone: boolean;
}

/** Maximum push message body, per RFC 8030 section 7.2 (push services must accept at least 4096). */
export const PUSH_MAX_BODY = 4096;

/**
 * Decrypts an aes128gcm Web Push body (RFC 8291 over RFC 8188) with the receiving user agent's
 * ECDH key pair and auth secret.
 */
export function decryptAes128gcm(body: Buffer, ua: ECDH, authSecret: Buffer): Buffer {
  if (body.length < 21) throw new Error('body shorter than the aes128gcm header');
  const salt = body.subarray(0, 16);
  const rs = body.readUInt32BE(16);
  const idlen = must(body[20], 'body[20]');
  const keyid = body.subarray(21, 21 + idlen);
  if (idlen !== 65 || rs < 18) throw new Error(`bad aes128gcm header (idlen ${idlen}, rs ${rs})`);
  const uaPublic = ua.getPublicKey();
  const ecdhSecret = ua.computeSecret(keyid);
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), uaPublic, keyid]);
  const ikm = Buffer.from(hkdfSync('sha256', ecdhSecret, authSecret, keyInfo, 32));
  const cek = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16));
  const baseNonce = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12));
  const records = body.subarray(21 + idlen);
  const out: Buffer[] = [];
  for (let i = 0, off = 0; off < records.length; i++, off += rs) {
    const rec = records.subarray(off, Math.min(off + rs, records.length));
    const nonce = Buffer.from(baseNonce);
    // The record sequence number is XORed into the end of the nonce (big-endian); records here are far fewer than 2^32.
    nonce.writeUInt32BE((nonce.readUInt32BE(8) ^ i) >>> 0, 8);
    const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
    decipher.setAuthTag(rec.subarray(rec.length - 16));
    const plain = Buffer.concat([decipher.update(rec.subarray(0, rec.length - 16)), decipher.final()]);
    let end = plain.length - 1;
    while (end >= 0 && plain[end] === 0) end--;
    const last = off + rs >= records.length;
    if (end < 0 || plain[end] !== (last ? 2 : 1)) throw new Error('bad aes128gcm padding delimiter');
    out.push(plain.subarray(0, end));
  }
  return Buffer.concat(out);
}

/**
 * Checks an RFC 8292 `Authorization: vapid t=<JWT>, k=<key>` header for a push to `audience` (the
 * endpoint's origin) at `nowMs`. Returns the claims and key, or why it is not valid.
 */
export function verifyVapidHeader(header: string | undefined, audience: string, nowMs: number): { claims: VapidClaims; publicKey: string } | { error: string } {
  const m = /^vapid\s+(.+)$/i.exec(header ?? '');
  if (!m) return { error: 'missing Authorization: vapid t=..., k=...' };
  const params: Record<string, string> = {};
  for (const part of must(m[1], 'm[1]').split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) params[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  const t = params.t;
  const k = params.k;
  if (!t || !k) return { error: 'vapid header needs t and k' };
  const raw = Buffer.from(k, 'base64url');
  if (raw.length !== 65 || raw[0] !== 4) return { error: 'k is not an uncompressed P-256 public key' };
  const [h, p, s, extra] = t.split('.');
  if (!h || !p || !s || extra !== undefined) return { error: 't is not a JWS compact serialization' };
  let header_: { alg?: string; typ?: string };
  let claims: Partial<VapidClaims>;
  try {
    header_ = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as typeof header_;
    claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Partial<VapidClaims>;
  } catch {
    return { error: 'JWT header or claims are not JSON' };
  }
  if (header_.alg !== 'ES256') return { error: `JWT alg must be ES256 (got ${header_.alg})` };
  const key = createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: raw.subarray(1, 33).toString('base64url'), y: raw.subarray(33).toString('base64url') }, format: 'jwk' });
  const sig = Buffer.from(s, 'base64url');
  if (sig.length !== 64 || !verifySignature('sha256', Buffer.from(`${h}.${p}`), { key, dsaEncoding: 'ieee-p1363' }, sig)) return { error: 'JWT signature does not verify with k' };
  if (claims.aud !== audience) return { error: `JWT aud must be ${audience} (got ${String(claims.aud)})` };
  const nowSec = nowMs / 1000;
  if (typeof claims.exp !== 'number' || claims.exp <= nowSec) return { error: 'JWT exp is missing or in the past' };
  if (claims.exp > nowSec + 24 * 3600 + 60) return { error: 'JWT exp is more than 24 hours away' };
  if (typeof claims.sub !== 'string' || !/^(mailto:|https:)/.test(claims.sub)) return { error: 'JWT sub must be a mailto: or https: contact' };
  return { claims: claims as VapidClaims, publicKey: k };
}

/** The fake push service. */
export class FakePushService {
  /** Accepted messages, decrypted. */
  readonly deliveries = new RecordLog<PushDelivery>('fake push: deliveries');
  /** Refused requests. */
  readonly rejections = new RecordLog<PushRejection>('fake push: rejections');
  private server: Server | null = null;
  private base = '';
  private readonly subs = new Map<string, Sub>();
  private readonly failures: number[] = [];
  private seq = 0;

  /** Listens on 127.0.0.1:0; resolves with the base URL. */
  async start(): Promise<{ url: string }> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((e: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(e));
      });
    });
    this.base = await listenLocal(this.server);
    return { url: this.base };
  }

  /** Stops the server. */
  async close(): Promise<void> {
    await closeServer(this.server);
  }

  /**
   * A new subscription, as a browser makes one: a fresh P-256 key pair and auth secret, an endpoint
   * on this fake. With `applicationServerKey` (the VAPID public key), pushes signed by another key get 403.
   */
  newSubscription(opts: { applicationServerKey?: string } = {}): SubscriptionJson {
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    const auth = randomBytes(16);
    const id = randomBytes(12).toString('base64url');
    const json: SubscriptionJson = {
      endpoint: `${this.base}/push/${id}`,
      expirationTime: null,
      keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: auth.toString('base64url') },
    };
    this.subs.set(id, { json, ecdh, publicKey: ecdh.getPublicKey(), auth, applicationServerKey: opts.applicationServerKey ?? null, gone: false });
    return json;
  }

  /** Ends a subscription (the user revoked permission, the app was removed): later pushes get 410 Gone. */
  unsubscribe(endpoint: string): void {
    const sub = this.subs.get(endpoint.split('/').pop() ?? '');
    if (sub) sub.gone = true;
  }

  /** Answers the next `times` valid-looking requests with `status` instead of accepting them. */
  failNext(status: number, times = 1): void {
    for (let i = 0; i < times; i++) this.failures.push(status);
  }

  /** Resolves with the first delivery matching the predicate (already received or future). */
  waitFor(predicate: (d: PushDelivery) => boolean = () => true, timeoutMs = 5000): Promise<PushDelivery> {
    return this.deliveries.waitFor(predicate, timeoutMs);
  }

  /** Decrypts a body sent to one of this fake's subscriptions. */
  decrypt(endpoint: string, body: Buffer): Buffer {
    const sub = this.subs.get(endpoint.split('/').pop() ?? '');
    if (!sub) throw new Error(`no subscription ${endpoint}`);
    return decryptAes128gcm(body, sub.ecdh, sub.auth);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.base);
    const body = await readBody(req);
    const endpoint = `${this.base}${url.pathname}`;
    const reject = (status: number, reason: string) => {
      this.rejections.push({ endpoint, status, reason });
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(reason);
    };
    const m = /^\/push\/([A-Za-z0-9_-]+)$/.exec(url.pathname);
    if (req.method !== 'POST' || !m) return reject(404, 'no such push endpoint');
    const sub = this.subs.get(must(m[1], 'm[1]'));
    if (!sub) return reject(404, 'no such subscription');
    if (sub.gone) return reject(410, 'push subscription has unsubscribed or expired');
    const injected = this.failures.shift();
    if (injected !== undefined) return reject(injected, `injected failure ${injected}`);

    const vapid = verifyVapidHeader(req.headers.authorization, this.base, Date.now());
    if ('error' in vapid) return reject(401, `VAPID: ${vapid.error}`);
    if (sub.applicationServerKey && vapid.publicKey !== sub.applicationServerKey) return reject(403, 'VAPID key does not match the applicationServerKey of the subscription');
    const ttlHeader = req.headers.ttl;
    if (typeof ttlHeader !== 'string' || !/^\d+$/.test(ttlHeader)) return reject(400, 'TTL header is required');
    const urgency = typeof req.headers.urgency === 'string' ? req.headers.urgency : null;
    if (urgency && !['very-low', 'low', 'normal', 'high'].includes(urgency)) return reject(400, `bad Urgency ${urgency}`);
    const topic = typeof req.headers.topic === 'string' ? req.headers.topic : null;
    if (topic && !/^[A-Za-z0-9_-]{1,32}$/.test(topic)) return reject(400, 'Topic must be at most 32 base64url characters');
    if (body.length > PUSH_MAX_BODY) return reject(413, `payload of ${body.length} bytes is over ${PUSH_MAX_BODY}`);
    if (req.headers['content-encoding'] !== 'aes128gcm') return reject(415, 'Content-Encoding must be aes128gcm');

    let text: string;
    try {
      text = decryptAes128gcm(body, sub.ecdh, sub.auth).toString('utf8');
    } catch (e) {
      return reject(400, `cannot decrypt: ${e instanceof Error ? e.message : String(e)}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const messageId = `m${++this.seq}`;
    res.writeHead(201, { location: `${this.base}/message/${messageId}`, 'content-length': 0 });
    res.end();
    this.deliveries.push({ endpoint: sub.json.endpoint, messageId, ttl: Number(ttlHeader), urgency, topic, vapid, body, text, json });
  }
}
