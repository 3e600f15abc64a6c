/** A Microsoft Teams conversation reference learned from a signed activity (migration 0030). */
export interface TeamsReferenceTable {
  /** `tenant`, `user` or `channel`. */
  kind: string;
  /** The tenant id, the person's Entra object id or Teams user id, or the channel's `19:...` id. */
  ref: string;
  tenant_id: string;
  /** The Bot Connector service URL last seen for it (from the token's `serviceurl` claim). */
  service_url: string;
  /** A person's Teams user id (`29:...`), the member of a 1:1 chat. */
  member_id: string | null;
  /** A person's 1:1 chat with the bot, once created. */
  conversation_id: string | null;
  updated_at: number;
}
