/**
 * `klaxon monitor`: watches Klaxon from another machine. Every interval it sends a test alert through
 * Klaxon's generic ingest endpoint and waits for the page to come back to a webhook it serves (a
 * webhook contact method pointing at this process), or, with `--imap`, in an email inbox it reads over
 * IMAP (an email contact method whose mailbox it reads; imapflow). A page that does not come back within the limit,
 * or an alert Klaxon does not accept, is reported through a path that does not depend on Klaxon: an
 * SMS sent straight through Twilio's REST API. Round-trip times and results are Prometheus metrics on
 * the same port (`GET /metrics`).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Command } from 'commander';
import { ImapFlow } from 'imapflow';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { systemClock, type Clock } from '../lib/clock.js';
import { verifyWebhookSignature } from '../notify/providers/webhook/index.js';
import { must } from '../lib/must.js';

export interface MonitorOptions {
  /** Klaxon's base URL. */
  klaxonUrl: string;
  /** The key of a `generic` integration on the service whose policy pages the monitor's webhook. */
  integrationKey: string;
  /** Where the monitor listens for the page (POST, any path) and serves /metrics. */
  host: string;
  port: number;
  /** How long a page may take to come back. */
  limitMs: number;
  /** Klaxon's webhook signing secret (KLAXON_WEBHOOK_SECRET): when given, unsigned pages are refused. */
  webhookSecret?: string;
  /** The fallback: an SMS through Twilio (or a Twilio-compatible API), not through Klaxon. */
  twilio: { baseUrl: string; accountSid: string; authToken: string; from: string; to: string };
  clock?: Clock;
  /** Progress lines (default: stdout). */
  out?: (line: string) => void;
  /** Also (or instead) expect the page by email in this IMAP mailbox: `imaps://user:password@host[:port][/mailbox]` (imap:// without TLS). */
  imapUrl?: string;
}

/** An IMAP mailbox named by a URL: `imaps://user:password@host:993/INBOX` (imap:// for plain or STARTTLS, port 143). */
export interface ImapTarget {
  host: string;
  port: number;
  secure: boolean;
  user: string;
  password: string;
  mailbox: string;
}

/** Reads an IMAP URL; throws saying what is wrong. */
export function parseImapUrl(text: string): ImapTarget {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new Error(`--imap must be a URL like imaps://user:password@host/INBOX (got "${text}")`);
  }
  if (u.protocol !== 'imap:' && u.protocol !== 'imaps:') throw new Error(`--imap must start with imap:// or imaps:// (got "${u.protocol}")`);
  if (!u.hostname || !u.username) throw new Error('--imap must name a host and a user: imaps://user:password@host/INBOX');
  const secure = u.protocol === 'imaps:';
  const mailbox = decodeURIComponent(u.pathname.replace(/^\/+/, '')) || 'INBOX';
  return { host: u.hostname, port: u.port ? Number(u.port) : secure ? 993 : 143, secure, user: decodeURIComponent(u.username), password: decodeURIComponent(u.password), mailbox };
}

const PROBE_TITLE = 'Klaxon monitor probe';

export class Monitor {
  readonly registry = new Registry();
  private readonly rtt = new Histogram({
    name: 'klaxon_monitor_round_trip_seconds',
    help: 'From sending the test alert to receiving its page',
    buckets: [0.5, 1, 2, 5, 10, 30, 60, 120, 300],
    registers: [this.registry],
  });
  private readonly lastRtt = new Gauge({ name: 'klaxon_monitor_last_round_trip_seconds', help: 'Round-trip time of the last probe that came back', registers: [this.registry] });
  private readonly probes = new Counter({
    name: 'klaxon_monitor_probes_total',
    help: 'Probes by result: ok, late (no page within the limit), refused (Klaxon did not accept the alert)',
    labelNames: ['result'],
    registers: [this.registry],
  });
  private readonly fallbacks = new Counter({ name: 'klaxon_monitor_fallback_sms_total', help: 'Fallback SMS sent, by result', labelNames: ['result'], registers: [this.registry] });
  private readonly pending = new Map<string, number>();
  private server: Server | null = null;
  /** True after a failure was reported, until a probe succeeds again: one SMS per outage. */
  private down = false;
  private readonly clock: Clock;
  private readonly out: (line: string) => void;

  constructor(private readonly o: MonitorOptions) {
    this.clock = o.clock ?? systemClock;
    this.out = o.out ?? ((l) => process.stdout.write(`${l}\n`));
  }

