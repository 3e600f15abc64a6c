/** Technical services: where alerts arrive and which policy pages for them. */
export interface ServiceTable {
  id: string;
  name: string;
  description: string;
  escalation_policy_id: string | null;
  team_id: string | null;
  grouping: string;
  created_at: number;
  updated_at: number;
}

/** A way for monitoring to send alerts to a service; the key is stored only as a hash. */
export interface IntegrationTable {
  id: string;
  service_id: string;
  name: string;
  kind: string;
  key_hash: string;
  key_hint: string;
  settings: string;
  created_at: number;
}
