/**
 * A local fake of Pushover's API (https://pushover.net/api, /api/receipts), on
 * http://127.0.0.1:<random port>:
 *   POST /1/messages.json   form (or JSON) fields token, user, message (required), title, priority
 *                           (-2..2), url, url_title, timestamp; for priority 2 also retry (>= 30),
 *                           expire (<= 10800) and an optional callback URL. Answers
 *                           `{status: 1, request}` plus `receipt` (30 characters [A-Za-z0-9]) for
 *                           priority 2. A bad application token or user key is HTTP 400
 *                           `{token|user: "invalid", errors: [...], status: 0, request}`.
 *   GET  /1/receipts/{receipt}.json?token=   the receipt's status (acknowledged, acknowledged_at,
 *                           acknowledged_by, acknowledged_by_device, expired, expires_at, called_back...).
 *   POST /1/receipts/{receipt}/cancel.json   form token: stops the repeats; `{status: 1, request}`.
 * `acknowledge(receipt)` is the person pressing "Acknowledge" in the app: the receipt is marked and,
 * when the message had a callback URL, Pushover's POST (receipt, acknowledged=1, acknowledged_at,
 * acknowledged_by, acknowledged_by_device) is sent to it. `failNext(status)` fails the next message.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { closeServer, listenLocal, parseForm, readBody, RecordLog, sendJson } from '../util.js';
import { must } from '../../../src/lib/must.js';

/** One accepted message. */
export interface PushoverMessageRecord {
  request: string;
  user: string;
  title?: string;
  message: string;
  priority: number;
  retry?: number;
  expire?: number;
  callback?: string;
  url?: string;
  url_title?: string;
  receipt?: string;
}

interface Receipt {
  message: PushoverMessageRecord;
  acknowledgedAt: number;
  acknowledgedBy: string;
  device: string;
  cancelled: boolean;
  expiresAt: number;
  calledBackAt: number;
}

const alnum = (n: number) =>
  randomBytes(n * 2)
    .toString('base64')
    .replace(/[^A-Za-z0-9]/g, '')
    .slice(0, n)
    .padEnd(n, 'a');

/** The fake Pushover API. */
export class FakePushover {
  /** The application token it accepts. */
  readonly token = alnum(30);
  readonly messages = new RecordLog<PushoverMessageRecord>('pushover messages');
  readonly refused = new RecordLog<{ status: number; errors: string[] }>('pushover refused');
  readonly cancels = new RecordLog<string>('pushover receipt cancels');
  private readonly users = new Set<string>();
  private readonly receipts = new Map<string, Receipt>();
  private fail: number[] = [];
  private server: Server | null = null;
  url = '';

  /** Registers a user and returns their user key. */
  newUser(): string {
    const key = `u${alnum(29)}`;
    this.users.add(key);
    return key;
  }

