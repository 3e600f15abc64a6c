/**
 * A page never waits behind another channel (issue 13): the same 600-incident burst twice, on SQLite,
 * with `klaxon serve` as a child process paging one responder by e-mail, SMS and voice at once:
 *
 *   baseline  a healthy SMTP server (smtp-server accepting every mail and reading it without parsing,
 *             so that its CPU, in this process beside the fake Twilio, does not slow the baseline)
 *   hung      an SMTP server that accepts connections and never answers (test/fakes/silent-smtp.ts)
 *
 * Figures: latency from an accepted event (2xx seen by the client) to its SMS and its voice call
 * reaching the fake Twilio (test/fakes/twilio.ts), p50 / p95 / max, for each run; the hung run's
 * p95 beside the healthy run's as a ratio (the goal: within 20%, ratio <= 1.20). Also how many
 * SMS and voice outbox rows were still `sending` one second after the last SMS and call arrived
 * (outcomes are recorded as each send finishes; before, a whole batch waited for its slowest send).
 *
 *   node --import tsx bench/delivery.ts      (from the repository root; also part of `npm run bench`)
 *
 * BENCH_DELIVERY_INCIDENTS (default 600) sets the burst; the machine's load average is printed and
 * kept in bench/results/delivery.json (on 2 shared cores, other work moves every figure).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { configFromEnv } from '../apps/server/src/app/config.js';
import { localContext } from '../apps/server/src/app/klaxon.js';
import { SYSTEM } from '../apps/server/src/auth/actor.js';
import { createPolicy } from '../apps/server/src/escalation/service.js';
import { createIntegration, createService } from '../apps/server/src/service/service.js';
import { addContactMethod, addNotificationRule, createUser, verifyContactMethod } from '../apps/server/src/user/service.js';
import { SilentSmtpServer } from '../apps/server/test/fakes/silent-smtp.js';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { FakeTwilio } from '../apps/server/test/fakes/twilio.js';
import { freePort, report, spawnServer, stop, type Row } from './lib.js';
import { must } from '../apps/server/src/lib/must.js';

const INCIDENTS = Number(process.env.BENCH_DELIVERY_INCIDENTS ?? 600);
const CONNECTIONS = 50;
const PHONE = '+15551230001';
const T0 = performance.now();

function progress(msg: string): void {
  process.stdout.write(`[delivery ${((performance.now() - T0) / 1000).toFixed(0).padStart(4)}s] ${msg} (load average ${must(loadavg()[0], 'loadavg()[0]').toFixed(2)})\n`);
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return must(sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))], `the p${p} sample`);
}

/** One responder paged by e-mail, SMS and voice at once; a PagerDuty integration on their service. */
async function seed(dbUrl: string): Promise<string> {
  const local = await localContext({ ...configFromEnv({}), databaseUrl: dbUrl });
  try {
    const { ctx } = local;
    const user = await createUser(ctx, SYSTEM, { email: 'oncall@bench.local', name: 'On Call' });
    for (const [type, address] of [
      ['email', 'oncall@bench.local'],
      ['sms', PHONE],
      ['voice', PHONE],
    ] as const) {
      const cm = await addContactMethod(ctx, SYSTEM, user.id, { name: type, type, address });
      const v = await ctx.db.kysely.selectFrom('outbox').select('content').where('contact_method_id', '=', cm.id).where('kind', '=', 'verification').executeTakeFirstOrThrow();
      await verifyContactMethod(ctx, SYSTEM, cm.id, (JSON.parse(v.content) as { code: string }).code);
      await addNotificationRule(ctx, SYSTEM, user.id, { contactMethodId: cm.id, delayMinutes: 0 });
    }
    await ctx.db.kysely.deleteFrom('outbox').execute(); // the codes were read from it: only pages are measured
    const policy = await createPolicy(ctx, SYSTEM, { name: 'bench', levels: [{ delayMinutes: 60, targets: [{ type: 'user', id: user.id }] }] });
    const svc = await createService(ctx, SYSTEM, { name: 'bench', escalationPolicyId: policy.id });
    return must((await createIntegration(ctx, SYSTEM, svc.id, { name: 'pd', kind: 'pagerduty' })).key, 'createIntegration().key');
  } finally {
    await local.close();
  }
}

interface RunResult {
  sms: number[];
  voice: number[];
  emailsDelivered: number;
  stillSending: number;
  drainMs: number;
  load: number;
}

/** An SMTP server that accepts every mail at once and counts it (no parsing: little CPU in this process). */
class HealthySmtp {
  received = 0;
  private readonly server = new SMTPServer({
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onData: (stream, _session, callback) => {
      stream.resume();
      stream.on('end', () => {
        this.received++;
        callback();
      });
    },
  });
  async start(): Promise<{ url: string }> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return { url: `smtp://127.0.0.1:${(this.server.server.address() as AddressInfo).port}` };
  }
  close(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}

