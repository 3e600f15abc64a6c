import type { ColumnType, Generated } from 'kysely';

/** Technical services: where alerts arrive and which policy pages for them. */
export interface ServiceTable {
  id: string;
  name: string;
  description: string;
  escalation_policy_id: string | null;
  team_id: string | null;
  grouping: string;
  /** JSON UrgencyRule; '{"type":"severity"}' by default. */
  urgency_rule: Generated<string>;
  /** JSON SupportHours or null. */
  support_hours: ColumnType<string | null, string | null | undefined, string | null>;
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
