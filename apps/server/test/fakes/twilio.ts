/**
 * Fake Twilio for tests: a real HTTP server on 127.0.0.1 (random port) speaking the parts of the Twilio
 * REST API Klaxon uses, plus helpers that play Twilio's side of webhooks (signed exactly as Twilio
 * signs them, with the fake's auth token).
 *
 * REST API (give `url` as the provider's baseUrl):
 *   POST /2010-04-01/Accounts/{AccountSid}/Messages.json   To, From, Body[, StatusCallback]  -> 201 {sid:'SM...', status:'queued', ...}
 *   POST /2010-04-01/Accounts/{AccountSid}/Calls.json      To, From, Url[, Method, StatusCallback] -> 201 {sid:'CA...', status:'queued', ...}
 *   GET  /2010-04-01/Accounts/{AccountSid}/Messages/{sid}.json, /Calls/{sid}.json -> the resource
 *   Basic auth AccountSid:AuthToken is required (401 `{code:20003, message:'Authenticate', status:401}`
 *   otherwise); bodies are form-encoded; errors are Twilio-shaped `{code, message, more_info, status}`
 *   WhatsApp: Messages with `To`/`From` both `whatsapp:+E164` (one without: 400 21910).
 *   (missing/invalid To -> 400 21604/21211, missing Body -> 400 21602, missing Url -> 400 21205; the
 *   Twilio magic number +15005550001 is "invalid").
 *   Idempotency-Key: a repeated key answers the first resource again; it is recorded once and counted
 *   in `duplicates`.
 *
 * Failure behaviour: `failNext(n, status, error?)` makes the next n authenticated API requests answer
 * `status` (500, 400, 429...) with a Twilio-shaped error; they record nothing and do not consume an
 * idempotency key, so a retry goes through.
 *
 * Twilio's side of webhooks (all POSTs form-encoded and signed with X-Twilio-Signature):
 *   sendInboundSms({to: klaxonWebhookUrl, from, body})  an incoming SMS as Twilio posts it
 *   answerCall(call, digits)       fetches the call's TwiML Url, follows its <Gather action>, posts Digits; returns the final TwiML
 *   fetchTwiml(call)               just the first step (what the callee hears)
 *   sendStatusCallback(resource, status)  a delivery report to the resource's StatusCallback
 *   waitForMessage(pred) / waitForCall(pred)  resolve when a matching resource is created
 *   callIn({url, from})           an incoming call to a Twilio number, as Twilio posts it to the number's
 *                                 Voice webhook (CallSid, AccountSid, From, To, Caller, Called,
 *                                 CallStatus=ringing, Direction=inbound, ApiVersion); returns the TwiML answer
 *   endDial(call, twiml, status)  the end of the <Dial> in `twiml`, as Twilio posts it to the Dial's
 *                                 `action` (the call's parameters plus DialCallStatus, DialCallSid,
 *                                 DialBridged, and DialCallDuration when the dialled party answered)
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { computeTwilioSignature } from '../../src/notify/providers/twilio/signature.js';
import { closeServer, listenLocal, parseForm, readBody, RecordLog, sendJson } from './util.js';

/** Options of {@link FakeTwilio}. */
export interface FakeTwilioOptions {
  /** Account SID the fake accepts (default a fixed AC... value). */
  accountSid?: string;
  /** Auth token the fake accepts and signs webhooks with (default random). */
  authToken?: string;
  /** The Klaxon phone number: `To` of inbound SMS (default +15005550006). */
  phoneNumber?: string;
}

/** An SMS created through the fake. */
export interface FakeTwilioMessage {
  sid: string;
  to: string;
  from: string;
  body: string;
  status: string;
  statusCallback: string | undefined;
  idempotencyKey: string | undefined;
  numSegments: number;
  /** Every form field as posted. */
  form: Record<string, string>;
  /** When the fake received it (performance.now() of this process): for latency figures (bench/delivery.ts). */
  receivedAt: number;
}

