/** Teams. */
export interface TeamTable {
  id: string;
  name: string;
  description: string;
  created_at: number;
}

/** Team membership; `position` orders members (paging order for team targets). */
export interface TeamMemberTable {
  team_id: string;
  user_id: string;
  role: string;
  position: number;
  /** Team-scoped permissions: 'admin', 'responder' or null (0029). */
  access?: string | null;
}
