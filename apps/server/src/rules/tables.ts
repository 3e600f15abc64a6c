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

/** The ordered rules an event was evaluated against (0023): id = hash of `rules`, a JSON array of [id, name, scope]. */
export interface EventRuleSnapshotTable {
  id: string;
  rules: string;
  created_at: number;
}