  /** Starts the webhook and metrics listener; returns its port. */
  async start(): Promise<number> {
    this.server = createServer((req, res) => {
      if (req.method === 'GET' && req.url === '/metrics') {
        void this.registry.metrics().then((text) => res.writeHead(200, { 'content-type': this.registry.contentType }).end(text));
        return;
      }
      if (req.method !== 'POST') return void res.writeHead(405).end();
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= 1024 * 1024) chunks.push(c);
      });
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if (this.o.webhookSecret && !verifyWebhookSignature(String(req.headers['x-klaxon-signature'] ?? ''), body, this.o.webhookSecret, this.clock.now())) {
          return void res.writeHead(401).end('bad signature');
        }
        this.received(body);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => must(this.server, 'the HTTP server').listen(this.o.port, this.o.host, resolve));
    return (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /**
   * Reads the IMAP mailbox once: every unseen message whose subject names a pending probe is a page
   * back (marked seen, so it counts once). Nothing to do without `imapUrl`. A mailbox that cannot be
   * read is reported as a line; the probe then comes back late, which is reported as a failure.
   */
  async pollInbox(): Promise<void> {
    if (!this.o.imapUrl) return;
    const target = parseImapUrl(this.o.imapUrl);
    const client = new ImapFlow({ host: target.host, port: target.port, secure: target.secure, auth: { user: target.user, pass: target.password }, logger: false });
    try {
      await client.connect();
      const lock = await client.getMailboxLock(target.mailbox);
      try {
        const uids = (await client.search({ seen: false, subject: PROBE_TITLE }, { uid: true })) || [];
        if (uids.length === 0) return;
        const subjects: string[] = [];
        for await (const m of client.fetch(uids, { envelope: true, uid: true }, { uid: true })) subjects.push(m.envelope?.subject ?? '');
        await client.messageFlagsAdd(uids, ['\\Seen'], { uid: true });
        for (const s of subjects) this.cameBack(s, 'email');
      } finally {
        lock.release();
      }
    } catch (e) {
      this.out(`IMAP ${target.host}: ${(e as Error).message}`);
    } finally {
      await client.logout().catch(() => client.close());
    }
  }

  /** A page arrived: when it names a pending probe, records the round trip and resolves the alert. */
  private received(body: string): void {
    let title = '';
    try {
      const doc = JSON.parse(body) as { event?: string; code?: string; incident?: { title?: string } };
      // Adding this monitor as a webhook contact method sends a code: shown so the person can verify it.
      if (doc.event === 'contact.verification') return this.out(`verification code from Klaxon for this webhook: ${doc.code}`);
      if (doc.event !== 'incident.page') return;
      title = doc.incident?.title ?? '';
    } catch {
      return;
    }
    this.cameBack(title, 'webhook');
  }

  /** A page (its incident title or mail subject) came back: when it names a pending probe, the round trip is recorded and the alert resolved. */
  private cameBack(title: string, via: 'webhook' | 'email'): void {
    const id = /probe ([0-9a-f]{16})/.exec(title)?.[1];
    const sentAt = id === undefined ? undefined : this.pending.get(id);
    if (id === undefined || sentAt === undefined) return;
    this.pending.delete(id);
    const seconds = (this.clock.now() - sentAt) / 1000;
    this.rtt.observe(seconds);
    this.lastRtt.set(seconds);
    this.probes.inc({ result: 'ok' });
    this.down = false;
    this.out(`probe ${id}: page back in ${seconds.toFixed(1)} s (${via})`);
    void this.sendEvent('resolve', id).catch(() => {});
  }

  private sendEvent(action: 'trigger' | 'resolve', id: string): Promise<Response> {
    return fetch(`${this.o.klaxonUrl.replace(/\/+$/, '')}/integrations/v1/generic/${encodeURIComponent(this.o.integrationKey)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ action, dedup_key: `klaxon-monitor-${id}`, summary: `${PROBE_TITLE} ${id}`, source: 'klaxon-monitor', severity: 'critical' }),
      signal: AbortSignal.timeout(10_000),
    });
  }

  /** Sends one test alert. A refusal or an unreachable Klaxon is reported at once. */
  async probe(): Promise<string> {
    const id = randomBytes(8).toString('hex');
    this.pending.set(id, this.clock.now());
    try {
      const res = await this.sendEvent('trigger', id);
      if (res.status !== 202) throw new Error(`ingest answered ${res.status}`);
      this.out(`probe ${id}: alert sent, waiting for the page (limit ${Math.round(this.o.limitMs / 1000)} s)`);
    } catch (e) {
      this.pending.delete(id);
      this.probes.inc({ result: 'refused' });
      await this.fail(`Klaxon did not accept the monitor's test alert (${(e as Error).message})`);
    }
    return id;
  }

  /** Reports every probe whose page is later than the limit. */
  async check(): Promise<void> {
    const now = this.clock.now();
    for (const [id, sentAt] of this.pending) {
      if (now - sentAt <= this.o.limitMs) continue;
      this.pending.delete(id);
      this.probes.inc({ result: 'late' });
      await this.fail(`Klaxon's page for probe ${id} did not come back within ${Math.round(this.o.limitMs / 1000)} s`);
    }
  }

  private async fail(reason: string): Promise<void> {
    this.out(`FAILED: ${reason}`);
    if (this.down) return;
    this.down = true;
    const t = this.o.twilio;
    try {
      const res = await fetch(`${t.baseUrl.replace(/\/+$/, '')}/2010-04-01/Accounts/${encodeURIComponent(t.accountSid)}/Messages.json`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`${t.accountSid}:${t.authToken}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ To: t.to, From: t.from, Body: `klaxon monitor: ${reason}` }).toString(),
        signal: AbortSignal.timeout(10_000),
      });
      if (!res.ok) throw new Error(`Twilio answered ${res.status}`);
      this.fallbacks.inc({ result: 'sent' });
      this.out(`fallback SMS sent to ${t.to}`);
    } catch (e) {
      this.fallbacks.inc({ result: 'failed' });
      this.down = false; // try again on the next failure
      this.out(`fallback SMS FAILED: ${(e as Error).message}`);
    }
  }
}

/** Registers `klaxon monitor`. */
export function registerMonitorCommand(program: Command): void {
  program
    .command('monitor')
    .description('Send a test alert through Klaxon every few minutes and expect the page back on a webhook; SMS through Twilio directly when it does not come back')
    .requiredOption('--url <url>', "Klaxon's base URL", process.env.KLAXON_URL)
    .requiredOption('--key <key>', 'key of a generic integration whose service pages this monitor', process.env.KLAXON_MONITOR_KEY)
    .option('--listen <host>', 'address to listen on for the page and /metrics', '0.0.0.0')
    .option('--port <port>', 'port for the page webhook and /metrics', '9464')
    .option('--every <minutes>', 'minutes between probes', '5')
    .option('--limit <seconds>', 'seconds a page may take to come back', '120')
    .option('--webhook-secret <secret>', "Klaxon's webhook signing secret: refuse unsigned pages", process.env.KLAXON_MONITOR_WEBHOOK_SECRET)
    .requiredOption('--sms-to <number>', 'who gets the fallback SMS', process.env.KLAXON_MONITOR_SMS_TO)
    .requiredOption('--twilio-sid <sid>', 'Twilio account SID', process.env.KLAXON_MONITOR_TWILIO_ACCOUNT_SID)
    .requiredOption('--twilio-token <token>', 'Twilio auth token', process.env.KLAXON_MONITOR_TWILIO_AUTH_TOKEN)
    .requiredOption('--twilio-from <number>', 'Twilio sending number', process.env.KLAXON_MONITOR_TWILIO_FROM)
    .option('--twilio-url <url>', 'Twilio API base URL', process.env.KLAXON_MONITOR_TWILIO_BASE_URL ?? 'https://api.twilio.com')
    .option('--imap <url>', 'also expect the page by email in this IMAP mailbox (imaps://user:password@host/INBOX), read every 10 s', process.env.KLAXON_MONITOR_IMAP_URL)
    .action(async (o: Record<string, string>) => {
      const num = (name: string, v: string, min: number) => {
        const n = Number(v);
        if (!Number.isFinite(n) || n < min) throw new Error(`--${name} must be a number of at least ${min} (got "${v}")`);
        return n;
      };
      const monitor = new Monitor({
        klaxonUrl: must(o.url, '--url'),
        integrationKey: must(o.key, '--key'),
        host: must(o.listen, '--listen'),
        port: num('port', must(o.port, '--port'), 0),
        limitMs: num('limit', must(o.limit, '--limit'), 1) * 1000,
        ...(o.webhookSecret && { webhookSecret: o.webhookSecret }),
        twilio: {
          baseUrl: must(o.twilioUrl, '--twilio-url'),
          accountSid: must(o.twilioSid, '--twilio-sid'),
          authToken: must(o.twilioToken, '--twilio-token'),
          from: must(o.twilioFrom, '--twilio-from'),
          to: must(o.smsTo, '--sms-to'),
        },
        ...(o.imap && { imapUrl: (parseImapUrl(o.imap), o.imap) }),
      });
      const everyMs = num('every', must(o.every, '--every'), 0.1) * 60_000;
      const port = await monitor.start();
      process.stdout.write(`klaxon monitor: page webhook and /metrics on ${o.listen}:${port}; a probe every ${o.every} min, limit ${o.limit} s\n`);
      await monitor.probe();
      setInterval(() => void monitor.probe(), everyMs);
      setInterval(() => void monitor.check(), 1000);
      if (o.imap) setInterval(() => void monitor.pollInbox(), 10_000);
    });
}
