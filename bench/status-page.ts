/**
 * Status page benchmark: GET /status on the embedded default (SQLite) with 100 components and 1,000
 * past incidents (each with public updates), beside GET /healthz in the same run. Also the page
 * computed without the cache (every request rebuilding it), the worst case after each write.
 *
 *   node --import tsx bench/status-page.ts          (from the repository root)
 *
 * Prints p50/p99 and writes bench/results/status-page.json. BENCH_RUNS (default 1000) and
 * BENCH_UNCACHED (default 200) shorten a run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { configFromEnv } from '../apps/server/src/app/config.js';
import { startKlaxon } from '../apps/server/src/app/klaxon.js';
import { SYSTEM } from '../apps/server/src/auth/actor.js';
import { newId } from '../apps/server/src/lib/ids.js';
import { createLogger } from '../apps/server/src/lib/logger.js';
import { createService } from '../apps/server/src/service/service.js';
import { invalidateStatusCache, loadPageData } from '../apps/server/src/status/page.js';
import { renderStatusHtml } from '../apps/server/src/status/render.js';
import { createBusinessService, saveStatusPage } from '../apps/server/src/status/service.js';
import { continueIncidentNumbersAfter } from '../apps/server/src/store.js';
import { report } from './lib.js';
import { must } from '../apps/server/src/lib/must.js';

const COMPONENTS = 100;
const PAST = 1000;
const RUNS = Number(process.env.BENCH_RUNS ?? 1000);
const DAY = 86_400_000;
const SEVS = ['SEV1', 'SEV2', 'SEV3', 'SEV4'];

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return must(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))], `the p${p} sample`);
}

async function timeRequests(url: string, runs: number): Promise<number[]> {
  for (let i = 0; i < 20; i++) await (await fetch(url)).arrayBuffer();
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const res = await fetch(url);
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`${url}: ${res.status}`);
    out.push(performance.now() - t);
  }
  return out;
}

/** Runs the benchmark and writes bench/results/status-page.json. */
export async function benchStatusPage(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'klaxon-bench-status-'));
  const k = await startKlaxon({ ...configFromEnv({}), port: 0, databaseUrl: join(dir, 'klaxon.db'), publicUrl: 'http://127.0.0.1' }, { log: createLogger('silent') });
  try {
    const ctx = k.ctx;
    const db = ctx.db.kysely;
    const now = ctx.clock.now();
    const serviceIds: string[] = [];
    const bsIds: string[] = [];
    for (let i = 0; i < COMPONENTS; i++) {
      const s = await createService(ctx, SYSTEM, { name: `svc-${i}` });
      serviceIds.push(s.id);
      bsIds.push((await createBusinessService(ctx, SYSTEM, { name: `Component ${i}`, serviceIds: [s.id], position: i })).id);
    }
    await saveStatusPage(ctx, SYSTEM, { slug: 'main', name: 'Bench Status', isDefault: true, businessServiceIds: bsIds });
    // 1,000 resolved incidents over the last 85 days, each with two public updates; 3 still open.
    const incidents = [];
    const updates = [];
    for (let i = 0; i < PAST + 3; i++) {
      const id = newId();
      const created = now - Math.floor(((i % PAST) / PAST) * 85 * DAY) - 3_600_000;
      const open = i >= PAST;
      incidents.push({
        id,
        number: i + 1,
        service_id: must(serviceIds[i % COMPONENTS], 'serviceIds[i % COMPONENTS]'),
        title: `Incident ${i}`,
        status: open ? 'acknowledged' : 'resolved',
        urgency: 'high',
        severity: 'critical',
        details: '',
        group_key: null,
        created_at: created,
        updated_at: created,
        acknowledged_at: null,
        acknowledged_by: null,
        resolved_at: open ? null : created + 45 * 60_000,
        resolved_by: null,
        sev: must(SEVS[i % 4], 'SEVS[i % 4]'),
        major: i % 4 < 2 ? 1 : 0,
        drill: 0,
        incident_manager_id: null,
        impact: '{}',
        policy_snapshot: null,
        escalation_step: 0,
        next_escalation_at: null,
      });
      updates.push({
        id: newId(),
        incident_id: id,
        at: created + 60_000,
        author_id: null,
        author_name: 'IM',
        phase: 'investigating',
        message: `We are investigating problem ${i}.`,
        business_impact: 'Some customers affected',
        next_update_at: null,
        public: 1,
      });
      if (!open)
        updates.push({
          id: newId(),
          incident_id: id,
          at: created + 45 * 60_000,
          author_id: null,
          author_name: 'IM',
          phase: 'resolved',
          message: `Problem ${i} is resolved.`,
          business_impact: '',
          next_update_at: null,
          public: 1,
        });
    }
    for (let i = 0; i < incidents.length; i += 100)
      await db
        .insertInto('incidents')
        .values(incidents.slice(i, i + 100))
        .execute();
    for (let i = 0; i < updates.length; i += 100)
      await db
        .insertInto('status_updates')
        .values(updates.slice(i, i + 100))
        .execute();
    await continueIncidentNumbersAfter(db, incidents.length);
    invalidateStatusCache();

    const health = await timeRequests(`${k.url}/healthz`, RUNS);
    const page = await timeRequests(`${k.url}/status`, RUNS);
    const size = (await (await fetch(`${k.url}/status`)).arrayBuffer()).byteLength;
    const json = await timeRequests(`${k.url}/status/api/v2/summary.json`, RUNS);
    // Uncached: the page rebuilt from the database on every call (what the first request after a write costs).
    const uncached: number[] = [];
    const uncachedCpu: number[] = [];
    for (let i = 0; i < Number(process.env.BENCH_UNCACHED ?? 200); i++) {
      const t = performance.now();
      const c = process.cpuUsage();
      const d = await loadPageData(db, null, ctx.clock.now());
      renderStatusHtml(must(d, 'd'), ctx.publicUrl);
      const used = process.cpuUsage(c);
      uncachedCpu.push((used.user + used.system) / 1000);
      uncached.push(performance.now() - t);
    }
    const baseline = (p: number) => ({ name: `GET /healthz p${p}`, value: pct(health, p) });
    report(
      'status-page',
      [
        { figure: 'GET /status p50', value: pct(page, 50), unit: 'ms', baseline: baseline(50) },
        { figure: 'GET /status p99', value: pct(page, 99), unit: 'ms', baseline: baseline(99) },
        { figure: 'GET /status/api/v2/summary.json p50', value: pct(json, 50), unit: 'ms', baseline: baseline(50) },
        { figure: 'GET /status/api/v2/summary.json p99', value: pct(json, 99), unit: 'ms', baseline: baseline(99) },
        { figure: 'page rebuilt uncached (query + render) p50', value: pct(uncached, 50), unit: 'ms', baseline: baseline(50) },
        { figure: 'page rebuilt uncached (query + render) p99', value: pct(uncached, 99), unit: 'ms', baseline: baseline(99) },
        { figure: 'page rebuilt uncached, CPU time p50', value: pct(uncachedCpu, 50), unit: 'ms' },
        { figure: 'page size', value: size / 1024, unit: 'KiB' },
      ],
      { components: COMPONENTS, pastIncidents: PAST, runs: RUNS, database: 'sqlite', cpus: cpus().length, cpuModel: cpus()[0]?.model, loadAverage: loadavg() },
    );
  } finally {
    await k.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) await benchStatusPage();
