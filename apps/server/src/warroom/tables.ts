/** A major incident's war room: bridge link and Slack channel. */
export interface WarRoomTable {
  incident_id: string;
  opened_at: number;
  bridge_url: string | null;
  slack_channel: string | null;
  slack_pending: string | null;
}

/** A person in a war room with their role (im | comms | scribe | responder). */
export interface WarRoomMemberTable {
  incident_id: string;
  user_id: string;
  role: string;
  added_at: number;
}

/** One chat message; priority messages page every member and carry receipts. */
export interface ChatMessageTable {
  id: string;
  incident_id: string;
  at: number;
  author_id: string | null;
  author_name: string;
  source: string;
  text: string;
  priority: number;
  slack_ts: string | null;
  slack_out: number;
  /** A message bridged in from a chat platform other than Slack: `platform:id` (migration 0027). */
  external_id: string | null;
}

/** A war room bridged to a channel (room, thread) of a chat platform other than Slack; `pending` while the engine creates it. */
export interface ChatBridgeTable {
  incident_id: string;
  platform: string;
  channel: string | null;
  pending: string | null;
  /** How far a platform read by polling (Discord, Matrix) has been read: its message id or sync token. */
  cursor: string | null;
  created_at: number;
}

/** Who received and read a priority message, and when to page them again. */
export interface ChatReceiptTable {
  message_id: string;
  user_id: string;
  incident_id: string;
  received_at: number | null;
  read_at: number | null;
  repage_at: number | null;
  pages: number;
}

/** An action item from /task. */
export interface WarRoomTaskTable {
  id: string;
  incident_id: string;
  text: string;
  owner_id: string | null;
  created_at: number;
  done_at: number | null;
}

/** A service's runbook page (Markdown) with its owner and last review. */
export interface RunbookTable {
  id: string;
  service_id: string;
  title: string;
  body: string;
  owner_id: string | null;
  last_reviewed_at: number;
  stale_notified_at: number | null;
  updated_at: number;
}

/** A named HTTP action on a service, run with /run. */
export interface ServiceActionTable {
  id: string;
  service_id: string;
  name: string;
  description: string;
  method: string;
  url: string;
  headers: string;
  body: string;
  secrets: string;
  allowed_roles: string;
  created_at: number;
}