  /** Starts listening. */
  async start(): Promise<{ url: string }> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.url = await listenLocal(this.server);
    return { url: this.url };
  }

  /** Stops. */
  close(): Promise<void> {
    return closeServer(this.server);
  }

  /** The next messages answer these HTTP statuses. */
  failNext(...statuses: number[]): void {
    this.fail.push(...statuses);
  }

  /** Whether a receipt was cancelled. */
  isCancelled(receipt: string): boolean {
    return this.receipts.get(receipt)?.cancelled === true;
  }

  /** The person acknowledges the emergency message in the app; calls the callback URL if it has one. Returns the callback's HTTP status. */
  async acknowledge(receipt: string, device = 'pixel8'): Promise<number | null> {
    const r = this.receipts.get(receipt);
    if (!r) throw new Error(`no receipt ${receipt}`);
    const now = Math.floor(Date.now() / 1000);
    r.acknowledgedAt = now;
    r.acknowledgedBy = r.message.user;
    r.device = device;
    if (!r.message.callback) return null;
    const res = await fetch(r.message.callback, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ receipt, acknowledged: '1', acknowledged_at: String(now), acknowledged_by: r.message.user, acknowledged_by_device: device }).toString(),
    });
    await res.text();
    r.calledBackAt = now;
    return res.status;
  }

  private bad(res: ServerResponse, status: number, field: string | null, error: string): void {
    this.refused.push({ status, errors: [error] });
    sendJson(res, status, { ...(field && { [field]: 'invalid' }), errors: [error], status: 0, request: randomUUID() });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = (await readBody(req)).toString('utf8');
    const url = new URL(req.url ?? '/', this.url);
    let p: Record<string, string> = {};
    if ((req.headers['content-type'] ?? '').includes('application/json')) {
      try {
        p = Object.fromEntries(Object.entries(JSON.parse(raw) as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
      } catch {
        return this.bad(res, 400, null, 'request body is not valid JSON');
      }
    } else p = parseForm(raw);
    const token = req.method === 'GET' ? url.searchParams.get('token') : p.token;
    if (token !== this.token) return this.bad(res, 400, 'token', 'application token is invalid');

    const receiptPath = /^\/1\/receipts\/([A-Za-z0-9]+)(\/cancel)?\.json$/.exec(url.pathname);
    if (receiptPath) {
      const receipt = must(receiptPath[1], 'the receipt id in the path');
      const r = this.receipts.get(receipt);
      if (!r) return this.bad(res, 404, 'receipt', 'receipt not found; may be invalid or expired');
      if (receiptPath[2]) {
        if (req.method !== 'POST') return this.bad(res, 405, null, 'method not allowed');
        r.cancelled = true;
        this.cancels.push(receipt);
        return sendJson(res, 200, { status: 1, request: randomUUID() });
      }
      const now = Math.floor(Date.now() / 1000);
      return sendJson(res, 200, {
        status: 1,
        acknowledged: r.acknowledgedAt ? 1 : 0,
        acknowledged_at: r.acknowledgedAt,
        acknowledged_by: r.acknowledgedBy,
        acknowledged_by_device: r.device,
        last_delivered_at: now,
        expired: r.expiresAt < now || r.cancelled ? 1 : 0,
        expires_at: r.expiresAt,
        called_back: r.calledBackAt ? 1 : 0,
        called_back_at: r.calledBackAt,
        request: randomUUID(),
      });
    }
    if (url.pathname !== '/1/messages.json' || req.method !== 'POST') return this.bad(res, 404, null, 'not found');
    if (!p.user || !this.users.has(p.user)) return this.bad(res, 400, 'user', 'user identifier is not a valid user, group, or subscribed user key');
    if (!p.message) return this.bad(res, 400, 'message', 'message cannot be blank');
    if (p.message.length > 1024) return this.bad(res, 400, 'message', 'message is too long');
    if (p.title && p.title.length > 250) return this.bad(res, 400, 'title', 'title is too long');
    const priority = p.priority === undefined ? 0 : Number(p.priority);
    if (!Number.isInteger(priority) || priority < -2 || priority > 2) return this.bad(res, 400, 'priority', 'priority is invalid');
    const failing = this.fail.shift();
    if (failing) return this.bad(res, failing, null, 'failure injected by the test');
    const m: PushoverMessageRecord = {
      request: randomUUID(),
      user: p.user,
      message: p.message,
      priority,
      ...(p.title && { title: p.title }),
      ...(p.url && { url: p.url }),
      ...(p.url_title && { url_title: p.url_title }),
    };
    if (priority === 2) {
      const retry = Number(p.retry);
      const expire = Number(p.expire);
      if (!Number.isInteger(retry) || retry < 30) return this.bad(res, 400, 'retry', 'retry is invalid: must be at least 30 seconds');
      if (!Number.isInteger(expire) || expire < 1 || expire > 10800) return this.bad(res, 400, 'expire', 'expire is invalid: at most 10800 seconds');
      m.retry = retry;
      m.expire = expire;
      if (p.callback) m.callback = p.callback;
      m.receipt = alnum(30);
      this.receipts.set(m.receipt, { message: m, acknowledgedAt: 0, acknowledgedBy: '', device: '', cancelled: false, expiresAt: Math.floor(Date.now() / 1000) + expire, calledBackAt: 0 });
    }
    this.messages.push(m);
    sendJson(res, 200, { status: 1, request: m.request, ...(m.receipt && { receipt: m.receipt }) });
  }
}
