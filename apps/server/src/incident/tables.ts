/** Incidents: what people are paged about. */
export interface IncidentTable {
  id: string;
  number: number;
  service_id: string;
  title: string;
  /** triggered | acknowledged | resolved */
  status: string;
  /** high | low */
  urgency: string;
  /** critical | error | warning | info */
  severity: string;
  details: string;
  group_key: string | null;
  created_at: number;
  updated_at: number;
  acknowledged_at: number | null;
  acknowledged_by: string | null;
  resolved_at: number | null;
  resolved_by: string | null;
  /** The declared severity level (severity_levels.name, e.g. SEV2), or null when none was set. */
  sev: string | null;
  /** 1 when the incident is major (its level is major, or it was declared major). */
  major: number;
  /** 1 for drills: real paging path, DRILL on every message, left out of reports and status pages. */
  drill: number;
  incident_manager_id: string | null;
  /** JSON {affectedServiceIds, customerFacing, businessImpact}. */
  impact: string;
  policy_snapshot: string | null;
  escalation_step: number;
  next_escalation_at: number | null;
  /** While snoozed (acknowledged, paging nobody): when the engine triggers it again (0015-incident-snooze); else null. */
  snoozed_until: number | null;
  /** P1..P5 from an event rule, or null (0023-incident-priority). */
  priority: string | null;
}

/** The append-only incident timeline. */
export interface TimelineEventTable {
  id: string;
  incident_id: string;
  at: number;
  type: string;
  actor_type: string;
  actor_id: string | null;
  actor_name: string;
  channel: string;
  message: string;
  data: string;
}

/** Configurable incident severity levels (SEV1..SEV4 by default). */
export interface SeverityLevelTable {
  name: string;
  rank: number;
  description: string;
  major: number;
  /** Minutes between status updates for incidents at this level (added by 0007-status); null: no reminders. */
  update_interval_minutes: number | null;
}
