/** An SLA target: per severity level (incidents.sev, else incidents.severity), optionally per service. */
export interface SlaTargetTable {
  id: string;
  severity: string;
  service_id: string | null;
  ack_within_ms: number | null;
  resolve_within_ms: number | null;
  update_within_ms: number | null;
  warn_before_ms: number;
  created_at: number;
  updated_at: number;
}

/** An SLA warning the engine sent: once per incident and target (ack | resolve | update). */
export interface SlaWarningTable {
  incident_id: string;
  target: string;
  sent_at: number;
}

/** Who receives a team's weekly report summary. */
export interface ReportSubscriptionTable {
  team_id: string;
  user_id: string;
  created_at: number;
}

/** A weekly summary sent for a team and week (claimed once). */
export interface ReportSummaryTable {
  team_id: string;
  period_start: number;
  sent_at: number;
}

/**
 * The measures of a resolved incident, one narrow row each, so year-long reports scan one table
 * instead of joining incidents, services and alerts. Written when the incident resolves (and again
 * when its severity or drill flag changes afterwards); open incidents are read live. See
 * report/measures.ts for the one definition of every column.
 */
export interface ReportIncidentTable {
  incident_id: string;
  number: number;
  title: string;
  service_id: string;
  /** incidents.sev, else incidents.severity: what SLA targets and the severity filter match. */
  severity: string;
  drill: number;
  created_at: number;
  acknowledged_at: number | null;
  acknowledged_by: string | null;
  resolved_at: number | null;
  /** Alerts grouped into the incident. */
  alerts: number;
}

/** The alerts of a resolved incident with the incident's scope columns (noise and flapping without a join). */
export interface ReportAlertTable {
  alert_id: string;
  incident_id: string;
  incident_created_at: number;
  drill: number;
  severity: string;
  /** The incident's service. */
  service_id: string;
  dedup_key: string;
  summary: string;
  created_at: number;
  resolved_at: number | null;
  event_count: number;
}