/** A call created through the fake. */
export interface FakeTwilioCall {
  sid: string;
  to: string;
  from: string;
  /** The TwiML URL Twilio would fetch when the call is answered. */
  url: string;
  method: string;
  status: string;
  statusCallback: string | undefined;
  idempotencyKey: string | undefined;
  form: Record<string, string>;
  /** When the fake received it (performance.now() of this process). */
  receivedAt: number;
  /** The TwiML last fetched by fetchTwiml / answerCall (first step). */
  twiml?: string;
}

/** A call into a Twilio number (its Voice webhook is Klaxon's). */
export interface FakeTwilioInboundCall {
  sid: string;
  from: string;
  /** The Twilio number called. */
  to: string;
  /** The Voice webhook URL the call was posted to. */
  url: string;
  /** The numbers each <Dial> of the call rang, in order. */
  dialed: string[];
}

/** What a Klaxon webhook endpoint answered to a request the fake made. */
export interface WebhookAnswer {
  status: number;
  body: string;
  contentType: string;
}

/** A Twilio-shaped error body. */
export interface TwilioErrorBody {
  code: number;
  message: string;
}

interface Injected {
  status: number;
  error: TwilioErrorBody;
}

const API_VERSION = '2010-04-01';
const DEFAULT_ERRORS: Record<number, TwilioErrorBody> = {
  400: { code: 21211, message: "Invalid 'To' Phone Number" },
  404: { code: 20404, message: 'The requested resource was not found' },
  429: { code: 20429, message: 'Too Many Requests' },
  500: { code: 20500, message: 'Internal Server Error' },
  503: { code: 20503, message: 'Service Unavailable' },
};
const E164 = /^\+[1-9]\d{6,14}$/;

/** Fake Twilio REST API + webhook sender. */
export class FakeTwilio {
  /** Account SID the fake accepts. */
  readonly accountSid: string;
  /** Auth token the fake accepts and signs with. */
  readonly authToken: string;
  /** The Klaxon number (To of inbound SMS). */
  readonly phoneNumber: string;
  /** Repeated Idempotency-Keys answered from the first request. */
  duplicates = 0;
  /** Every API request: method, path, answered status. */
  readonly requests: { method: string; path: string; status: number; idempotencyKey: string | undefined }[] = [];
  private readonly messageLog = new RecordLog<FakeTwilioMessage>('FakeTwilio messages');
  private readonly callLog = new RecordLog<FakeTwilioCall>('FakeTwilio calls');
  private readonly idempotent = new Map<string, { status: number; body: unknown }>();
  private readonly injected: Injected[] = [];
  private holds = 0;
  private readonly held: (() => void)[] = [];
  private server: Server | null = null;
  private baseUrl = '';

  /** Creates the fake; call start() to listen. */
  constructor(opts: FakeTwilioOptions = {}) {
    this.accountSid = opts.accountSid ?? 'AC00000000000000000000000000000001';
    this.authToken = opts.authToken ?? randomBytes(16).toString('hex');
    this.phoneNumber = opts.phoneNumber ?? '+15005550006';
  }

  /** SMS messages created (duplicates excluded). */
  get messages(): FakeTwilioMessage[] {
    return this.messageLog.items;
  }

  /** Calls created (duplicates excluded). */
  get calls(): FakeTwilioCall[] {
    return this.callLog.items;
  }

