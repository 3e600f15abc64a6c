import type { Generated } from 'kysely';

/** Escalation policies; levels are JSON because a policy is always read and written whole. */
export interface EscalationPolicyTable {
  id: string;
  name: string;
  description: string;
  repeat: number;
  initial_delay_minutes: Generated<number>;
  levels: string;
  created_at: number;
  updated_at: number;
  /** The team whose admins manage this policy (0029). */
  team_id?: string | null;
}

/** Round-robin cursor per (policy, level), advanced by compare-and-set (0021-escalation-round-robin). */
export interface EscalationRoundRobinTable {
  policy_id: string;
  level_index: number;
  position: number;
  updated_at: number;
}
