// The request schemas live in the API contract (packages/contract).
export { ActionInput, ChatInput, DeclareInput, ImpactInput, RunbookInput, SeverityLevelInput, WarRoomSettingsInput } from '@klaxon/contract';

/** War-room roles: incident manager, communications lead, scribe, responder. */
export type WarRoomRole = 'im' | 'comms' | 'scribe' | 'responder';
/** Every war-room role, most responsible first. */
export const WAR_ROOM_ROLES: readonly WarRoomRole[] = ['im', 'comms', 'scribe', 'responder'];
/** Human names of the roles, for timelines and chat answers. */
export const ROLE_NAMES: Record<WarRoomRole, string> = { im: 'incident manager', comms: 'communications lead', scribe: 'scribe', responder: 'responder' };

/** War-room settings, shared by every instance (settings table, key `warroom.settings`). */
export interface WarRoomSettings {
  /** Schedule (id or name) whose on-call becomes incident manager; null: the declarer. */
  imSchedule: string | null;
  /** Escalation policy (id or name) per severity level, whose targets are paged on declare. */
  sevPolicies: Record<string, string>;
  /** Minutes after which members who have not read a priority message are paged again. */
  priorityRepageMinutes: number;
  /** How many times a priority message is paged again at most. */
  priorityMaxRepages: number;
  /** Days after which a runbook not reviewed is stale and its owner told. */
  runbookStaleDays: number;
  /** Default conference bridge URL per team id. */
  teamBridges: Record<string, string>;
}

/** A severity level as the API shows it. */
export interface SeverityLevel {
  name: string;
  rank: number;
  description: string;
  major: boolean;
}

/** A war room as the API shows it. */
export interface WarRoom {
  incidentId: string;
  incidentNumber: number;
  sev: string | null;
  drill: boolean;
  openedAt: number;
  /** What the incident does to the business: affected services, customer-facing, an estimate in words. */
  impact: { affectedServiceIds?: string[]; customerFacing?: boolean; businessImpact?: string };
  bridgeUrl: string | null;
  slackChannel: string | null;
  incidentManager: { id: string; name: string } | null;
  members: { userId: string; name: string; role: WarRoomRole }[];
  tasks: { id: string; text: string; ownerId: string | null; ownerName: string | null; createdAt: number; doneAt: number | null }[];
}

/** A chat message as the API and live events show it. */
export interface ChatMessage {
  id: string;
  incidentId: string;
  at: number;
  author: { id: string | null; name: string };
  source: string;
  text: string;
  priority: boolean;
  /** Priority messages only: who received and read it. */
  receipts?: { userId: string; name: string; receivedAt: number | null; readAt: number | null; pages: number }[];
}

/** A runbook as the API shows it. */
export interface Runbook {
  id: string;
  serviceId: string;
  title: string;
  body: string;
  ownerId: string | null;
  lastReviewedAt: number;
  stale: boolean;
}

/** An action as the API shows it: secret names only, never values. */
export interface ServiceAction {
  id: string;
  serviceId: string;
  name: string;
  description: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
  secretNames: string[];
  allowedRoles: WarRoomRole[];
}
