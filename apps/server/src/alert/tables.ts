/** Normalized alerts, one per open (service, dedup key). */
export interface AlertTable {
  id: string;
  service_id: string;
  integration_id: string | null;
  incident_id: string;
  dedup_key: string;
  /** triggered | acknowledged | resolved */
  status: string;
  summary: string;
  source: string;
  severity: string;
  details: string;
  links: string;
  event_count: number;
  created_at: number;
  updated_at: number;
  resolved_at: number | null;
}

/** Every accepted event, raw, with what was done with it. */
export interface AlertEventTable {
  id: string;
  alert_id: string | null;
  integration_id: string | null;
  service_id: string;
  action: string;
  dedup_key: string;
  outcome: string;
  payload: string;
  received_at: number;
  /** Which event rules were evaluated and matched (docs/event-rules.md); null when none ran. */
  rule_trace?: string | null;
}

/** Change events (deploys, config changes) reported by monitoring or CI. */
export interface ChangeEventTable {
  id: string;
  service_id: string;
  integration_id: string | null;
  summary: string;
  source: string;
  occurred_at: number;
  details: string;
  links: string;
  received_at: number;
}
