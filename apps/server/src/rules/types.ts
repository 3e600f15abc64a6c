import type { AlertSeverity } from '../alert/types.js';

/** What a matching rule does (docs/event-rules.md). Every field is optional. */
export interface RuleActions {
  /** Service id (or name) the alert goes to instead of the integration's. */
  route?: string;
  severity?: AlertSeverity;
  /** A new incident's urgency (instead of the service's urgency rule); also the label `urgency`. */
  urgency?: 'high' | 'low';
  /** A new incident's priority, P1..P5; also the label `priority`. */
  priority?: 'P1' | 'P2' | 'P3' | 'P4' | 'P5';
  /** Template for the alert's summary (the incident title). */
  title?: string;
  /** Template for the dedup key. */
  dedupKey?: string;
  /** Labels to add; values are templates. */
  labels?: Record<string, string>;
  links?: { href: string; text?: string }[];
  /** Stored (alert_events, outcome `suppressed`), nobody paged, no incident. */
  suppress?: boolean;
  /** Not stored at all; counted on the rule. Stops evaluation. */
  drop?: boolean;
  /** The incident is held (snoozed) for N minutes and pages only if still open then. */
  pauseMinutes?: number;
  /** The dedup key becomes these labels' values, so alerts with the same values fold into one. */
  groupBy?: string[];
}

/** A stored rule. */
export interface EventRule {
  id: string;
  /** null for a global rule. */
  integrationId: string | null;
  position: number;
  name: string;
  condition: string;
  actions: RuleActions;
  enabled: boolean;
  createdAt: number;
  updatedAt: number;
}

/** One rule's evaluation on one event, as recorded in alert_events.rule_trace. */
export interface RuleTraceEntry {
  ruleId: string;
  name: string;
  scope: 'global' | 'integration';
  /** matched, not_matched, or failed (evaluation error: treated as not matching). */
  result: 'matched' | 'not_matched' | 'failed';
  error?: string;
  /** The actions applied, when it matched. */
  actions?: RuleActions;
}

/** What the rules decided for one event. */
export interface RuleOutcome {
  /** The rules that matched or failed, in order. */
  rules: RuleTraceEntry[];
  /** The ids of the rules evaluated that did not match, in order. */
  notMatched: string[];
  /** The service the alert goes to (id), when a rule routed it. */
  routedTo?: string;
  /** True when the alert went to the catch-all service because its route did not resolve. */
  catchAll?: boolean;
  suppressed?: boolean;
  dropped?: boolean;
  pauseMinutes?: number;
  /** The urgency a matching rule set (the last one wins). */
  urgency?: 'high' | 'low';
  /** The priority a matching rule set (the last one wins). */
  priority?: string;
}
