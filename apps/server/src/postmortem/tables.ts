/** A postmortem of one resolved incident. */
export interface PostmortemTable {
  id: string;
  incident_id: string;
  team_id: string | null;
  title: string;
  /** draft | in_review | published */
  state: string;
  /** JSON PostmortemSections. */
  sections: string;
  /** JSON PostmortemFacts captured at generation. */
  facts: string;
  created_by: string | null;
  created_at: number;
  updated_at: number;
  published_at: number | null;
}

/** An action item of a postmortem. */
export interface ActionItemTable {
  id: string;
  postmortem_id: string;
  team_id: string | null;
  title: string;
  owner_id: string | null;
  due_at: number | null;
  /** open | in_progress | done | wont_do */
  state: string;
  reminded_at: number | null;
  created_at: number;
  updated_at: number;
}

/** An action item handed over to problem management. */
export interface ProblemTable {
  id: string;
  action_item_id: string;
  title: string;
  external_url: string | null;
  created_by: string | null;
  created_at: number;
}
