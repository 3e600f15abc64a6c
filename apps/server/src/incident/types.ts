export type IncidentStatus = 'triggered' | 'acknowledged' | 'resolved';

/**
 * The statuses of an open incident. Queries for open incidents name them ("status in ...") rather
 * than "status != 'resolved'", which no index can answer: at scale nearly every incident is resolved.
 */
export const OPEN_STATUSES = ['triggered', 'acknowledged'] as const satisfies readonly IncidentStatus[];

/** An incident as the API shows it. */
export interface Incident {
  id: string;
  number: number;
  serviceId: string;
  serviceName: string;
  title: string;
  status: IncidentStatus;
  urgency: 'high' | 'low';
  severity: string;
  details: string;
  createdAt: number;
  updatedAt: number;
  acknowledgedAt: number | null;
  acknowledgedBy: string | null;
  resolvedAt: number | null;
  resolvedBy: string | null;
  escalationStep: number;
  nextEscalationAt: number | null;
  escalationPolicyName: string | null;
  alertCount: number;
  /** Declared severity level (SEV1..), or null. */
  sev: string | null;
  /** True for major incidents (they have a war room). */
  major: boolean;
  /** True for drills. */
  drill: boolean;
  /** The incident manager's user id, or null. */
  incidentManagerId: string | null;
  /** While snoozed: when it pages again (epoch ms); else null. */
  snoozedUntil: number | null;
  /** P1..P5 from the event rule that matched the alert that opened it, or null. */
  priority: 'P1' | 'P2' | 'P3' | 'P4' | 'P5' | null;
}

// The request schemas live in the API contract (packages/contract).
export { AddResponderInput, BulkInput, ManualIncidentInput, NoteInput, ReassignInput, ReopenInput, SnoozeInput } from '@klaxon/contract';

import type { TimelineType } from '@klaxon/contract';
export { TIMELINE_TYPES, type TimelineType } from '@klaxon/contract';

/** One entry on an incident's timeline: what, when, who, through which channel. */
export interface TimelineEvent {
  id: string;
  incidentId: string;
  at: number;
  type: TimelineType;
  actor: { type: string; id: string | null; name: string };
  channel: string;
  message: string;
  data: Record<string, unknown>;
}

/** Filters for listing incidents. */
export interface IncidentFilter {
  status?: IncidentStatus[];
  serviceId?: string;
  limit?: number;
  /** Cursor: list incidents created before this incident number. */
  before?: number;
  /** Alert severity (critical, error, warning, info). */
  severity?: string;
  /** Declared severity level (SEV1..). */
  sev?: string;
  /** The service's team id. */
  teamId?: string;
  /** Case-insensitive text in the title. */
  q?: string;
  /** User id: incidents this user manages (incident manager) or acknowledged. */
  assignee?: string;
  /** Created at or after this instant (epoch ms or ISO date-time with offset), as reports take `from`. */
  since?: number | string;
  /** Created before this instant (exclusive), as reports take `to`. */
  until?: number | string;
  /** Only these incident ids. */
  ids?: string[];
  /** true: only drills; false: no drills; unset: both. */
  drill?: boolean;
  /** The severity reports group by: the declared level (SEV1..) when set, else the alert severity. */
  level?: string;
  /** User id of whoever acknowledged. */
  acknowledgedBy?: string;
  /** true: acknowledged at some point; false: never acknowledged. */
  acknowledged?: boolean;
  /**
   * User id: "mine" for this person: they manage it or acknowledged it, the service belongs to one of
   * their teams, or they were paged about it (escalation or added as a responder).
   */
  mine?: string;
}
