/**
 * Fake Vonage for tests: a real HTTP server on 127.0.0.1 speaking the parts of Vonage's documented
 * APIs Klaxon uses, plus Vonage's side of the signed webhooks. Written from Vonage's API reference,
 * not from Klaxon's client.
 *
 * Messages API: POST /v1/messages, Basic auth `api_key:api_secret`, JSON
 *   `{message_type: "text", channel: "sms", to, from, text[, client_ref]}` (numbers in E.164 without
 *   `+`) -> 202 `{message_uuid}`. Bad credentials -> 401, bad parameters -> 422 with RFC 7807 problem
 *   JSON (`{type, title, detail, instance, invalid_parameters?}`).
 * Voice API: POST /v1/calls, `Authorization: Bearer <JWT>` signed RS256 with the application's
 *   private key (checked with its public key; the `application_id` claim must match), JSON
 *   `{to: [{type: "phone", number}], from: {type: "phone", number}, ncco | answer_url, event_url}`
 *   -> 201 `{uuid, status: "started", direction: "outbound", conversation_uuid}`.
 *
 * Signed webhooks (Vonage's "signed webhooks"): `Authorization: Bearer <JWT>` signed HS256 with the
 * signature secret, claims `iat`, `jti`, `iss: "Vonage"`, `api_key`, `application_id`, and
 * `payload_hash` (SHA-256 hex of the body). `clock` gives `iat` (the test's fake clock).
 *   sendInboundSms(url, {from, text})  an inbound SMS (Messages API inbound webhook)
 *   sendStatus(url, message, status)   a message status webhook (submitted, delivered, rejected, undeliverable)
 *   pressKey(call, digits)             posts the DTMF result to the NCCO input action's eventUrl; returns the answered NCCO
 *   sendCallEvent(call, status)        a call event to the call's event_url
 *   sign(body, over)                   the Authorization header value (over: another secret, another iat) for forged/stale tests
 *
 * Failure behaviour: failNext(n, status) answers the next n API requests with `status` and a problem
 * body; hangNext(n) never answers the next n (a provider that times out).
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { importSPKI, jwtVerify, SignJWT } from 'jose';
import { closeServer, listenLocal, readBody, RecordLog, sendJson } from '../util.js';

export interface FakeVonageMessage {
  message_uuid: string;
  to: string;
  from: string;
  text: string;
  client_ref: string | undefined;
  body: Record<string, unknown>;
}

export interface FakeVonageCall {
  uuid: string;
  conversation_uuid: string;
  to: string;
  from: string;
  ncco: Record<string, unknown>[];
  event_url: string | undefined;
  body: Record<string, unknown>;
}

export interface FakeVonageOptions {
  /** The time webhooks are signed at (ms): the test's fake clock. */
  clock: () => number;
  /** The Vonage application's public key (SPKI PEM): the Voice API checks call JWTs with it. */
  applicationPublicKey?: string;
  applicationId?: string;
}

export class FakeVonage {
  readonly apiKey = 'a1b2c3d4';
  readonly apiSecret = randomUUID();
  readonly signatureSecret = `sig-${randomUUID()}`;
  readonly applicationId: string;
  /** Klaxon's Vonage number (E.164 without `+`, as Vonage writes it). */
  readonly number = '447700900001';
  readonly messages = new RecordLog<FakeVonageMessage>('Vonage message');
  readonly calls = new RecordLog<FakeVonageCall>('Vonage call');
  private server: Server | null = null;
  private failures: number[] = [];
  private hangs = 0;
  private hung: ServerResponse[] = [];

  constructor(private readonly opts: FakeVonageOptions) {
    this.applicationId = opts.applicationId ?? randomUUID();
  }

