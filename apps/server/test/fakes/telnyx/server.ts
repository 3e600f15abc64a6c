/**
 * Fake Telnyx for tests: a real HTTP server on 127.0.0.1 speaking the parts of Telnyx's documented
 * API v2 Klaxon uses, and Telnyx's side of its signed webhooks. Written from Telnyx's API reference.
 *
 * API (Authorization: Bearer <API key>, JSON):
 *   POST /v2/messages  {from, to, text[, webhook_url]} -> 200 {data: {record_type: "message", id, from, to: [{phone_number, status: "queued"}], text}}
 *   POST /v2/calls     {connection_id, to, from[, webhook_url, client_state]} -> 200 {data: {record_type: "call", call_control_id, call_leg_id, call_session_id, is_alive: false}}
 *   POST /v2/calls/{call_control_id}/actions/{gather_using_speak|speak|hangup} -> 200 {data: {result: "ok"}}
 *   Errors: {errors: [{code, title, detail}]}, 401 for a bad key, 422 for bad parameters.
 * Webhooks: JSON `{data: {record_type: "event", event_type, id, occurred_at, payload}, meta}`, signed:
 *   `telnyx-timestamp` (Unix seconds, from `clock`) and `telnyx-signature-ed25519` = base64 Ed25519
 *   signature of `<timestamp>|<body>` with the account's key pair (`publicKey` is what Klaxon is given).
 *   sendInboundSms, sendMessageStatus, callEvent (call.answered, call.gather.ended, call.speak.ended, call.hangup).
 *   Options: `{ timestampMs }` (stale), `{ privateKey }` (forged with another key).
 * failNext(n, status) / hangNext(n): the next API requests fail / never answer.
 */
import { generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { closeServer, listenLocal, readBody, RecordLog, sendJson } from '../util.js';
import { must } from '../../../src/lib/must.js';

export interface FakeTelnyxMessage {
  id: string;
  from: string;
  to: string;
  text: string;
  webhook_url: string | undefined;
}

export interface FakeTelnyxCall {
  call_control_id: string;
  connection_id: string;
  from: string;
  to: string;
  webhook_url: string | undefined;
  client_state: string | undefined;
}

export interface FakeTelnyxCommand {
  call_control_id: string;
  action: string;
  body: Record<string, unknown>;
}

type SignOpts = { timestampMs?: number; privateKey?: KeyObject };

export class FakeTelnyx {
  readonly apiKey = `KEY${randomUUID().replace(/-/g, '')}`;
  readonly connectionId = '1234567890';
  readonly number = '+353851234000';
  readonly publicKey: string;
  private readonly privateKey: KeyObject;
  readonly messages = new RecordLog<FakeTelnyxMessage>('Telnyx message');
  readonly calls = new RecordLog<FakeTelnyxCall>('Telnyx call');
  readonly commands = new RecordLog<FakeTelnyxCommand>('Telnyx command');
  private server: Server | null = null;
  private failures: number[] = [];
  private hangs = 0;
  private hung: ServerResponse[] = [];

  constructor(private readonly clock: () => number) {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    this.privateKey = privateKey;
    // The portal shows the raw 32-byte key in base64: the last 32 bytes of the SPKI DER.
    this.publicKey = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('base64');
  }

  async start(): Promise<{ url: string }> {
    this.server = createServer((req, res) => void this.handle(req, res).catch(() => sendJson(res, 500, { errors: [{ code: '10001', title: 'Internal error' }] })));
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
    const err = (status: number, code: string, title: string, detail?: string) => sendJson(res, status, { errors: [{ code, title, ...(detail && { detail }) }] });
    const path = req.url ?? '';
    if (req.method !== 'POST') return err(404, '10005', 'Resource not found');
    if (this.hangs > 0) {
      this.hangs--;
      this.hung.push(res);
      return;
    }
    const failure = this.failures.shift();
    if (failure !== undefined) return err(failure, '10001', 'Inactive or failing', `failNext(${failure})`);
    if (req.headers.authorization !== `Bearer ${this.apiKey}`) return err(401, '10009', 'Authentication failed');
    let b: Record<string, unknown>;
    try {
      b = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return err(422, '10015', 'Invalid JSON');
    }
    const e164 = (v: unknown) => typeof v === 'string' && /^\+\d{7,15}$/.test(v);
    if (path === '/v2/messages') {
      if (!e164(b.to) || typeof b.from !== 'string' || typeof b.text !== 'string' || !b.text) return err(422, '40300', 'Invalid parameters', 'to (E.164 with +), from and text are required');
      const m: FakeTelnyxMessage = { id: randomUUID(), from: b.from, to: b.to as string, text: b.text, webhook_url: typeof b.webhook_url === 'string' ? b.webhook_url : undefined };
      this.messages.push(m);
      return sendJson(res, 200, { data: { record_type: 'message', id: m.id, from: { phone_number: m.from }, to: [{ phone_number: m.to, status: 'queued' }], text: m.text, direction: 'outbound' } });
    }
    if (path === '/v2/calls') {
      if (!e164(b.to) || typeof b.from !== 'string' || typeof b.connection_id !== 'string') return err(422, '10016', 'Invalid parameters', 'connection_id, to and from are required');
      const c: FakeTelnyxCall = {
        call_control_id: `v3:${randomUUID()}`,
        connection_id: b.connection_id,
        from: b.from,
        to: b.to as string,
        webhook_url: typeof b.webhook_url === 'string' ? b.webhook_url : undefined,
        client_state: typeof b.client_state === 'string' ? b.client_state : undefined,
      };
      this.calls.push(c);
      return sendJson(res, 200, { data: { record_type: 'call', call_control_id: c.call_control_id, call_leg_id: randomUUID(), call_session_id: randomUUID(), is_alive: false } });
    }
    const m = /^\/v2\/calls\/([^/]+)\/actions\/([a-z_]+)$/.exec(path);
    if (m) {
      const id = decodeURIComponent(must(m[1], 'm[1]'));
      if (!this.calls.items.some((c) => c.call_control_id === id)) return err(422, '90018', 'Call has already ended');
      this.commands.push({ call_control_id: id, action: must(m[2], 'm[2]'), body: b });
      return sendJson(res, 200, { data: { result: 'ok' } });
    }
    return err(404, '10005', 'Resource not found');
  }

  /** The signature headers Telnyx puts on a webhook with this body. */
  headers(body: string, o: SignOpts = {}): Record<string, string> {
    const ts = String(Math.floor((o.timestampMs ?? this.clock()) / 1000));
    return { 'telnyx-timestamp': ts, 'telnyx-signature-ed25519': sign(null, Buffer.from(`${ts}|${body}`), o.privateKey ?? this.privateKey).toString('base64') };
  }

  async post(url: string, eventType: string, payload: Record<string, unknown>, o: SignOpts = {}): Promise<{ status: number; text: string }> {
    const body = JSON.stringify({
      data: { record_type: 'event', event_type: eventType, id: randomUUID(), occurred_at: new Date(this.clock()).toISOString(), payload },
      meta: { attempt: 1, delivered_to: url },
    });
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...this.headers(body, o) }, body });
    return { status: res.status, text: await res.text() };
  }

  sendInboundSms(url: string, from: string, text: string, o: SignOpts = {}) {
    return this.post(
      url,
      'message.received',
      { id: randomUUID(), direction: 'inbound', from: { phone_number: from }, to: [{ phone_number: this.number, status: 'webhook_delivered' }], text, type: 'SMS' },
      o,
    );
  }

  sendMessageStatus(m: FakeTelnyxMessage, status: 'sent' | 'delivered' | 'sending_failed' | 'delivery_failed', o: SignOpts = {}) {
    if (!m.webhook_url) throw new Error('the message has no webhook_url');
    const failed = status === 'sending_failed' || status === 'delivery_failed';
    return this.post(
      m.webhook_url,
      status === 'sent' ? 'message.sent' : 'message.finalized',
      {
        id: m.id,
        direction: 'outbound',
        from: { phone_number: m.from },
        to: [{ phone_number: m.to, status }],
        text: m.text,
        errors: failed ? [{ code: '40008', title: 'Undeliverable', detail: 'The destination is unreachable' }] : [],
      },
      o,
    );
  }

  /** A Call Control event about `c` to its webhook_url. */
  callEvent(c: FakeTelnyxCall, eventType: string, extra: Record<string, unknown> = {}, o: SignOpts = {}) {
    if (!c.webhook_url) throw new Error('the call has no webhook_url');
    return this.post(c.webhook_url, eventType, { call_control_id: c.call_control_id, connection_id: c.connection_id, from: c.from, to: c.to, client_state: c.client_state, ...extra }, o);
  }
}
