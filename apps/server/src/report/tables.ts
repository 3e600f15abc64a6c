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
