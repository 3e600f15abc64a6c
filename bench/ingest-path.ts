/**
 * The ingest commit path alone, in process (no HTTP): CPU time per event for PagerDuty-like triggers
 * on 1,000 dedup keys, submitted 50 at a time as concurrent requests would be. Robust to a busy
 * machine (it reports CPU time, not wall time), so it guides work on the path between full runs.
 *
 *   node --import tsx bench/ingest-path.ts [events=20000] [concurrency=50]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AlertIngest } from '../apps/server/src/alert/service.js';
import { configFromEnv } from '../apps/server/src/app/config.js';
import { localContext } from '../apps/server/src/app/klaxon.js';
import { SYSTEM } from '../apps/server/src/auth/actor.js';
import { createIntegration, createService } from '../apps/server/src/service/service.js';
import type { Service, Integration } from '../apps/server/src/service/types.js';

const EVENTS = Number(process.argv[2] ?? 20_000);
const CONC = Number(process.argv[3] ?? 50);
const dir = mkdtempSync(join(tmpdir(), 'klaxon-ingest-path-'));
const { ctx, close } = await localContext({ ...configFromEnv({}), databaseUrl: join(dir, 'k.db') });
try {
  const service = (await createService(ctx, SYSTEM, { name: 'bench' })) as Service;
  const created = await createIntegration(ctx, SYSTEM, service.id, { name: 'pd', kind: 'pagerduty' });
  const integration = ((created as { integration?: Integration }).integration ?? created) as Integration;
  const ingest = new AlertIngest(ctx);
  const actor = { type: 'integration' as const, id: integration.id, name: integration.name, serviceId: service.id };
  const event = (i: number) => ({
    action: 'trigger' as const,
    dedupKey: `bench-${i % 1000}`,
    summary: `Latency high on api-${i % 1000}`,
    source: 'bench',
    severity: 'critical' as const,
    details: { i, region: 'eu-west-1' },
    links: [],
    fields: {},
    raw: { i },
  });
  // Warm up: the 1,000 incidents (first events per key) are not what this measures.
  for (let i = 0; i < 1000; i += CONC) await Promise.all(Array.from({ length: CONC }, (_, j) => ingest.ingest(actor, { integration, service, events: [event(i + j)] })));
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < EVENTS; i += CONC) await Promise.all(Array.from({ length: CONC }, (_, j) => ingest.ingest(actor, { integration, service, events: [event(1000 + i + j)] })));
  const wall = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(cpu0);
  const cpu = (c.user + c.system) / 1e6;
  console.log(
    JSON.stringify({
      events: EVENTS,
      concurrency: CONC,
      wallSeconds: +wall.toFixed(2),
      cpuSeconds: +cpu.toFixed(2),
      eventsPerCpuSecond: Math.round(EVENTS / cpu),
      eventsPerWallSecond: Math.round(EVENTS / wall),
      cpuMicrosPerEvent: Math.round((cpu / EVENTS) * 1e6),
    }),
  );
} finally {
  await close();
  rmSync(dir, { recursive: true, force: true });
}
