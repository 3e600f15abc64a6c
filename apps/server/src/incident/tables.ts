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
  policy_snapshot: string | null;
  escalation_step: number;
  next_escalation_at: number | null;
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
