/**
 * Fake Plivo for tests: a real HTTP server on 127.0.0.1 speaking the parts of Plivo's documented API
 * Klaxon uses, and Plivo's side of its signed webhooks. Written from Plivo's API reference and its
 * signature V3 description, not from Klaxon's client.
 *
 * API (Basic auth auth_id:auth_token, JSON):
 *   POST /v1/Account/{auth_id}/Message/  {src, dst, text[, url, method]} -> 202 {api_id, message: "message(s) queued", message_uuid: [uuid]}
 *   POST /v1/Account/{auth_id}/Call/     {from, to, answer_url[, answer_method, hangup_url]} -> 201 {api_id, message: "call fired", request_uuid}
 *   401 {api_id, error: "Authentication credentials invalid"}; 400 {api_id, error: "..."} for bad parameters.
 * Webhooks (form-encoded, X-Plivo-Signature-V3 + X-Plivo-Signature-V3-Nonce; signature = base64
 * HMAC-SHA256(auth_token, <url with sorted query>?.<sorted params as name+value> + "." + nonce)):
 *   sendInboundSms(url, from, text); sendStatus(message, status); answerCall(call) -> the XML Klaxon
 *   answered; pressKey(call, digits) -> the XML after the key; sendHangup(call, status).
 *   Options per webhook: `{ token }` (forge with another token), `{ nonce }` (reuse a nonce: replay).
 * failNext(n, status) / hangNext(n): the next API requests fail / never answer.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { closeServer, listenLocal, readBody, RecordLog, sendJson } from '../util.js';

export interface FakePlivoMessage {
  message_uuid: string;
  src: string;
  dst: string;
  text: string;
  url: string | undefined;
}

export interface FakePlivoCall {
  request_uuid: string;
  from: string;
  to: string;
  answer_url: string;
  hangup_url: string | undefined;
}

type SignOpts = { token?: string; nonce?: string };

export class FakePlivo {
  readonly authId = 'MAXXXXXXXXXXXXXXXXXX';
  readonly authToken: string = randomUUID();
  /** Klaxon's Plivo number, as Plivo writes it (no `+`). */
  readonly number = '33612345000';
  readonly messages = new RecordLog<FakePlivoMessage>('Plivo message');
  readonly calls = new RecordLog<FakePlivoCall>('Plivo call');
  private server: Server | null = null;
  private failures: number[] = [];
  private hangs = 0;
  private hung: ServerResponse[] = [];

  async start(): Promise<{ url: string }> {
    this.server = createServer((req, res) => void this.handle(req, res).catch(() => sendJson(res, 500, { error: 'internal' })));
    return { url: await listenLocal(this.server) };
  }

  async close(): Promise<void> {
    for (const r of this.hung) r.destroy();
    await closeServer(this.server);
  }

  failNext(n: number, status = 500): void {
    for (let i = 0; i < n; i++) this.failures.push(status);
  }

  hangNext(n: number): void {
    this.hangs += n;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = (await readBody(req)).toString('utf8');
    const api_id = randomUUID();
    const m = /^\/v1\/Account\/([^/]+)\/(Message|Call)\/$/.exec(req.url ?? '');
    if (req.method !== 'POST' || !m) return sendJson(res, 404, { api_id, error: 'not found' });
    if (this.hangs > 0) {
      this.hangs--;
      this.hung.push(res);
      return;
    }
    const failure = this.failures.shift();
    if (failure !== undefined) return sendJson(res, failure, { api_id, error: `failNext(${failure})` });
    if (m[1] !== this.authId || req.headers.authorization !== `Basic ${Buffer.from(`${this.authId}:${this.authToken}`).toString('base64')}`) {
      return sendJson(res, 401, { api_id, error: 'Authentication credentials invalid' });
    }
    let b: Record<string, unknown>;
    try {
      b = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return sendJson(res, 400, { api_id, error: 'invalid JSON' });
    }
    if (m[2] === 'Message') {
      if (typeof b.src !== 'string' || typeof b.dst !== 'string' || typeof b.text !== 'string' || !b.text) return sendJson(res, 400, { api_id, error: 'src, dst and text are required' });
      if (!/^\d{7,15}$/.test(b.dst)) return sendJson(res, 400, { api_id, error: 'dst is not a valid phone number' });
      const msg: FakePlivoMessage = { message_uuid: randomUUID(), src: b.src, dst: b.dst, text: b.text, url: typeof b.url === 'string' ? b.url : undefined };
      this.messages.push(msg);
      return sendJson(res, 202, { api_id, message: 'message(s) queued', message_uuid: [msg.message_uuid] });
    }
    if (typeof b.from !== 'string' || typeof b.to !== 'string' || typeof b.answer_url !== 'string') return sendJson(res, 400, { api_id, error: 'from, to and answer_url are required' });
    const call: FakePlivoCall = { request_uuid: randomUUID(), from: b.from, to: b.to, answer_url: b.answer_url, hangup_url: typeof b.hangup_url === 'string' ? b.hangup_url : undefined };
    this.calls.push(call);
    return sendJson(res, 201, { api_id, message: 'call fired', request_uuid: call.request_uuid });
  }

  /** Plivo's V3 signature of a POST to `url` with `params`. */
  signature(url: string, params: Record<string, string>, nonce: string, token = this.authToken): string {
    const u = new URL(url);
    const query = [...u.searchParams.entries()]
      .sort(([a, av], [b, bv]) => (a === b ? (av < bv ? -1 : 1) : a < b ? -1 : 1))
      .map(([k, v]) => `${k}=${v}`)
      .join('&');
    const keys = Object.keys(params).sort();
    let s = `${u.protocol}//${u.host}${u.pathname}`;
    if (query || keys.length) s += `?${query}`;
    if (query && keys.length) s += '.';
    s += keys.map((k) => k + params[k]).join('');
    return createHmac('sha256', token).update(`${s}.${nonce}`).digest('base64');
  }

  /** POSTs signed form parameters. */
  async post(url: string, params: Record<string, string>, o: SignOpts = {}): Promise<{ status: number; text: string }> {
    const nonce = o.nonce ?? String(Math.floor(Math.random() * 1e18));
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-plivo-signature-v3': this.signature(url, params, nonce, o.token), 'x-plivo-signature-v3-nonce': nonce },
      body: new URLSearchParams(params).toString(),
    });
    return { status: res.status, text: await res.text() };
  }

  sendInboundSms(url: string, from: string, text: string, o: SignOpts = {}) {
    return this.post(url, { From: from.replace(/^\+/, ''), To: this.number, Text: text, Type: 'sms', MessageUUID: randomUUID() }, o);
  }

  sendStatus(m: FakePlivoMessage, status: string, o: SignOpts = {}) {
    if (!m.url) throw new Error('the message has no status url');
    return this.post(m.url, { To: m.dst, From: m.src, Status: status, MessageUUID: m.message_uuid, ErrorCode: status === 'failed' || status === 'undelivered' ? '200' : '000' }, o);
  }

  answerCall(c: FakePlivoCall, o: SignOpts = {}) {
    return this.post(c.answer_url, { CallUUID: c.request_uuid, From: c.from, To: c.to, CallStatus: 'in-progress', Direction: 'outbound' }, o);
  }

  /** Follows the <GetDigits action> of the answered XML with `digits`. */
  async pressKey(c: FakePlivoCall, digits: string, o: SignOpts = {}) {
    const answered = await this.answerCall(c);
    const action = /<GetDigits[^>]*action="([^"]+)"/.exec(answered.text)?.[1]?.replace(/&amp;/g, '&');
    if (!action) throw new Error(`no <GetDigits action> in ${answered.text}`);
    return this.post(action, { CallUUID: c.request_uuid, From: c.from, To: c.to, Digits: digits }, o);
  }

  sendHangup(c: FakePlivoCall, status: string, o: SignOpts = {}) {
    if (!c.hangup_url) throw new Error('the call has no hangup_url');
    return this.post(
      c.hangup_url,
      { CallUUID: c.request_uuid, RequestUUID: c.request_uuid, From: c.from, To: c.to, CallStatus: status, HangupCause: status === 'failed' ? 'NETWORK_ERROR' : 'NORMAL_CLEARING' },
      o,
    );
  }
}