async function run(smtpKind: 'healthy' | 'hung'): Promise<RunResult> {
  const dir = mkdtempSync(join(tmpdir(), 'klaxon-bench-delivery-'));
  const dbUrl = join(dir, 'klaxon.db');
  const twilio = new FakeTwilio();
  const smtp = smtpKind === 'healthy' ? new HealthySmtp() : new SilentSmtpServer();
  const [tw, sm] = await Promise.all([twilio.start(), smtp.start()]);
  const key = await seed(dbUrl);
  const port = await freePort();
  const child = await spawnServer(
    ['apps/server/bin/klaxon.js', 'serve'],
    {
      KLAXON_DATABASE_URL: dbUrl,
      KLAXON_PORT: String(port),
      KLAXON_HOST: '127.0.0.1',
      KLAXON_LOG_LEVEL: 'error',
      KLAXON_INGEST_RATE_LIMIT_PER_MINUTE: '100000000',
      KLAXON_SMTP_URL: sm.url,
      KLAXON_TWILIO_ACCOUNT_SID: twilio.accountSid,
      KLAXON_TWILIO_AUTH_TOKEN: twilio.authToken,
      KLAXON_TWILIO_FROM: twilio.phoneNumber,
      KLAXON_TWILIO_BASE_URL: tw.url,
      KLAXON_SHUTDOWN_GRACE_MS: '0',
    },
    'Klaxon is running',
  );
  const url = `http://127.0.0.1:${port}`;
  try {
    progress(`${smtpKind} SMTP: ${INCIDENTS} incidents, ${CONNECTIONS} connections`);
    const load = must(loadavg()[0], 'loadavg()[0]');
    const accepted = new Map<string, number>();
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async () => {
        while (next < INCIDENTS) {
          const i = next++;
          const summary = `Burst incident ${i}`;
          const res = await fetch(`${url}/v2/enqueue`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ routing_key: key, event_action: 'trigger', dedup_key: `burst-${i}`, payload: { summary, source: 'bench', severity: 'critical' } }),
          });
          await res.arrayBuffer();
          if (res.status !== 202) throw new Error(`event ${i}: ${res.status}`);
          accepted.set(summary, performance.now());
        }
      }),
    );
    // Every SMS and every call, however long it takes (a minute at most).
    const deadline = performance.now() + 60_000;
    while ((twilio.messages.length < INCIDENTS || twilio.calls.length < INCIDENTS) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const drainMs = performance.now() - t0;
    // Outcomes are recorded as each send finishes: a second after the last arrival, none should be left `sending`.
    await new Promise((r) => setTimeout(r, 1000));

    // Each SMS and call names its outbox message (status callback URL); the message names its incident.
    const { ctx, close } = await localContext({ ...configFromEnv({}), databaseUrl: dbUrl });
    const rows = await ctx.db.kysely
      .selectFrom('outbox')
      .innerJoin('incidents', 'incidents.id', 'outbox.incident_id')
      .select(['outbox.id', 'outbox.channel', 'outbox.status', 'incidents.title'])
      .where('outbox.kind', '=', 'page')
      .execute();
    await close();
    const titleOf = new Map(rows.map((r) => [r.id, r.title]));
    const latency = (cb: string | undefined, at: number): number[] => {
      const id = cb ? new URL(cb).searchParams.get('message') : null;
      const t = id ? accepted.get(titleOf.get(id) ?? '') : undefined;
      return t === undefined ? [] : [at - t];
    };
    const sms = twilio.messages.flatMap((m) => latency(m.statusCallback, m.receivedAt)).sort((a, b) => a - b);
    const voice = twilio.calls.flatMap((c) => latency(c.statusCallback, c.receivedAt)).sort((a, b) => a - b);
    const stillSending = rows.filter((r) => r.status === 'sending' && r.channel !== 'email').length;
    const emailsDelivered = smtp instanceof HealthySmtp ? smtp.received : 0;
    progress(
      `${smtpKind} SMTP: ${sms.length} SMS, ${voice.length} calls, ${emailsDelivered} e-mails delivered, drained in ${(drainMs / 1000).toFixed(1)} s; SMS p95 ${percentile(sms, 95).toFixed(0)} ms, voice p95 ${percentile(voice, 95).toFixed(0)} ms`,
    );
    if (sms.length < INCIDENTS || voice.length < INCIDENTS) progress(`WARNING ${smtpKind}: only ${sms.length} SMS and ${voice.length} calls of ${INCIDENTS} arrived within a minute`);
    return { sms, voice, emailsDelivered, stillSending, drainMs, load };
  } finally {
    await stop(child);
    await Promise.all([twilio.close(), smtp.close()]);
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchDelivery(): Promise<Row[]> {
  const loadBefore = must(loadavg()[0], 'loadavg()[0]');
  const healthy = await run('healthy');
  const hung = await run('hung');
  const rows: Row[] = [];
  for (const [label, key] of [
    ['SMS', 'sms'],
    ['voice', 'voice'],
  ] as const) {
    for (const p of [50, 95] as const) {
      rows.push({ figure: `${label} page latency p${p}, hung SMTP`, value: percentile(hung[key], p), unit: 'ms', baseline: { name: 'healthy SMTP', value: percentile(healthy[key], p) } });
    }
    rows.push({ figure: `${label} page latency max, hung SMTP`, value: hung[key].at(-1) ?? NaN, unit: 'ms', baseline: { name: 'healthy SMTP', value: healthy[key].at(-1) ?? NaN } });
  }
  rows.push({ figure: 'SMS/voice rows still sending 1 s after, hung SMTP', value: hung.stillSending, unit: 'rows' });
  rows.push({ figure: 'time to the last SMS and call, hung SMTP', value: hung.drainMs, unit: 'ms', baseline: { name: 'healthy SMTP', value: healthy.drainMs } });
  report('delivery', rows, {
    incidents: INCIDENTS,
    connections: CONNECTIONS,
    cores: cpus().length,
    loadAverage: { before: loadBefore, healthyRun: healthy.load, hungRun: hung.load, after: must(loadavg()[0], 'loadavg()[0]') },
  });
  const goals = (['sms', 'voice'] as const).map((k) => {
    const ratio = percentile(hung[k], 95) / percentile(healthy[k], 95);
    return `  ${ratio <= 1.2 ? 'PASS' : 'MISS'}  ${k} p95 with a hung SMTP server within 20% of a healthy run: ratio ${ratio.toFixed(2)}`;
  });
  process.stdout.write(`\nGoals (issue 13)\n${goals.join('\n')}\n`);
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) await benchDelivery();
