/** bench/peer.ts: the systems measured: Klaxon (a fresh database, then `klaxon serve` as a child process) and Prometheus Alertmanager. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { configFromEnv } from '../../apps/server/src/app/config.js';
import { localContext } from '../../apps/server/src/app/klaxon.js';
import { SYSTEM } from '../../apps/server/src/auth/actor.js';
import type { Database as KlaxonDatabase } from '../../apps/server/src/database.js';
import { createPolicy } from '../../apps/server/src/escalation/service.js';
import { openDb } from '../../apps/server/src/lib/db/index.js';
import { createIntegration, createService } from '../../apps/server/src/service/service.js';
import { addContactMethod, addNotificationRule, createUser, verifyContactMethod } from '../../apps/server/src/user/service.js';
import { freePort, ROOT, stop } from '../lib.js';
import { ALERTMANAGER, BENCH_EGRESS_ALLOW, KLAXON_BIN, sleep } from './common.js';
import { must } from '../../apps/server/src/lib/must.js';

// ---------------------------------------------------------------------------------------------
// Klaxon: a fresh database set up through the service verbs, then `klaxon serve` as a child process.
// ---------------------------------------------------------------------------------------------

export interface Database {
  url: string;
  label: string;
  drop(): Promise<void>;
}

export function sqliteDatabase(): Database {
  const dir = mkdtempSync(join(tmpdir(), 'klaxon-peer-'));
  return { url: join(dir, 'klaxon.db'), label: 'SQLite', drop: async () => rmSync(dir, { recursive: true, force: true }) };
}

export async function postgresDatabase(admin: string): Promise<Database> {
  const name = `klaxon_bench_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  const u = new URL(admin);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    label: 'PostgreSQL',
    drop: async () => {
      const d = new pg.Client({ connectionString: admin });
      await d.connect();
      await d.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await d.end();
    },
  };
}

/**
 * One on-call user whose only notification rule is a verified webhook contact method at delay 0
 * (the code read back from the outbox), a one-level policy paging them at once, a service on that
 * policy (grouping none: each new dedup key opens its own incident) and a PagerDuty integration.
 */
export async function seed(dbUrl: string, webhookUrl: string, paging = true): Promise<string> {
  // The receiver listens on loopback, which the egress policy refuses unless allowed.
  const local = await localContext({ ...configFromEnv({ KLAXON_EGRESS_ALLOW: BENCH_EGRESS_ALLOW }), databaseUrl: dbUrl });
  try {
    const { ctx } = local;
    const user = await createUser(ctx, SYSTEM, { email: 'oncall@bench.local', name: 'On Call' });
    const cm = await addContactMethod(ctx, SYSTEM, user.id, { name: 'bench webhook', type: 'webhook', address: webhookUrl });
    const sent = await ctx.db.kysely.selectFrom('outbox').select('content').where('contact_method_id', '=', cm.id).where('kind', '=', 'verification').executeTakeFirstOrThrow();
    await verifyContactMethod(ctx, SYSTEM, cm.id, (JSON.parse(sent.content) as { code: string }).code);
    await addNotificationRule(ctx, SYSTEM, user.id, { contactMethodId: cm.id, delayMinutes: 0 });
    const policy = await createPolicy(ctx, SYSTEM, { name: 'bench', levels: [{ delayMinutes: 60, targets: [{ type: 'user', id: user.id }] }] });
    const svc = await createService(ctx, SYSTEM, { name: 'bench', ...(paging && { escalationPolicyId: policy.id }) });
    const integ = await createIntegration(ctx, SYSTEM, svc.id, { name: 'pd', kind: 'pagerduty' });
    return must(integ.key, 'integ.key');
  } finally {
    await local.close();
  }
}

