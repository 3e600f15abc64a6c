/**
 * Ingest throughput: PagerDuty-format events per second accepted by Klaxon (embedded SQLite, WAL,
 * synchronous=FULL: 2xx means committed) with 50 concurrent connections, beside a bare Fastify
 * handler that only answers 202, measured in the same run with the same load generator (autocannon).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { configFromEnv } from '../apps/server/src/app/config.js';
import { localContext } from '../apps/server/src/app/klaxon.js';
import { SYSTEM } from '../apps/server/src/auth/actor.js';
import { createIntegration, createService } from '../apps/server/src/service/service.js';
import { freePort, report, ROOT, spawnServer, stop, type Row } from './lib.js';
import { must } from '../apps/server/src/lib/must.js';

const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = 50;
const KEYS = 1000;

function load(url: string, routingKey: string): Promise<autocannon.Result> {
  let i = 0;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: `${url}/v2/enqueue`,
        connections: CONNECTIONS,
        duration: DURATION,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        requests: [
          {
            setupRequest: (req) => {
              i++;
              return {
                ...req,
                body: JSON.stringify({
                  routing_key: routingKey,
                  event_action: 'trigger',
                  dedup_key: `bench-${i % KEYS}`,
                  payload: { summary: `Latency high on api-${i % KEYS}`, source: `api-${i % KEYS}`, severity: 'critical', custom_details: { p99_ms: 2000 + (i % 500) } },
                }),
              };
            },
          },
        ],
      },
      (err, res) => (err ? reject(err) : resolve(res)),
    );
    autocannon.track(instance, { renderProgressBar: process.stdout.isTTY, renderResultsTable: false, renderLatencyTable: false });
  });
}

/** Runs the benchmark and returns its rows. */
export async function benchIngest(): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), 'klaxon-bench-'));
  const dbFile = join(dir, 'klaxon.db');
  const local = await localContext({ ...configFromEnv({}), databaseUrl: dbFile });
  const svc = await createService(local.ctx, SYSTEM, { name: 'bench' });
  const integ = await createIntegration(local.ctx, SYSTEM, svc.id, { name: 'pd', kind: 'pagerduty' });
  await local.close();

  const barePort = await freePort();
  const bare = await spawnServer(['--import', 'tsx', join(ROOT, 'bench', 'bare-server.ts')], { PORT: String(barePort) }, 'bare ready');
  process.stdout.write(`bench ingest: bare Fastify, ${CONNECTIONS} connections, ${DURATION}s\n`);
  const bareRes = await load(`http://127.0.0.1:${barePort}`, must(integ.key, 'integ.key'));
  await stop(bare);

  const port = await freePort();
  const klaxon = await spawnServer(
    [join(ROOT, 'apps', 'server', 'bin', 'klaxon.js'), 'serve'],
    { KLAXON_DATABASE_URL: dbFile, KLAXON_PORT: String(port), KLAXON_LOG_LEVEL: 'error', KLAXON_INGEST_RATE_LIMIT_PER_MINUTE: '100000000' },
    'Klaxon is running',
  );
  process.stdout.write(`bench ingest: Klaxon (SQLite, synchronous=FULL), ${CONNECTIONS} connections, ${DURATION}s\n`);
  const res = await load(`http://127.0.0.1:${port}`, must(integ.key, 'integ.key'));
  await stop(klaxon);

  const check = await localContext({ ...configFromEnv({}), databaseUrl: dbFile });
  const stored = Number(
    (
      await check.ctx.db.kysely
        .selectFrom('alert_events')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
  await check.close();
  rmSync(dir, { recursive: true, force: true });

  const accepted = res['2xx'];
  const rows: Row[] = [
    { figure: 'PagerDuty events/s accepted (SQLite, durable)', value: accepted / DURATION, unit: 'req/s', baseline: { name: 'bare Fastify 202', value: bareRes['2xx'] / DURATION } },
    { figure: 'latency p50', value: res.latency.p50, unit: 'ms', baseline: { name: 'bare Fastify', value: Math.max(bareRes.latency.p50, 0.01) } },
    { figure: 'latency p99', value: res.latency.p99, unit: 'ms', baseline: { name: 'bare Fastify', value: Math.max(bareRes.latency.p99, 0.01) } },
    { figure: 'non-2xx answers', value: res.non2xx + res.errors, unit: 'req' },
    { figure: 'events stored (>= 2xx counted: none lost)', value: stored, unit: 'events', baseline: { name: '2xx counted by autocannon', value: accepted } },
  ];
  report('ingest', rows, { connections: CONNECTIONS, seconds: DURATION, dedupKeys: KEYS });
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) await benchIngest();
