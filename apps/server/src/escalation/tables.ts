/** Escalation policies; levels are JSON because a policy is always read and written whole. */
export interface EscalationPolicyTable {
  id: string;
  name: string;
  description: string;
  repeat: number;
  levels: string;
  created_at: number;
  updated_at: number;
}
