import { createHash } from 'node:crypto';
import { requirePermission, requirePermissionSomewhere, type Actor } from '../auth/actor.js';
import type { Ctx, Tx } from '../context.js';
import type { AlertEvent, IngestResult } from '../alert/types.js';
import { invalid, notFound } from '../lib/errors.js';
import { newId } from '../lib/ids.js';
import { findService } from '../service/service.js';
import { integrationRow } from '../service/store.js';
import type { Integration, Service } from '../service/types.js';
import { IngestError, parseAlertmanagerWebhook, parseGenericEvents, parseGrafanaWebhook, parseOpsgenieCreate, parsePagerDutyEvent } from '../ingest/index.js';
import { compileRule, evaluateRules, RuleProblem, type CompiledRule, type RuleStats } from './engine.js';
import * as store from './store.js';
import type { EventRule, RuleActions, RuleOutcome, RuleTraceEntry } from './types.js';
import { must } from '../lib/must.js';

/** How long an instance trusts its loaded rules before reading them again (changes through it clear at once). */
const CACHE_MS = 5_000;

type Sets = { scope: 'global' | 'integration'; rules: CompiledRule[] }[];

/** One ingest request, as the alert service's IngestBatch (declared here so rules/ does not import alert/service). */
export interface IngestBatch {
  integration: Integration;
  service: Service;
  events: AlertEvent[];
}

/** One event after the rules: where it goes and what the rules said. */
export interface PlannedEvent {
  event: AlertEvent;
  service: Service;
  outcome: RuleOutcome;
}

/**
 * The event rules of one instance: compiled once when loaded (and checked when saved), per-rule
 * counters since start, and the step ingest runs before committing (docs/event-rules.md).
 */
export class EventRules {
  private loaded: { at: number; global: CompiledRule[]; byIntegration: Map<string, CompiledRule[]>; catchAll: string | null; sets: Map<string, Sets> } | null = null;
  private loading: Promise<void> | null = null;
  readonly stats = new Map<string, RuleStats>();
  /** The snapshot (event_rule_snapshots id) of each rule-set list handed out, saved before first use. */
  private readonly snapshotOf = new WeakMap<Sets, string>();
  private readonly saved = new Set<string>();

  constructor(private readonly ctx: Ctx) {}

  /** Forgets the loaded rules (after a change through this instance). */
  invalidate(): void {
    this.loaded = null;
  }

  private async load(): Promise<NonNullable<EventRules['loaded']>> {
    const now = this.ctx.clock.now();
    if (this.loaded && now - this.loaded.at < CACHE_MS) return this.loaded;
    if (!this.loading) {
      this.loading = (async () => {
        const rules = await store.allRules(this.ctx.db.kysely);
        const catchAll = await store.catchAllServiceId(this.ctx.db.kysely);
        const global: CompiledRule[] = [];
        const byIntegration = new Map<string, CompiledRule[]>();
        for (const r of rules) {
          if (!r.enabled) continue;
          let c: CompiledRule;
          try {
            c = compileRule(r);
          } catch {
            continue; // saved rules compiled when saved; a library upgrade that breaks one skips it
          }
          if (r.integrationId === null) global.push(c);
          else {
            let l = byIntegration.get(r.integrationId);
            if (!l) byIntegration.set(r.integrationId, (l = []));
            l.push(c);
          }
        }
        this.loaded = { at: this.ctx.clock.now(), global, byIntegration, catchAll, sets: new Map() };
      })().finally(() => (this.loading = null));
    }
    await this.loading;
    return must(this.loaded, 'this.loaded');
  }

  /** The rule sets for an integration, or null when there are none (the fast path). */
  async setsFor(integrationId: string): Promise<Sets | null> {
    const l = await this.load();
    const own = l.byIntegration.get(integrationId);
    if (l.global.length === 0 && !own) return null;
    const known = l.sets.get(integrationId);
    if (known) return known;
    const sets: Sets = [];
    if (l.global.length) sets.push({ scope: 'global', rules: l.global });
    if (own) sets.push({ scope: 'integration', rules: own });
    // The ordered list every stored event of this integration is evaluated against, stored once and named
    // by its hash: an event's trace names it instead of listing each rule that did not match (100 ids a row).
    const list = JSON.stringify(sets.flatMap((s) => s.rules.map((c) => [c.rule.id, c.rule.name, s.scope])));
    const id = createHash('sha256').update(list).digest('hex').slice(0, 32);
    if (!this.saved.has(id)) {
      await store.saveSnapshot(this.ctx.db.kysely, id, list, this.ctx.clock.now());
      this.saved.add(id);
    }
    this.snapshotOf.set(sets, id);
    l.sets.set(integrationId, sets);
    return sets;
  }