  /** Starts listening on 127.0.0.1:0; `url` is the API base URL. */
  async start(): Promise<{ url: string }> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { code: 20500, message: String(err), status: 500 });
        else res.destroy();
      });
    });
    this.baseUrl = await listenLocal(this.server);
    return { url: this.baseUrl };
  }

  /** Stops the server. */
  async close(): Promise<void> {
    this.releaseHeld();
    await closeServer(this.server);
    this.server = null;
  }

  /** Makes the next `n` authenticated API requests fail with `status` and a Twilio-shaped error. */
  failNext(n: number, status = 500, error?: TwilioErrorBody): void {
    const body = error ?? DEFAULT_ERRORS[status] ?? { code: 20000 + status, message: `HTTP ${status}` };
    for (let i = 0; i < n; i++) this.injected.push({ status, error: body });
  }

  /** Resolves with the first created SMS matching `predicate`. */
  waitForMessage(predicate: (m: FakeTwilioMessage) => boolean = () => true, timeoutMs = 5000): Promise<FakeTwilioMessage> {
    return this.messageLog.waitFor(predicate, timeoutMs);
  }

  /** Resolves with the first created call matching `predicate`. */
  waitForCall(predicate: (c: FakeTwilioCall) => boolean = () => true, timeoutMs = 5000): Promise<FakeTwilioCall> {
    return this.callLog.waitFor(predicate, timeoutMs);
  }

  /**
   * POSTs an incoming SMS to Klaxon's webhook `to`, as Twilio does: form-encoded, Twilio's field names,
   * signed. `signWith` overrides the auth token used for the signature (to test rejection).
   */
  async sendInboundSms(opts: { to: string; from: string; body: string; toNumber?: string; signWith?: string }): Promise<WebhookAnswer> {
    const sid = `SM${randomBytes(16).toString('hex')}`;
    const params: Record<string, string> = {
      ToCountry: 'US',
      ToState: '',
      SmsMessageSid: sid,
      NumMedia: '0',
      ToCity: '',
      FromZip: '',
      SmsSid: sid,
      FromState: '',
      SmsStatus: 'received',
      FromCity: '',
      Body: opts.body,
      FromCountry: 'US',
      To: opts.toNumber ?? this.phoneNumber,
      ToZip: '',
      NumSegments: String(segments(opts.body)),
      MessageSid: sid,
      AccountSid: this.accountSid,
      From: opts.from,
      ApiVersion: API_VERSION,
    };
    return this.post(opts.to, params, opts.signWith);
  }

  /** Fetches the TwiML of an answered call from its Url (signed, CallStatus=in-progress) and stores it on `call.twiml`. */
  async fetchTwiml(call: FakeTwilioCall, signWith?: string): Promise<string> {
    const answer = await this.request(call.method, call.url, this.callParams(call, 'in-progress'), signWith);
    if (answer.status !== 200) throw new Error(`FakeTwilio: TwiML Url ${call.url} answered HTTP ${answer.status}: ${answer.body}`);
    call.twiml = answer.body;
    return answer.body;
  }

  /**
   * Answers `call`: fetches its TwiML, finds the <Gather> action, posts `digits` to it (signed, with the
   * call's parameters) and returns the TwiML Klaxon answered with.
   */
  async answerCall(call: FakeTwilioCall, digits: string): Promise<string> {
    const twiml = await this.fetchTwiml(call);
    const gather = parseGather(twiml);
    if (!gather) throw new Error(`FakeTwilio: no <Gather> in TwiML: ${twiml}`);
    const action = new URL(gather.action ?? call.url, call.url).toString();
    const params = { ...this.callParams(call, 'in-progress'), Digits: digits, FinishedOnKey: '', msg: 'Gather End' };
    const answer = await this.request(gather.method ?? 'POST', action, params);
    if (answer.status !== 200) throw new Error(`FakeTwilio: Gather action ${action} answered HTTP ${answer.status}: ${answer.body}`);
    return answer.body;
  }

  /**
   * An incoming call to a Twilio number whose Voice webhook is `url`: POSTs Twilio's request
   * parameters for a new inbound call (signed) and returns the call and Klaxon's TwiML answer.
   * `signWith` signs with another token (a forged request).
   */
  async callIn(opts: { url: string; from: string; toNumber?: string; signWith?: string; callSid?: string }): Promise<{ call: FakeTwilioInboundCall; answer: WebhookAnswer }> {
    const call: FakeTwilioInboundCall = { sid: opts.callSid ?? `CA${randomBytes(16).toString('hex')}`, from: opts.from, to: opts.toNumber ?? this.phoneNumber, url: opts.url, dialed: [] };
    const answer = await this.post(opts.url, this.inboundParams(call, 'ringing'), opts.signWith);
    this.noteDial(call, answer);
    return { call, answer };
  }

  /**
   * Ends the <Dial> of `twiml` (the TwiML Klaxon last answered for `call`) with `dialCallStatus`
   * (completed, answered, busy, no-answer, failed, canceled): POSTs to the Dial's `action` (resolved
   * against the Voice webhook URL), with the call's parameters plus DialCallStatus, DialCallSid,
   * DialBridged and, when the dialled party answered, DialCallDuration. Returns Klaxon's answer.
   */
  async endDial(call: FakeTwilioInboundCall, twiml: string, dialCallStatus: string, opts: { durationSeconds?: number; signWith?: string } = {}): Promise<WebhookAnswer> {
    const d = parseDial(twiml);
    if (!d) throw new Error(`FakeTwilio: no <Dial> in TwiML: ${twiml}`);
    if (!d.action) throw new Error(`FakeTwilio: the <Dial> has no action (Twilio would go on with the next verb): ${twiml}`);
    const answered = dialCallStatus === 'completed' || dialCallStatus === 'answered';
    const params: Record<string, string> = {
      ...this.inboundParams(call, dialCallStatus === 'canceled' ? 'completed' : 'in-progress'),
      DialCallStatus: dialCallStatus,
      DialCallSid: `CA${randomBytes(16).toString('hex')}`,
      DialBridged: answered ? 'true' : 'false',
      ...(answered && { DialCallDuration: String(opts.durationSeconds ?? 42) }),
    };
    const answer = await this.request(d.method ?? 'POST', new URL(d.action, call.url).toString(), params, opts.signWith);
    this.noteDial(call, answer);
    return answer;
  }

  private noteDial(call: FakeTwilioInboundCall, answer: WebhookAnswer): void {
    const d = answer.status === 200 ? parseDial(answer.body) : null;
    if (d) call.dialed.push(...d.numbers);
  }

  private inboundParams(call: FakeTwilioInboundCall, status: string): Record<string, string> {
    return {
      AccountSid: this.accountSid,
      ApiVersion: API_VERSION,
      CallSid: call.sid,
      CallStatus: status,
      Called: call.to,
      CalledCountry: 'US',
      Caller: call.from,
      CallerCountry: 'US',
      Direction: 'inbound',
      From: call.from,
      FromCountry: 'US',
      To: call.to,
      ToCountry: 'US',
    };
  }

  /** Posts a status callback for a message (MessageStatus) or call (CallStatus) to its StatusCallback URL. */
  async sendStatusCallback(resource: FakeTwilioMessage | FakeTwilioCall, status: string): Promise<WebhookAnswer> {
    if (!resource.statusCallback) throw new Error(`FakeTwilio: ${resource.sid} has no StatusCallback`);
    resource.status = status;
    const params: Record<string, string> = resource.sid.startsWith('SM')
      ? {
          AccountSid: this.accountSid,
          ApiVersion: API_VERSION,
          From: resource.from,
          To: resource.to,
          MessageSid: resource.sid,
          SmsSid: resource.sid,
          MessageStatus: status,
          SmsStatus: status,
        }
      : this.callParams(resource as FakeTwilioCall, status);
    return this.post(resource.statusCallback, params);
  }

  /** POSTs form `params` to `url` signed like Twilio (signature over url + sorted params). */
  post(url: string, params: Record<string, string>, signWith?: string): Promise<WebhookAnswer> {
    return this.request('POST', url, params, signWith);
  }

  private async request(method: string, url: string, params: Record<string, string>, signWith?: string): Promise<WebhookAnswer> {
    const token = signWith ?? this.authToken;
    const headers: Record<string, string> = {
      'User-Agent': 'TwilioProxy/1.1',
      'I-Twilio-Idempotency-Token': randomUUID(),
    };
    let res: Response;
    if (method.toUpperCase() === 'GET') {
      const u = new URL(url);
      for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
      headers['X-Twilio-Signature'] = computeTwilioSignature(token, u.toString(), {});
      res = await fetch(u, { method: 'GET', headers });
    } else {
      headers['Content-Type'] = 'application/x-www-form-urlencoded; charset=UTF-8';
      headers['X-Twilio-Signature'] = computeTwilioSignature(token, url, params);
      res = await fetch(url, { method: 'POST', headers, body: new URLSearchParams(params).toString() });
    }
    return { status: res.status, body: await res.text(), contentType: res.headers.get('content-type') ?? '' };
  }

  private callParams(call: FakeTwilioCall, status: string): Record<string, string> {
    return {
      AccountSid: this.accountSid,
      ApiVersion: API_VERSION,
      CallSid: call.sid,
      CallStatus: status,
      Called: call.to,
      Caller: call.from,
      Direction: 'outbound-api',
      From: call.from,
      To: call.to,
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://fake').pathname;
    const method = req.method ?? 'GET';
    const idempotencyKey = headerValue(req, 'idempotency-key');
    const answer = (status: number, body: unknown) => {
      this.requests.push({ method, path, status, idempotencyKey });
      sendJson(res, status, body);
    };
    const fail = (status: number, code: number, message: string) => answer(status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });

    const m = /^\/2010-04-01\/Accounts\/([^/]+)\/(Messages|Calls)(?:\/([^/]+))?\.json$/.exec(path);
    const rawBody = (await readBody(req)).toString('utf8');
    if (!m) return fail(404, 20404, `The requested resource ${path} was not found`);
    const [, sid = '', kind = '', resourceSid] = m;

    if (!this.authorized(req) || decodeURIComponent(sid) !== this.accountSid) return fail(401, 20003, 'Authenticate');

    const injected = this.injected.shift();
    if (injected) return fail(injected.status, injected.error.code, injected.error.message);

    if (resourceSid !== undefined) {
      if (method !== 'GET') return fail(405, 20004, 'Method not allowed');
      const found = kind === 'Messages' ? this.messages.find((x) => x.sid === resourceSid) : this.calls.find((x) => x.sid === resourceSid);
      if (!found) return fail(404, 20404, `The requested resource ${path} was not found`);
      return answer(200, kind === 'Messages' ? this.messageJson(found as FakeTwilioMessage) : this.callJson(found as FakeTwilioCall));
    }
    if (method !== 'POST') return fail(405, 20004, 'Method not allowed');

    const dedupKey = idempotencyKey ? `${path}|${idempotencyKey}` : undefined;
    const previous = dedupKey ? this.idempotent.get(dedupKey) : undefined;
    if (previous) {
      this.duplicates += 1;
      return answer(previous.status, previous.body);
    }

    const form = parseForm(rawBody);
    const to = form.To ?? '';
    const from = form.From ?? '';
    if (to === '') return fail(400, kind === 'Messages' ? 21604 : 21201, kind === 'Messages' ? "A 'To' phone number is required." : "No 'To' number is specified");
    // WhatsApp through the Messages API: both addresses in the `whatsapp:+E164` form, or neither (21910).
    const bareTo = kind === 'Messages' ? to.replace(/^whatsapp:/, '') : to;
    if (!E164.test(bareTo) || bareTo === '+15005550001') return fail(400, 21211, `The 'To' number ${to} is not a valid phone number.`);
    if (from === '') return fail(400, 21603, "A 'From' phone number is required.");
    if (to.startsWith('whatsapp:') !== from.startsWith('whatsapp:')) return fail(400, 21910, 'Invalid From and To pair. From and To should be of the same channel');

    let body: unknown;
    if (kind === 'Messages') {
      const text = form.Body ?? '';
      if (text === '') return fail(400, 21602, 'Message body is required.');
      const msg: FakeTwilioMessage = {
        sid: `SM${randomBytes(16).toString('hex')}`,
        to,
        from,
        body: text,
        status: 'queued',
        statusCallback: form.StatusCallback,
        idempotencyKey,
        numSegments: segments(text),
        form,
        receivedAt: performance.now(),
      };
      body = this.messageJson(msg);
      this.messageLog.push(msg);
    } else {
      const url = form.Url ?? '';
      if (url === '' && form.Twiml === undefined) return fail(400, 21205, 'Url parameter is required.');
      const call: FakeTwilioCall = {
        sid: `CA${randomBytes(16).toString('hex')}`,
        to,
        from,
        url,
        method: (form.Method ?? 'POST').toUpperCase(),
        status: 'queued',
        statusCallback: form.StatusCallback,
        idempotencyKey,
        form,
        receivedAt: performance.now(),
      };
      body = this.callJson(call);
      this.callLog.push(call);
    }
    if (dedupKey) this.idempotent.set(dedupKey, { status: 201, body });
    if (this.holds > 0) {
      // Accepted and recorded, but the answer is withheld: the sender sees a request in flight.
      this.holds -= 1;
      this.held.push(() => answer(201, body));
      return;
    }
    answer(201, body);
  }

  /** The next n accepted messages or calls are recorded but not answered until releaseHeld() (a request in flight). */
  holdNext(n: number): void {
    this.holds += n;
  }

  /** Answers every held request (a sender that died meanwhile never reads the answer). */
  releaseHeld(): void {
    for (const send of this.held.splice(0)) send();
  }

  private authorized(req: IncomingMessage): boolean {
    const header = headerValue(req, 'authorization') ?? '';
    const m = /^Basic\s+(.+)$/i.exec(header);
    if (!m?.[1]) return false;
    return Buffer.from(m[1], 'base64').toString('utf8') === `${this.accountSid}:${this.authToken}`;
  }

  private messageJson(m: FakeTwilioMessage): Record<string, unknown> {
    const now = new Date().toUTCString().replace('GMT', '+0000');
    return {
      account_sid: this.accountSid,
      api_version: API_VERSION,
      body: m.body,
      date_created: now,
      date_sent: null,
      date_updated: now,
      direction: 'outbound-api',
      error_code: null,
      error_message: null,
      from: m.from,
      messaging_service_sid: null,
      num_media: '0',
      num_segments: String(m.numSegments),
      price: null,
      price_unit: 'USD',
      sid: m.sid,
      status: m.status,
      to: m.to,
      uri: `/${API_VERSION}/Accounts/${this.accountSid}/Messages/${m.sid}.json`,
    };
  }

  private callJson(c: FakeTwilioCall): Record<string, unknown> {
    const now = new Date().toUTCString().replace('GMT', '+0000');
    return {
      account_sid: this.accountSid,
      api_version: API_VERSION,
      date_created: now,
      date_updated: now,
      direction: 'outbound-api',
      from: c.from,
      from_formatted: c.from,
      sid: c.sid,
      status: c.status,
      to: c.to,
      to_formatted: c.to,
      uri: `/${API_VERSION}/Accounts/${this.accountSid}/Calls/${c.sid}.json`,
    };
  }
}

