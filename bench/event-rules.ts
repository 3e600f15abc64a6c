/**
 * Event rules at ingest: CPU time per event on the ingest commit path (in process, no HTTP, as
 * bench/ingest-path.ts) with 100 global rules, beside the same run with no rules, in this process.
 * Also the rules' own cost (evaluating 100 compiled rules on one event, no database), with and
 * without the prefilter's cheap checks (apps/server/src/rules/prefilter.ts). Target: 100
 * rules cost at most 20 µs per event. CPU time, not wall time, so a busy machine blurs it less.
 *
 *   node --import tsx bench/event-rules.ts [events=10000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AlertIngest } from '../apps/server/src/alert/service.js';
import type { AlertEvent } from '../apps/server/src/alert/types.js';
import { configFromEnv } from '../apps/server/src/app/config.js';
import { localContext } from '../apps/server/src/app/klaxon.js';
import { SYSTEM } from '../apps/server/src/auth/actor.js';
import { compileRule, evaluateRules } from '../apps/server/src/rules/engine.js';
import { createRule } from '../apps/server/src/rules/service.js';
import { createIntegration, createService } from '../apps/server/src/service/service.js';
import type { Integration, Service } from '../apps/server/src/service/types.js';
import { report } from './lib.js';

const EVENTS = Number(process.argv[2] ?? 10_000);
const CONC = 50;
const RULES = 100;

/** 100 rules of the usual kinds (label tests, a severity test, a summary test), none matching the benchmark's events: every rule is evaluated on every event, the worst case for evaluation. */
function ruleSpec(i: number): { name: string; condition: string; actions: Record<string, unknown> } {
  switch (i % 4) {
    case 0:
      return { name: `team ${i}`, condition: `has(labels.team) && labels.team == "team-${i}"`, actions: { route: 'bench' } };
    case 1:
      return { name: `sev ${i}`, condition: `severity == "warning" && source.startsWith("host-${i}")`, actions: { suppress: true } };
    case 2:
      return { name: `sum ${i}`, condition: `summary.contains("disk-${i}")`, actions: { severity: 'critical', title: '{{summary}} on {{source}}' } };
    default:
      return { name: `env ${i}`, condition: `has(labels.env) && labels.env == "prod" && has(labels.region) && labels.region == "r-${i}"`, actions: { labels: { tier: 't{{labels.region}}' } } };
  }
}

const event = (i: number): AlertEvent => ({
  action: 'trigger',
  dedupKey: `bench-${i % 1000}`,
  summary: `Latency high on api-${i % 1000}`,
  source: 'host-x',
  severity: 'critical',
  details: { i, region: 'eu-west-1' },
  links: [],
  fields: { team: 'payments', env: 'prod', region: 'eu' },
  raw: { i },
});

async function ingestRun(withRules: boolean): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'klaxon-bench-rules-'));
  const { ctx, close } = await localContext({ ...configFromEnv({}), databaseUrl: join(dir, 'k.db') });
  try {
    const service = (await createService(ctx, SYSTEM, { name: 'bench' })) as Service;
    const created = await createIntegration(ctx, SYSTEM, service.id, { name: 'pd', kind: 'pagerduty' });
    const integration = ((created as { integration?: Integration }).integration ?? created) as Integration;
    const ingest = new AlertIngest(ctx);
    if (withRules) for (let i = 0; i < RULES; i++) await createRule(ctx, SYSTEM, ingest.rules, ruleSpec(i));
    const actor = { type: 'integration' as const, id: integration.id, name: integration.name, serviceId: service.id };
    for (let i = 0; i < 1000; i += CONC) await Promise.all(Array.from({ length: CONC }, (_, j) => ingest.ingest(actor, { integration, service, events: [event(i + j)] })));
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < EVENTS; i += CONC) await Promise.all(Array.from({ length: CONC }, (_, j) => ingest.ingest(actor, { integration, service, events: [event(1000 + i + j)] })));
    const c = process.cpuUsage(cpu0);
    return (c.user + c.system) / EVENTS;
  } finally {
    await close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Evaluating the 100 rules on one event; `celOnly`: without the prefilter's cheap checks (every CEL program runs). */
function evaluationOnly(celOnly = false): number {
  const compiled = Array.from({ length: RULES }, (_, i) => compileRule({ id: `r${i}`, integrationId: null, position: i, enabled: true, createdAt: 0, updatedAt: 0, ...ruleSpec(i) } as never)).map(
    (c) => (celOnly ? { ...c, probes: [] } : c),
  );
  const sets = [{ scope: 'global' as const, rules: compiled }];
  const integration = { id: 'i', name: 'pd', kind: 'pagerduty' };
  for (let i = 0; i < 2000; i++) evaluateRules(sets, event(i), integration);
  const n = 20_000;
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < n; i++) evaluateRules(sets, event(i), integration);
  const c = process.cpuUsage(cpu0);
  return (c.user + c.system) / n;
}

export async function benchEventRules(): Promise<void> {
  const without = await ingestRun(false);
  const withRules = await ingestRun(true);
  const evalOnly = evaluationOnly();
  const celOnly = evaluationOnly(true);
  report(
    'event-rules',
    [
      { figure: `ingest CPU per event, ${RULES} rules`, value: withRules, unit: 'µs', baseline: { name: 'no rules', value: without } },
      { figure: `cost of ${RULES} rules per event at ingest`, value: withRules - without, unit: 'µs', baseline: { name: 'target', value: 20 } },
      { figure: `evaluating ${RULES} rules alone, per event`, value: evalOnly, unit: 'µs', baseline: { name: 'target', value: 20 } },
      { figure: `evaluating ${RULES} rules, every CEL program run (no prefilter)`, value: celOnly, unit: 'µs', baseline: { name: 'with prefilter', value: evalOnly } },
    ],
    { events: EVENTS, rules: RULES },
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await benchEventRules();
