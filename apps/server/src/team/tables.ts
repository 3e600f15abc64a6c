/** Teams. */
export interface TeamTable {
  id: string;
  name: string;
  description: string;
  created_at: number;
  /** The identity provider's id for this group (SCIM externalId, migration 0028). */
  external_id?: string | null;
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