/** The action / method attributes of the first <Gather> in a TwiML document, XML entities decoded. */
export function parseGather(twiml: string): { action: string | undefined; method: string | undefined } | null {
  const m = /<Gather\b([^>]*)>/.exec(twiml);
  if (!m) return null;
  const attrs: Record<string, string> = {};
  for (const a of (m[1] ?? '').matchAll(/([A-Za-z_:][\w:.-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
    attrs[a[1] ?? ''] = decodeXml(a[2] ?? a[3] ?? '');
  }
  return { action: attrs.action, method: attrs.method };
}

/** The first <Dial> of a TwiML document: its action, method and timeout attributes and the <Number>s it rings, XML entities decoded. */
export function parseDial(twiml: string): { action: string | undefined; method: string | undefined; timeout: number | undefined; numbers: string[] } | null {
  const m = /<Dial\b([^>]*)>([\s\S]*?)<\/Dial>/.exec(twiml);
  if (!m) return null;
  const attrs: Record<string, string> = {};
  for (const a of (m[1] ?? '').matchAll(/([A-Za-z_:][\w:.-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) attrs[a[1] ?? ''] = decodeXml(a[2] ?? a[3] ?? '');
  const numbers = [...(m[2] ?? '').matchAll(/<Number\b[^>]*>([^<]*)<\/Number>/g)].map((n) => decodeXml((n[1] ?? '').trim()));
  return { action: attrs.action, method: attrs.method, timeout: attrs.timeout === undefined ? undefined : Number(attrs.timeout), numbers };
}

/** Decodes the predefined XML entities and numeric character references. */
export function decodeXml(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_, e: string) => {
    if (e === 'amp') return '&';
    if (e === 'lt') return '<';
    if (e === 'gt') return '>';
    if (e === 'quot') return '"';
    if (e === 'apos') return "'";
    return String.fromCodePoint(e.startsWith('#x') ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
  });
}

function segments(text: string): number {
  return text.length <= 160 ? 1 : Math.ceil(text.length / 153);
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