  /** Runs the rules on a batch's events and resolves where each goes. Never throws for an event's content. */
  async plan(batch: IngestBatch, sets: Sets, count = true): Promise<PlannedEvent[]> {
    const l = await this.load();
    const services = new Map<string, Service | null>();
    const out: PlannedEvent[] = [];
    for (const e of batch.events) {
      const { event, outcome } = evaluateRules(sets, e, batch.integration, count ? this.stats : undefined);
      let service = batch.service;
      if (outcome.routedTo !== undefined && !outcome.dropped) {
        let s = services.get(outcome.routedTo);
        if (s === undefined) services.set(outcome.routedTo, (s = (await findService(this.ctx.db.kysely, outcome.routedTo)) ?? null));
        if (s) service = s;
        else {
          // The route names no service: the catch-all, never nowhere (else the integration's own).
          outcome.catchAll = true;
          const key = `\u0000catch-all`;
          let c = services.get(key);
          if (c === undefined) services.set(key, (c = l.catchAll ? ((await findService(this.ctx.db.kysely, l.catchAll)) ?? null) : null));
          if (c) service = c;
        }
      }
      // Compact: the rules that matched or failed in full, the others by id only (docs/event-rules.md).
      const snapshot = this.snapshotOf.get(sets);
      const trace = {
        rules: outcome.rules,
        // Every rule of the snapshot not in `rules` was evaluated and did not match (a drop stores nothing).
        ...(snapshot ? { snapshot } : { notMatched: outcome.notMatched }),
        service: service.id,
        ...(outcome.catchAll && { catchAll: true }),
        ...(outcome.suppressed && { suppressed: true }),
        ...(outcome.pauseMinutes !== undefined && { pauseMinutes: outcome.pauseMinutes }),
        ...(outcome.urgency && { urgency: outcome.urgency }),
        ...(outcome.priority && { priority: outcome.priority }),
      };
      out.push({
        event: {
          ...event,
          rules: {
            trace,
            ...(outcome.suppressed && { suppress: true }),
            ...(outcome.pauseMinutes !== undefined && { pauseMinutes: outcome.pauseMinutes }),
            ...(outcome.urgency && { urgency: outcome.urgency }),
            ...(outcome.priority && { priority: outcome.priority }),
          },
        },
        service,
        outcome,
      });
    }
    return out;
  }

  /**
   * Ingest with rules: events grouped by the service they go to, each group committed by `submit`,
   * results in the order of the events. Dropped events are answered `dropped` and stored nowhere.
   */
  async ingest(batch: IngestBatch, sets: Sets, submit: (b: IngestBatch) => Promise<IngestResult[]>): Promise<IngestResult[]> {
    const planned = await this.plan(batch, sets);
    const results: IngestResult[] = new Array(planned.length);
    const groups = new Map<string, { service: Service; events: AlertEvent[]; at: number[] }>();
    planned.forEach((p, i) => {
      if (p.outcome.dropped) {
        results[i] = { dedupKey: p.event.dedupKey ?? '', outcome: 'dropped', alertId: null, incidentId: null };
        return;
      }
      let g = groups.get(p.service.id);
      if (!g) groups.set(p.service.id, (g = { service: p.service, events: [], at: [] }));
      g.events.push(p.event);
      g.at.push(i);
    });
    for (const g of groups.values()) {
      const rs = await submit({ integration: batch.integration, service: g.service, events: g.events });
      rs.forEach((r, j) => (results[must(g.at[j], 'g.at[j]')] = r));
    }
    return results;
  }
}

/** A rule as the API shows it, with this instance's counters. */
export interface RuleView extends EventRule {
  stats: RuleStats;
}

const noStats = (): RuleStats => ({ evaluated: 0, matched: 0, failed: 0, dropped: 0, lastError: null });

function view(rules: EventRules, r: EventRule): RuleView {
  return { ...r, stats: { ...(rules.stats.get(r.id) ?? noStats()) } };
}

