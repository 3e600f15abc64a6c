/** What an event asks for: PagerDuty's three actions are the common language of every ingest adapter. */
export type AlertAction = 'trigger' | 'acknowledge' | 'resolve';

/** PagerDuty's severities; every adapter maps its source's severity onto these. */
export type AlertSeverity = 'critical' | 'error' | 'warning' | 'info';

export const ALERT_SEVERITIES: readonly AlertSeverity[] = ['critical', 'error', 'warning', 'info'];

/** A link attached to an alert (runbook, dashboard, silence URL...). */
export interface AlertLink {
  href: string;
  text?: string;
}

/**
 * One normalized event, produced by an ingest adapter from a vendor payload. Adapters only parse;
 * the alert service does deduplication, grouping and incident creation.
 */
export interface AlertEvent {
  action: AlertAction;
  /** Deduplication key: <= 255 chars from PagerDuty, <= 512 from Opsgenie (alias). Absent on a trigger: the service generates one. Required for acknowledge/resolve. */
  dedupKey?: string;
  /** Short human summary, <= 1024 chars (truncated by the adapter, never rejected for length). */
  summary: string;
  /** Where it happened (host, job, instance). */
  source: string;
  severity: AlertSeverity;
  /** Free-form fields shown with the alert (labels, annotations, custom_details...). */
  details: Record<string, unknown>;
  links: AlertLink[];
  /** Flat string fields a service can group by (e.g. Alertmanager labels, PagerDuty component/group/class). */
  fields: Record<string, string>;
  /** When the source says it happened (epoch ms), if it says. */
  occurredAt?: number;
  /** The part of the request this event came from, as received: kept beside the normalized alert. */
  raw: unknown;
  /** What the event rules decided (set by rules/, read by the alert service; docs/event-rules.md). */
  rules?: AppliedRules;
}

/** The part of the event rules' outcome the alert service acts on, and the trace it records. */
export interface AppliedRules {
  /** Stored in alert_events.rule_trace as JSON. */
  trace: unknown;
  /** Record the event (outcome `suppressed`), open nothing, page nobody. */
  suppress?: boolean;
  /** Hold a new incident (snoozed) for this many minutes: it pages only if still open then. */
  pauseMinutes?: number;
  /** A new incident's urgency, instead of the service's urgency rule. */
  urgency?: 'high' | 'low';
  /** A new incident's priority (P1..P5). */
  priority?: string;
}

/** What the alert service did with one event. */
export type IngestOutcome =
  | 'created' // a new alert (and possibly a new incident)
  | 'appended' // a trigger on an already open alert with the same dedup key
  | 'acknowledged'
  | 'resolved'
  | 'ignored' // ack/resolve for no open alert (PagerDuty drops these too); still recorded
  | 'suppressed' // an event rule suppressed it: recorded, nobody paged
  | 'dropped'; // an event rule dropped it: not stored, counted on the rule

/** The result of ingesting one event. */
export interface IngestResult {
  dedupKey: string;
  outcome: IngestOutcome;
  alertId: string | null;
  incidentId: string | null;
}
