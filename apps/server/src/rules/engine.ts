import { parse } from '@marcbachmann/cel-js';
import type { AlertEvent } from '../alert/types.js';
import { ALERT_SEVERITIES } from '../alert/types.js';
import { probesOf, type Probe } from './prefilter.js';
import { compileTemplate, type Template } from './template.js';
import type { EventRule, RuleActions, RuleOutcome } from './types.js';
import { must } from '../lib/must.js';

/** A rule compiled once when saved or loaded: the CEL program and the templates. */
export interface CompiledRule {
  rule: EventRule;
  test: (vars: Record<string, unknown>) => unknown;
  /** Cheap necessary checks (prefilter.ts): one answering false means CEL would give false; the program is not run. */
  probes: Probe[];
  title?: Template;
  dedupKey?: Template;
  labels?: [string, Template][];
  /** This instance's counters of the rule, attached on first evaluation. */
  stats?: RuleStats;
}

/** Per-rule counters of this instance since it started. */
export interface RuleStats {
  evaluated: number;
  matched: number;
  failed: number;
  dropped: number;
  lastError: string | null;
}

/** A problem with a rule, naming the field: `condition`, `actions.title`... */
export class RuleProblem extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** Compiles a rule; throws RuleProblem saying where a condition or template is wrong. */
export function compileRule(rule: EventRule): CompiledRule {
  let test: CompiledRule['test'];
  try {
    test = parse(rule.condition) as unknown as CompiledRule['test'];
  } catch (e) {
    throw new RuleProblem('condition', `The condition does not compile: ${(e as Error).message}`);
  }
  const a = rule.actions;
  const tpl = (field: string, text: string): Template => {
    try {
      return compileTemplate(text);
    } catch (e) {
      throw new RuleProblem(field, `The template ${field} is malformed: ${(e as Error).message}`);
    }
  };
  if (a.severity !== undefined && !ALERT_SEVERITIES.includes(a.severity)) throw new RuleProblem('actions.severity', `severity must be one of ${ALERT_SEVERITIES.join(', ')}`);
  return {
    rule,
    test,
    probes: probesOf((test as unknown as { ast?: unknown }).ast),
    ...(a.title !== undefined && { title: tpl('actions.title', a.title) }),
    ...(a.dedupKey !== undefined && { dedupKey: tpl('actions.dedupKey', a.dedupKey) }),
    ...(a.labels && { labels: Object.entries(a.labels).map(([k, v]) => [k, tpl(`actions.labels.${k}`, v)] as [string, Template]) }),
  };
}

/** The variables a condition and a template see (docs/event-rules.md). */
export function ruleVariables(e: AlertEvent, integration: { id: string; name: string; kind: string }): Record<string, unknown> {
  return {
    action: e.action,
    summary: e.summary,
    source: e.source,
    severity: e.severity,
    dedupKey: e.dedupKey ?? '',
    labels: e.fields,
    details: e.details,
    raw: e.raw ?? null,
    integration: { id: integration.id, name: integration.name, kind: integration.kind },
  };
}

const MAX_SUMMARY = 1024;
const MAX_KEY = 255;

function applyActions(c: CompiledRule, e: AlertEvent, vars: Record<string, unknown>, out: RuleOutcome): AlertEvent {
  const a = c.rule.actions;
  let next: AlertEvent = e;
  const fields = { ...e.fields };
  if (a.route !== undefined) out.routedTo = a.route;
  if (a.severity !== undefined) next = { ...next, severity: a.severity };
  if (a.urgency !== undefined) {
    fields.urgency = a.urgency;
    out.urgency = a.urgency;
  }
  if (a.priority !== undefined) {
    fields.priority = a.priority;
    // Only P1..P5 become the incident's priority (a rule saved before they were enforced keeps its label only).
    if (/^P[1-5]$/.test(a.priority)) out.priority = a.priority;
  }
  if (c.labels) for (const [k, t] of c.labels) fields[k] = t(vars);
  next = { ...next, fields };
  if (c.title) {
    const title = c.title(vars).trim().slice(0, MAX_SUMMARY);
    if (title) next = { ...next, summary: title };
  }
  if (a.groupBy && a.groupBy.length > 0)
    next = {
      ...next,
      dedupKey: a.groupBy
        .map((f) => `${f}=${fields[f] ?? ''}`)
        .join('|')
        .slice(0, MAX_KEY),
    };
  if (c.dedupKey) {
    const key = c.dedupKey(vars).slice(0, MAX_KEY);
    if (key) next = { ...next, dedupKey: key };
  }
  if (a.links) next = { ...next, links: [...next.links, ...a.links] };
  if (a.suppress) out.suppressed = true;
  if (a.pauseMinutes !== undefined) out.pauseMinutes = a.pauseMinutes;
  return next;
}

/**
 * Runs the rule sets in order (global first, then the integration's) on one event. Every matching
 * rule applies its actions in order (a later one overrides an earlier one's settings); `drop` stops.
 * A rule that throws or answers anything but a boolean is a failure: treated as not matching,
 * counted, recorded. Never throws.
 */
export function evaluateRules(
  sets: { scope: 'global' | 'integration'; rules: CompiledRule[] }[],
  event: AlertEvent,
  integration: { id: string; name: string; kind: string },
  stats?: Map<string, RuleStats>,
): { event: AlertEvent; outcome: RuleOutcome } {
  const outcome: RuleOutcome = { rules: [], notMatched: [] };
  let e = event;
  // The variables change only when a rule applies actions: built once, rebuilt after each match.
  let vars = ruleVariables(e, integration);
  for (const set of sets) {
    for (const c of set.rules) {
      const stat = stats && (c.stats ??= statOf(stats, c.rule.id));
      if (stat) stat.evaluated++;
      let r: unknown;
      try {
        r = true;
        for (let i = 0; i < c.probes.length; i++)
          if (must(c.probes[i], 'c.probes[i]')(vars) === false) {
            r = false;
            break;
          }
        if (r) r = c.test(vars);
        if (typeof r !== 'boolean') throw new Error(`the condition gave ${typeof r === 'bigint' ? 'an integer' : typeof r}, not a boolean`);
      } catch (err) {
        fail(outcome, c, set.scope, err, stat);
        continue;
      }
      if (!r) {
        outcome.notMatched.push(c.rule.id);
        continue;
      }
      if (stat) stat.matched++;
      try {
        e = applyActions(c, e, vars, outcome);
        vars = ruleVariables(e, integration);
      } catch (err) {
        fail(outcome, c, set.scope, err, stat);
        continue;
      }
      outcome.rules.push({ ruleId: c.rule.id, name: c.rule.name, scope: set.scope, result: 'matched', actions: c.rule.actions });
      if (c.rule.actions.drop) {
        outcome.dropped = true;
        if (stat) stat.dropped++;
        return { event: e, outcome };
      }
    }
  }
  return { event: e, outcome };
}

function fail(outcome: RuleOutcome, c: CompiledRule, scope: 'global' | 'integration', err: unknown, stat: RuleStats | undefined): void {
  const error = String((err as Error | undefined)?.message ?? err).slice(0, 500);
  outcome.rules.push({ ruleId: c.rule.id, name: c.rule.name, scope, result: 'failed', error });
  if (stat) {
    stat.failed++;
    stat.lastError = error;
  }
}

function statOf(stats: Map<string, RuleStats>, id: string): RuleStats {
  let s = stats.get(id);
  if (!s) stats.set(id, (s = { evaluated: 0, matched: 0, failed: 0, dropped: 0, lastError: null }));
  return s;
}

export type { RuleActions };