  async start(): Promise<{ url: string }> {
    this.server = createServer((req, res) => void this.handle(req, res).catch(() => sendJson(res, 500, { title: 'Internal Error' })));
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

  private problem(res: ServerResponse, status: number, title: string, detail: string, extra: Record<string, unknown> = {}): void {
    sendJson(
      res,
      status,
      { type: `https://developer.nexmo.com/api-errors#${title.toLowerCase().replace(/\s+/g, '-')}`, title, detail, instance: randomUUID(), ...extra },
      { 'Content-Type': 'application/problem+json' },
    );
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = (await readBody(req)).toString('utf8');
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'POST' || (path !== '/v1/messages' && path !== '/v1/calls')) return this.problem(res, 404, 'Not Found', 'No such resource');
    if (this.hangs > 0) {
      this.hangs--;
      this.hung.push(res);
      return;
    }
    const failure = this.failures.shift();
    if (failure !== undefined) return this.problem(res, failure, failure >= 500 ? 'Internal Error' : 'Rejected', `failNext(${failure})`);
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return this.problem(res, 422, 'Invalid params', 'The request body is not JSON.');
    }
    if (path === '/v1/messages') {
      const expected = `Basic ${Buffer.from(`${this.apiKey}:${this.apiSecret}`).toString('base64')}`;
      if (req.headers.authorization !== expected) return this.problem(res, 401, 'Unauthorized', 'You did not provide correct credentials.');
      const invalid: { name: string; reason: string }[] = [];
      for (const f of ['to', 'from', 'text']) if (typeof body[f] !== 'string' || !body[f]) invalid.push({ name: f, reason: 'is required' });
      if (typeof body.to === 'string' && !/^\d{7,15}$/.test(body.to)) invalid.push({ name: 'to', reason: 'must be E.164 without a leading +' });
      if (body.channel !== 'sms' || body.message_type !== 'text') invalid.push({ name: 'channel', reason: 'this fake knows channel sms, message_type text' });
      if (invalid.length) return this.problem(res, 422, 'Invalid params', 'The value of one or more parameters is invalid.', { invalid_parameters: invalid });
      const m: FakeVonageMessage = { message_uuid: randomUUID(), to: body.to as string, from: body.from as string, text: body.text as string, client_ref: body.client_ref as string | undefined, body };
      this.messages.push(m);
      return sendJson(res, 202, { message_uuid: m.message_uuid });
    }
    // Voice API: an application JWT.
    const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!token || !this.opts.applicationPublicKey) return this.problem(res, 401, 'Unauthorized', 'Missing or invalid JWT.');
    try {
      const { payload } = await jwtVerify(token, await importSPKI(this.opts.applicationPublicKey, 'RS256'), { algorithms: ['RS256'] });
      if (payload.application_id !== this.applicationId) throw new Error('application_id');
    } catch {
      return this.problem(res, 401, 'Unauthorized', 'Invalid JWT.');
    }
    const to = (body.to as { type?: string; number?: string }[] | undefined)?.[0];
    const from = body.from as { type?: string; number?: string } | undefined;
    const invalid: { name: string; reason: string }[] = [];
    const toNumber = to?.type === 'phone' && to.number && /^\d{7,15}$/.test(to.number) ? to.number : undefined;
    const fromNumber = from?.type === 'phone' && from.number ? from.number : undefined;
    if (!toNumber) invalid.push({ name: 'to', reason: 'a phone endpoint with an E.164 number without +' });
    if (!fromNumber) invalid.push({ name: 'from', reason: 'a phone endpoint' });
    if (!Array.isArray(body.ncco) && !Array.isArray(body.answer_url)) invalid.push({ name: 'ncco', reason: 'ncco or answer_url is required' });
    if (invalid.length || !toNumber || !fromNumber) return this.problem(res, 400, 'Bad Request', 'The request failed due to validation errors', { invalid_parameters: invalid });
    const c: FakeVonageCall = {
      uuid: randomUUID(),
      conversation_uuid: `CON-${randomUUID()}`,
      to: toNumber,
      from: fromNumber,
      ncco: (body.ncco ?? []) as Record<string, unknown>[],
      event_url: (body.event_url as string[] | undefined)?.[0],
      body,
    };
    this.calls.push(c);
    return sendJson(res, 201, { uuid: c.uuid, status: 'started', direction: 'outbound', conversation_uuid: c.conversation_uuid });
  }

  /** The Authorization header Vonage puts on a webhook with this body. */
  async sign(body: string, over: { secret?: string; iatMs?: number; payloadHash?: string } = {}): Promise<string> {
    const jwt = await new SignJWT({
      payload_hash: over.payloadHash ?? createHash('sha256').update(body, 'utf8').digest('hex'),
      api_key: this.apiKey,
      application_id: this.applicationId,
    })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuedAt(Math.floor((over.iatMs ?? this.opts.clock()) / 1000))
      .setJti(randomUUID())
      .setIssuer('Vonage')
      .sign(new TextEncoder().encode(over.secret ?? this.signatureSecret));
    return `Bearer ${jwt}`;
  }

  /** POSTs a signed JSON webhook; `authorization` replaces the signature (forged/stale tests). */
  async post(url: string, payload: unknown, o: { authorization?: string } = {}): Promise<{ status: number; text: string; json: unknown }> {
    const body = JSON.stringify(payload);
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: o.authorization ?? (await this.sign(body)) }, body });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, text, json };
  }

  /** An inbound SMS as the Messages API posts it to the application's Inbound URL. */
  inboundSmsPayload(from: string, text: string): Record<string, unknown> {
    return { channel: 'sms', message_uuid: randomUUID(), to: this.number, from: from.replace(/^\+/, ''), text, timestamp: new Date(this.opts.clock()).toISOString(), message_type: 'text' };
  }

  sendInboundSms(url: string, from: string, text: string, o: { authorization?: string } = {}) {
    return this.post(url, this.inboundSmsPayload(from, text), o);
  }

  /** A message status webhook (Messages API Status URL). */
  sendStatus(url: string, m: FakeVonageMessage, status: string, o: { authorization?: string } = {}) {
    const failed = status === 'rejected' || status === 'undeliverable';
    return this.post(
      url,
      {
        message_uuid: m.message_uuid,
        to: m.to,
        from: m.from,
        timestamp: new Date(this.opts.clock()).toISOString(),
        status,
        channel: 'sms',
        ...(m.client_ref && { client_ref: m.client_ref }),
        ...(failed && { error: { type: 'https://developer.nexmo.com/api-errors/messages#1320', title: '1320', detail: 'Message failed because the number is unreachable' } }),
      },
      o,
    );
  }

  /** The callee presses `digits`: posts the input result to the NCCO input action's eventUrl; resolves with the NCCO answered. */
  async pressKey(c: FakeVonageCall, digits: string, o: { authorization?: string; ncco?: Record<string, unknown>[] } = {}) {
    const input = (o.ncco ?? c.ncco).find((a) => a.action === 'input') as { eventUrl?: string[] } | undefined;
    if (!input?.eventUrl?.[0]) throw new Error('the NCCO has no input action with an eventUrl');
    return this.post(
      input.eventUrl[0],
      {
        speech: { results: [] },
        dtmf: { digits, timed_out: false },
        from: c.from,
        to: c.to,
        uuid: c.uuid,
        conversation_uuid: c.conversation_uuid,
        timestamp: new Date(this.opts.clock()).toISOString(),
      },
      o,
    );
  }

  /** A call event to the call's event_url (started, ringing, answered, completed, failed, rejected...). */
  sendCallEvent(c: FakeVonageCall, status: string, o: { authorization?: string } = {}) {
    if (!c.event_url) throw new Error('the call has no event_url');
    return this.post(
      c.event_url,
      { from: c.from, to: c.to, uuid: c.uuid, conversation_uuid: c.conversation_uuid, status, direction: 'outbound', timestamp: new Date(this.opts.clock()).toISOString() },
      o,
    );
  }
}
