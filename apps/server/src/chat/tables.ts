/** A chat channel where a service's (or its team's) incidents are announced. */
export interface ChatChannelTable {
  /** service | team */
  owner_type: string;
  owner_id: string;
  /** slack, mattermost, discord, matrix... */
  platform: string;
  /** The platform's channel (room) id. */
  channel: string;
  /** Order in which the owner listed it. */
  position: number;
  created_at: number;
}

/** A timeline event that an incident's chat channels must hear, until the engine queues its messages. */
export interface ChatAnnouncementTable {
  id: string;
  incident_id: string;
  /** The timeline type: incident.opened, incident.acknowledged, ... */
  type: string;
  /** The timeline message. */
  message: string;
  at: number;
}
