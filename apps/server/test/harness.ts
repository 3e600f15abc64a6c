/**
 * End-to-end harness: the real Klaxon server (HTTP on a free port, real database, real engine) with
 * a fake clock, a real SMTP server, and local fakes of Twilio and Slack. One fresh database per
 * `startTestKlaxon` call. Tests move the clock and await `cycle()` instead of sleeping.
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configFromEnv, type KlaxonConfig } from '../src/app/config.js';
import { startKlaxon, type Klaxon } from '../src/app/klaxon.js';
import { parseEgressAllow } from '../src/lib/egress.js';
import { SYSTEM } from '../src/auth/actor.js';
import { createToken } from '../src/auth/tokens.js';
import { FakeClock } from '../src/lib/clock.js';
import { createLogger } from '../src/lib/logger.js';
import { must } from '../src/lib/must.js';
import { createUser } from '../src/user/service.js';
import { FakeSlack } from './fakes/slack.js';
import { FakeSmtpServer } from './fakes/smtp.js';
import { FakeTwilio } from './fakes/twilio.js';
import { PG_TEMPLATE_ENV, SQLITE_TEMPLATE_ENV } from './global-setup.js';
import { adminQuery, dropDatabases } from './pg-admin.js';

export type DialectName = 'sqlite' | 'postgres';

/** The dialects end-to-end suites run on: SQLite always, PostgreSQL when KLAXON_TEST_DATABASE_URL is set. */
export const DIALECTS: DialectName[] = ['sqlite', ...(process.env.KLAXON_TEST_DATABASE_URL ? (['postgres'] as const) : [])];

/**
 * Group `group` (default 1) of the first match of `re` in `text` (a code in a message, a link in a
 * mail), or an Error quoting the regular expression and the text when there is none.
 */
export function capture(re: RegExp, text: string, group = 1): string {
  return must(re.exec(text)?.[group], `a match of ${re} (group ${group}) in ${JSON.stringify(text.slice(0, 500))}`);
}

/** The first element of `list` that `pred` accepts, or an Error naming `what` when none does. */
export function mustFind<T>(list: readonly T[], what: string, pred: (x: T) => boolean): T {
  return must(list.find(pred), what);
}

/** A new empty database of the dialect (for PostgreSQL, a copy of `pgTemplate` when given); `drop` removes it. */
export async function freshDatabase(dialect: DialectName, pgTemplate?: string): Promise<{ url: string; drop(): Promise<void> }> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'klaxon-test-'));
    return { url: join(dir, 'klaxon.db'), drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const admin = must(process.env.KLAXON_TEST_DATABASE_URL, 'KLAXON_TEST_DATABASE_URL (the PostgreSQL server for tests)');
  const name = `klaxon_t_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  await adminQuery(admin, `CREATE DATABASE ${name}${pgTemplate ? ` TEMPLATE ${pgTemplate}` : ''}`);
  const u = new URL(admin);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: () => dropDatabases(admin, [name]),
  };
}

/**
 * A new database of the dialect with every migration applied: a copy of the run's template
 * (test/global-setup.ts) when there is one, else an empty database that Klaxon migrates at start.
 */
export async function migratedDatabase(dialect: DialectName): Promise<{ url: string; drop(): Promise<void> }> {
  const template = process.env[dialect === 'sqlite' ? SQLITE_TEMPLATE_ENV : PG_TEMPLATE_ENV];
  if (!template) return freshDatabase(dialect);
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'klaxon-test-'));
    const file = join(dir, 'klaxon.db');
    for (const suffix of ['', '-wal']) if (existsSync(template + suffix)) copyFileSync(template + suffix, file + suffix);
    return { url: file, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  return freshDatabase(dialect, template);
}

/** A running test server with its fakes. */
export interface TestKlaxon {
  k: Klaxon;
  url: string;
  clock: FakeClock;
  smtp: FakeSmtpServer;
  twilio: FakeTwilio;
  slack: FakeSlack;
  adminToken: string;
  /** Runs one full engine cycle (escalation, notifications, delivery) and waits for it. */
  cycle(): Promise<void>;
  /** Moves the clock forward and runs a cycle. */
  advance(ms: number): Promise<void>;
  /** Calls the API with a token (default: the admin's); returns status and parsed JSON. */
  api<T = any>(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: T }>;
  stop(): Promise<void>;
}

/** Starts Klaxon on a fresh database with fakes for SMTP, Twilio and Slack, and an admin with a token. */
export async function startTestKlaxon(dialect: DialectName, over: Partial<KlaxonConfig> = {}): Promise<TestKlaxon> {
  const db = await migratedDatabase(dialect);
  const smtp = new FakeSmtpServer();
  const twilio = new FakeTwilio();
  const slack = new FakeSlack();
  const [smtpInfo, twilioInfo, slackInfo] = await Promise.all([smtp.start(), twilio.start(), slack.start()]);
  const clock = new FakeClock('2026-03-02T09:00:00Z');
  const config: KlaxonConfig = {
    ...configFromEnv({}),
    port: 0,
    publicUrl: 'http://127.0.0.1:0',
    databaseUrl: db.url,
    smtp: { url: smtpInfo.url, from: 'Klaxon <klaxon@test.local>' },
    twilio: { accountSid: twilio.accountSid, authToken: twilio.authToken, fromNumber: twilio.phoneNumber, baseUrl: twilioInfo.url },
    slack: { botToken: slack.token, signingSecret: slack.signingSecret, baseUrl: slackInfo.url },
    // The tests' receivers (webhook, push service, action endpoints) listen on loopback, which the
    // default egress policy refuses: open exactly that. Tests of the default pass `egressAllow: undefined`.
    egressAllow: parseEgressAllow('127.0.0.1/32'),
    // Every answer is checked against its response schema (http/serialization.ts).
    checkResponses: true,
    ...over,
  };
  const k = await startKlaxon(config, { clock, log: createLogger(process.env.KLAXON_TEST_LOG_LEVEL ?? 'silent') });
  const admin = await createUser(k.ctx, SYSTEM, { email: 'admin@test.local', name: 'Admin', role: 'admin' });
  const { token: adminToken } = await createToken(k.ctx, SYSTEM, admin.id, 'test');
  const api: TestKlaxon['api'] = async (method, path, body, token = adminToken) => {
    const res = await fetch(`${k.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed as never };
  };
  return {
    k,
    url: k.url,
    clock,
    smtp,
    twilio,
    slack,
    adminToken,
    cycle: () => k.engine.runCycle(),
    advance: async (ms) => {
      clock.advance(ms);
      await k.engine.runCycle();
    },
    api,
    async stop() {
      await stopWithin(k, STOP_WAIT_MS);
      await Promise.all([smtp.close(), twilio.close(), slack.close()]);
      await db.drop();
    },
  };
}