function check(r: EventRule): void {
  try {
    compileRule(r);
  } catch (e) {
    if (e instanceof RuleProblem) throw invalid(e.message, [{ path: e.field, message: e.message }]);
    throw e;
  }
}

export interface RuleInput {
  integrationId?: string | null;
  position?: number;
  name: string;
  condition: string;
  actions?: RuleActions;
  enabled?: boolean;
}

/**
 * The team check of a rule set: an integration's rules belong to the team of the integration's
 * service (its team admins manage them); the global rules (integrationId null) and rules of an
 * unknown integration need the global admin role. Throws `forbidden` otherwise.
 */
async function requireOnRuleSet(db: Tx, actor: Actor, integrationId: string | null): Promise<void> {
  if (integrationId === null) return requirePermission(actor, 'admin');
  const row = await integrationRow(db, integrationId);
  const teamId = row ? ((await findService(db, row.service_id))?.teamId ?? null) : undefined;
  requirePermission(actor, 'admin', teamId);
}

export async function listRules(ctx: Ctx, actor: Actor, rules: EventRules): Promise<RuleView[]> {
  requirePermission(actor, 'read');
  return (await store.allRules(ctx.db.kysely)).map((r) => view(rules, r));
}

export async function getRule(ctx: Ctx, actor: Actor, rules: EventRules, id: string): Promise<RuleView> {
  requirePermission(actor, 'read');
  const r = await store.ruleById(ctx.db.kysely, id);
  if (!r) throw notFound('Event rule');
  return view(rules, r);
}

/** Adds a rule: a global one (global admins), or one of an integration (also the admins of its service's team). */
export async function createRule(ctx: Ctx, actor: Actor, rules: EventRules, input: RuleInput): Promise<RuleView> {
  requirePermissionSomewhere(actor, 'admin');
  const integrationId = input.integrationId ?? null;
  await requireOnRuleSet(ctx.db.kysely, actor, integrationId);
  if (integrationId !== null && !(await store.integrationExists(ctx.db.kysely, integrationId)))
    throw invalid(`No integration ${integrationId}`, [{ path: 'integrationId', message: 'no such integration' }]);
  const now = ctx.clock.now();
  const r: EventRule = {
    id: newId(),
    integrationId,
    position: input.position ?? (await store.nextPosition(ctx.db.kysely, integrationId)),
    name: input.name,
    condition: input.condition,
    actions: input.actions ?? {},
    enabled: input.enabled ?? true,
    createdAt: now,
    updatedAt: now,
  };
  check(r);
  await store.insertRule(ctx.db.kysely, r);
  rules.invalidate();
  return view(rules, r);
}

/** Changes a rule (who may: as createRule, by the rule's integration). */
export async function updateRule(ctx: Ctx, actor: Actor, rules: EventRules, id: string, patch: Partial<RuleInput>): Promise<RuleView> {
  requirePermissionSomewhere(actor, 'admin');
  const old = await store.ruleById(ctx.db.kysely, id);
  if (!old) throw notFound('Event rule');
  await requireOnRuleSet(ctx.db.kysely, actor, old.integrationId);
  const r: EventRule = {
    ...old,
    ...(patch.position !== undefined && { position: patch.position }),
    ...(patch.name !== undefined && { name: patch.name }),
    ...(patch.condition !== undefined && { condition: patch.condition }),
    ...(patch.actions !== undefined && { actions: patch.actions }),
    ...(patch.enabled !== undefined && { enabled: patch.enabled }),
    updatedAt: ctx.clock.now(),
  };
  check(r);
  await store.updateRuleRow(ctx.db.kysely, r);
  rules.invalidate();
  return view(rules, r);
}

/** Removes a rule (who may: as createRule, by the rule's integration). */
export async function deleteRule(ctx: Ctx, actor: Actor, rules: EventRules, id: string): Promise<void> {
  requirePermissionSomewhere(actor, 'admin');
  const old = await store.ruleById(ctx.db.kysely, id);
  if (!old) throw notFound('Event rule');
  await requireOnRuleSet(ctx.db.kysely, actor, old.integrationId);
  if (!(await store.deleteRuleRow(ctx.db.kysely, id))) throw notFound('Event rule');
  rules.stats.delete(id);
  rules.invalidate();
}

