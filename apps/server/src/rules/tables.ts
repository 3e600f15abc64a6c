/** Event rules: global (integration_id null) or per integration, in position order. */
export interface EventRuleTable {
  id: string;
  integration_id: string | null;
  position: number;
  name: string;
  /** A CEL expression (docs/event-rules.md). */
  condition: string;
  /** JSON RuleActions. */
  actions: string;
  enabled: number;
  created_at: number;
  updated_at: number;
}