/** Counts in the database after a run. */
export async function dbCounts(dbUrl: string): Promise<{ events: number; created: number; incidents: number; pages: number; pageIncidents: number; outbox: Record<string, number> }> {
  // Opened without migrating: the server may have run migrations newer than this process loaded.
  const handle = openDb<KlaxonDatabase>(dbUrl);
  try {
    const db = handle.kysely;
    const n = async (q: Promise<{ n: number | string }>) => Number((await q).n);
    const events = await n(
      db
        .selectFrom('alert_events')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow(),
    );
    const created = await n(
      db
        .selectFrom('alert_events')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('outcome', '=', 'created')
        .executeTakeFirstOrThrow(),
    );
    const incidents = await n(
      db
        .selectFrom('incidents')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow(),
    );
    const pages = await n(
      db
        .selectFrom('outbox')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('kind', '=', 'page')
        .executeTakeFirstOrThrow(),
    );
    const pageIncidents = await n(
      db
        .selectFrom('outbox')
        .select((eb) => eb.fn.count<number>('incident_id').distinct().as('n'))
        .where('kind', '=', 'page')
        .executeTakeFirstOrThrow(),
    );
    const rows = await db
      .selectFrom('outbox')
      .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
      .where('kind', '=', 'page')
      .groupBy('status')
      .execute();
    return { events, created, incidents, pages, pageIncidents, outbox: Object.fromEntries(rows.map((r) => [r.status, Number(r.n)])) };
  } finally {
    await handle.close();
  }
}

/** Peak resident memory (VmHWM, or another field of /proc/<pid>/status) of a process, in bytes; NaN if it cannot be read. */
export function peakMemory(pid: number | undefined, field = 'VmHWM'): number {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** A child process with its log lines collected (warnings and errors kept for the notes). */
export interface Child {
  proc: ChildProcess;
  url: string;
  problems: string[];
  warnCount: number;
  errorCount: number;
  stop(): Promise<void>;
}

export function collectLogs(c: Pick<Child, 'problems' | 'warnCount' | 'errorCount'>, stream: NodeJS.ReadableStream, parse: (line: string) => 'error' | 'warn' | null): void {
  let buf = '';
  stream.on('data', (d: Buffer) => {
    buf += d.toString();
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      const level = parse(line);
      if (level === 'error') c.errorCount++;
      if (level === 'warn') c.warnCount++;
      if (level && c.problems.length < 200) c.problems.push(line.slice(0, 400));
    }
  });
}