/** How long a test server's stop() is waited for before the harness reports the step it hangs on and goes on (ms). */
const STOP_WAIT_MS = 30_000;

/**
 * Stops a Klaxon, waiting at most `ms`. A shutdown that takes longer is reported on stderr with the
 * step it waits on (Klaxon.stopping()) and left to finish in the background, so one hung close does
 * not fail the file's afterAll hook with no clue (it did twice in CI, in audit-trail on SQLite).
 */
export async function stopWithin(k: Pick<Klaxon, 'stop' | 'stopping' | 'url'>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const stopped = k.stop().then(() => 'stopped' as const);
  const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), ms)));
  const how = await Promise.race([stopped, late]);
  clearTimeout(timer);
  if (how === 'late') {
    process.stderr.write(`\nKLAXON TEST SERVER DID NOT STOP within ${ms} ms: its shutdown still waits for "${k.stopping() ?? 'nothing named'}"; the test server was ${k.url}\n`);
    stopped.catch(() => {});
  }
}

/** A responder set up the way a person would: user, contact methods verified with the codes they received, rules. */
export interface Responder {
  id: string;
  email: string;
  phone: string;
  token: string;
  methods: Record<string, string>;
}

/**
 * Creates a responder through the API with the given contact methods, verifies each with the code
 * that arrived at the fake SMTP server or fake Twilio, and adds a notification rule per method.
 */
export async function addResponder(
  t: Pick<TestKlaxon, 'api' | 'cycle' | 'smtp' | 'twilio' | 'slack'>,
  o: { name: string; email: string; phone?: string; slackId?: string; rules: { type: 'email' | 'sms' | 'voice' | 'slack'; delayMinutes: number }[] },
): Promise<Responder> {
  const u = await t.api('POST', '/api/v1/users', { email: o.email, name: o.name, role: 'responder', timeZone: 'Europe/Berlin' });
  if (u.status !== 201) throw new Error(`create user: ${JSON.stringify(u.body)}`);
  const id = u.body.user.id as string;
  const tok = await t.api('POST', `/api/v1/users/${id}/tokens`, { name: 'test' });
  const token = tok.body.token as string;
  const phone = o.phone ?? '+15550000000';
  const methods: Record<string, string> = {};
  for (const rule of o.rules) {
    if (methods[rule.type]) continue;
    const address = rule.type === 'email' ? o.email : rule.type === 'slack' ? (o.slackId ?? 'U000TEST') : phone;
    const cm = await t.api('POST', `/api/v1/users/${id}/contact-methods`, { name: rule.type, type: rule.type, address }, token);
    if (cm.status !== 201) throw new Error(`add contact method: ${JSON.stringify(cm.body)}`);
    await t.cycle();
    let code: string;
    if (rule.type === 'email') {
      const mail = await t.smtp.waitFor((m) => m.to.includes(o.email) && /verification/i.test(m.subject + m.text));
      code = capture(/\b(\d{6})\b/, mail.text);
    } else if (rule.type === 'sms') {
      const sms = await t.twilio.waitForMessage((m) => m.to === phone && /verification/i.test(m.body));
      code = capture(/\b(\d{6})\b/, sms.body);
    } else if (rule.type === 'voice') {
      const call = await t.twilio.waitForCall((c) => c.to === phone);
      const twiml = await t.twilio.fetchTwiml(call);
      code = capture(/verification code is ([\d, ]+?)\./, twiml).replace(/\D/g, '');
    } else {
      const post = await t.slack.waitForPost((p) => p.body.channel === (o.slackId ?? 'U000TEST') && p.text.includes('verification code'));
      code = capture(/verification code is (\d{6})/, post.text);
    }
    const v = await t.api('POST', `/api/v1/contact-methods/${cm.body.contactMethod.id}/verify`, { code }, token);
    if (v.status !== 200) throw new Error(`verify ${rule.type}: ${JSON.stringify(v.body)}`);
    methods[rule.type] = cm.body.contactMethod.id;
  }
  for (const rule of o.rules) {
    const r = await t.api('POST', `/api/v1/users/${id}/notification-rules`, { contactMethodId: methods[rule.type], delayMinutes: rule.delayMinutes }, token);
    if (r.status !== 201) throw new Error(`add rule: ${JSON.stringify(r.body)}`);
  }
  return { id, email: o.email, phone, token, methods };
}