export async function getCatchAll(ctx: Ctx, actor: Actor): Promise<string | null> {
  requirePermission(actor, 'read');
  return store.catchAllServiceId(ctx.db.kysely);
}

export async function setCatchAll(ctx: Ctx, actor: Actor, rules: EventRules, serviceId: string | null): Promise<string | null> {
  requirePermission(actor, 'admin');
  let id: string | null = null;
  if (serviceId !== null) {
    const s = await findService(ctx.db.kysely, serviceId);
    if (!s) throw invalid(`No service ${serviceId}`, [{ path: 'serviceId', message: 'no such service' }]);
    id = s.id;
  }
  await store.setCatchAllServiceId(ctx.db.kysely, id);
  rules.invalidate();
  return id;
}

/** Parses a payload as the integration's kind would. */
function parseFor(kind: string, payload: unknown): AlertEvent[] {
  switch (kind) {
    case 'alertmanager':
      return parseAlertmanagerWebhook(payload);
    case 'grafana':
      return parseGrafanaWebhook(payload);
    case 'pagerduty':
      return [parsePagerDutyEvent(payload).event];
    case 'opsgenie':
      return [parseOpsgenieCreate(payload)];
    default:
      return parseGenericEvents(payload);
  }
}

export interface TestedEvent {
  summary: string;
  severity: string;
  dedupKey: string | null;
  labels: Record<string, string>;
  serviceId: string;
  serviceName: string;
  result: 'alert' | 'suppressed' | 'dropped' | 'paused';
  pauseMinutes: number | null;
  urgency: 'high' | 'low' | null;
  priority: 'P1' | 'P2' | 'P3' | 'P4' | 'P5' | null;
  catchAll: boolean;
  rules: RuleOutcome['rules'];
}

/** The tester: which rules match a payload sent to an integration and what would happen. Creates nothing, counts nothing. */
export async function testRules(ctx: Ctx, actor: Actor, rules: EventRules, input: { integrationId: string; payload: unknown }): Promise<TestedEvent[]> {
  requirePermissionSomewhere(actor, 'admin');
  const row = await integrationRow(ctx.db.kysely, input.integrationId);
  if (!row) throw invalid(`No integration ${input.integrationId}`, [{ path: 'integrationId', message: 'no such integration' }]);
  const service = await findService(ctx.db.kysely, row.service_id);
  if (!service) throw notFound('Service');
  requirePermission(actor, 'admin', service.teamId ?? null);
  let events: AlertEvent[];
  try {
    events = parseFor(row.kind, input.payload);
  } catch (e) {
    if (e instanceof IngestError)
      throw invalid(
        `The payload is not a valid ${row.kind} payload: ${e.message}`,
        e.errors.map((x) => ({ path: 'payload', message: x })),
      );
    throw e;
  }
  const integration = { id: row.id, name: row.name, kind: row.kind } as Integration;
  const sets = (await rules.setsFor(row.id)) ?? [];
  const planned = await rules.plan({ integration, service, events }, sets, false);
  const order = sets.flatMap((s) => s.rules.map((c) => ({ id: c.rule.id, name: c.rule.name, scope: s.scope })));
  // Every rule evaluated, in order: matched and failed ones as recorded, the others not_matched.
  const all = (o: RuleOutcome): RuleTraceEntry[] =>
    order.flatMap((r) => {
      const hit = o.rules.find((x) => x.ruleId === r.id);
      if (hit) return [hit];
      return o.notMatched.includes(r.id) ? [{ ruleId: r.id, name: r.name, scope: r.scope, result: 'not_matched' as const }] : [];
    });
  return planned.map((p) => ({
    summary: p.event.summary,
    severity: p.event.severity,
    dedupKey: p.event.dedupKey ?? null,
    labels: p.event.fields,
    serviceId: p.service.id,
    serviceName: p.service.name,
    result: p.outcome.dropped ? 'dropped' : p.outcome.suppressed ? 'suppressed' : p.outcome.pauseMinutes ? 'paused' : 'alert',
    pauseMinutes: p.outcome.pauseMinutes ?? null,
    urgency: p.outcome.urgency ?? null,
    priority: (p.outcome.priority ?? null) as TestedEvent['priority'],
    catchAll: p.outcome.catchAll ?? false,
    rules: all(p.outcome),
  }));
}