/** `klaxon serve` on a database; resolves once it is serving. */
export async function startKlaxon(dbUrl: string): Promise<Child> {
  const port = await freePort();
  // KLAXON_BENCH_NODE_ARGS: extra node flags for the Klaxon process, e.g. --cpu-prof to profile a phase.
  const nodeArgs = (process.env.KLAXON_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const proc = spawn(process.execPath, [...nodeArgs, KLAXON_BIN, 'serve'], {
    cwd: ROOT,
    env: {
      ...process.env,
      KLAXON_DATABASE_URL: dbUrl,
      KLAXON_PORT: String(port),
      KLAXON_HOST: '127.0.0.1',
      KLAXON_LOG_LEVEL: 'warn',
      KLAXON_INGEST_RATE_LIMIT_PER_MINUTE: '100000000',
      KLAXON_EGRESS_ALLOW: BENCH_EGRESS_ALLOW,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const c: Child = {
    proc,
    url: `http://127.0.0.1:${port}`,
    problems: [],
    warnCount: 0,
    errorCount: 0,
    stop: async () => {
      await stop(proc);
    },
  };
  const pinoLevel = (line: string): 'error' | 'warn' | null => {
    if (!line.startsWith('{')) return null;
    try {
      const level = (JSON.parse(line) as { level?: number }).level ?? 0;
      return level >= 50 ? 'error' : level >= 40 ? 'warn' : null;
    } catch {
      return null;
    }
  };
  let err = '';
  must(proc.stderr, 'proc.stderr').on('data', (d: Buffer) => (err += d.toString()).length > 20_000 && (err = err.slice(-10_000)));
  collectLogs(c, must(proc.stderr, 'proc.stderr'), (line) => (line.trim() ? 'error' : null));
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      if (out.includes('Klaxon is running')) {
        must(proc.stdout, 'proc.stdout').off('data', onData);
        resolve();
      }
    };
    must(proc.stdout, 'proc.stdout').on('data', onData);
    proc.once('exit', (code) => reject(new Error(`klaxon serve exited (${code}) before it was ready: ${err}`)));
  });
  collectLogs(c, must(proc.stdout, 'proc.stdout'), pinoLevel);
  return c;
}

/** Engine figures from /metrics: module run time (s) and failures. */
/** CPU seconds the Klaxon process has used so far (user + system), from its /metrics. */
export async function cpuSeconds(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const m = /^klaxon_process_process_cpu_seconds_total ([\d.e+-]+)$/m.exec(text);
  return m ? Number(m[1]) : NaN;
}

export async function engineMetrics(
  url: string,
): Promise<{ seconds: Record<string, number>; errors: Record<string, number>; messages: Record<string, number>; sqlite: { commits: number; syncs: number; checkpoints: number } }> {
  const out = { seconds: {} as Record<string, number>, errors: {} as Record<string, number>, messages: {} as Record<string, number>, sqlite: { commits: 0, syncs: 0, checkpoints: 0 } };
  try {
    const text = await (await fetch(`${url}/metrics`)).text();
    for (const m of text.matchAll(/^klaxon_engine_module_seconds_sum\{module="([^"]+)"\} ([\d.e+-]+)$/gm)) out.seconds[must(m[1], 'm[1]')] = Number(m[2]);
    for (const m of text.matchAll(/^klaxon_engine_module_errors_total\{module="([^"]+)"\} ([\d.e+-]+)$/gm)) out.errors[must(m[1], 'm[1]')] = Number(m[2]);
    out.sqlite.commits = Number(/^klaxon_sqlite_commits ([\d.e+-]+)$/m.exec(text)?.[1] ?? 0);
    out.sqlite.syncs = Number(/^klaxon_sqlite_syncs ([\d.e+-]+)$/m.exec(text)?.[1] ?? 0);
    out.sqlite.checkpoints = Number(/^klaxon_sqlite_checkpoints ([\d.e+-]+)$/m.exec(text)?.[1] ?? 0);
    for (const m of text.matchAll(/^klaxon_messages_total\{channel="([^"]+)",result="([^"]+)"\} ([\d.e+-]+)$/gm)) out.messages[`${m[1]}/${m[2]}`] = Number(m[3]);
  } catch {
    /* the figures are notes only */
  }
  return out;
}

/** Times GET /healthz every 250 ms: the longest answer shows how long the event loop stalled. */
export function stallProbe(url: string): { stop(): { max: number; over1s: number; failed: number } } {
  let max = 0;
  let over1s = 0;
  let failed = 0;
  let running = true;
  void (async () => {
    while (running) {
      const t = performance.now();
      try {
        const r = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(30_000) });
        await r.arrayBuffer();
        if (r.status !== 200) failed++;
      } catch {
        failed++;
      }
      const d = performance.now() - t;
      max = Math.max(max, d);
      if (d > 1000) over1s++;
      await sleep(250);
    }
  })();
  return {
    stop: () => {
      running = false;
      return { max, over1s, failed };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Alertmanager
// ---------------------------------------------------------------------------------------------

export async function startAlertmanager(webhookUrl: string): Promise<Child & { dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'klaxon-peer-am-'));
  const port = await freePort();
  const config = [
    'route:',
    '  receiver: bench',
    "  group_by: ['...']",
    '  group_wait: 0s',
    '  group_interval: 1s',
    '  repeat_interval: 24h',
    'receivers:',
    '  - name: bench',
    '    webhook_configs:',
    `      - url: ${webhookUrl}`,
    '        send_resolved: false',
    '',
  ].join('\n');
  writeFileSync(join(dir, 'alertmanager.yml'), config);
  const proc = spawn(
    ALERTMANAGER,
    [`--config.file=${join(dir, 'alertmanager.yml')}`, `--storage.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address=', '--log.level=warn'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const url = `http://127.0.0.1:${port}`;
  const c = {
    proc,
    url,
    dir,
    problems: [] as string[],
    warnCount: 0,
    errorCount: 0,
    stop: async () => {
      await stop(proc);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  const logfmt = (line: string) => (/level=error/.test(line) ? 'error' : /level=warn/.test(line) ? 'warn' : null);
  collectLogs(c, must(proc.stderr, 'proc.stderr'), logfmt);
  collectLogs(c, must(proc.stdout, 'proc.stdout'), logfmt);
  let exited = false;
  proc.once('exit', () => (exited = true));
  for (let i = 0; i < 200; i++) {
    if (exited) throw new Error(`${ALERTMANAGER} exited before it was ready: ${c.problems.join('\n')}`);
    try {
      if ((await fetch(`${url}/-/ready`)).status === 200) return c;
    } catch {
      /* not listening yet */
    }
    await sleep(50);
  }
  await c.stop();
  throw new Error(`${ALERTMANAGER} did not become ready`);
}
