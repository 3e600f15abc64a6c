import { Type, type Static } from '@sinclair/typebox';

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

/** Input to change the war-room settings (any subset). */
export const WarRoomSettingsInput = Type.Object(
  {
    imSchedule: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 200 }), Type.Null()])),
    sevPolicies: Type.Optional(Type.Record(Type.String({ minLength: 1, maxLength: 50 }), Type.String({ minLength: 1, maxLength: 200 }))),
    priorityRepageMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 1440 })),
    priorityMaxRepages: Type.Optional(Type.Integer({ minimum: 0, maximum: 20 })),
    runbookStaleDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
    teamBridges: Type.Optional(Type.Record(Type.String({ minLength: 1 }), Type.String({ pattern: '^https?://\\S+$', maxLength: 2000 }))),
  },
  { additionalProperties: false },
);
/** Static type of {@link WarRoomSettingsInput}. */
export type WarRoomSettingsInput = Static<typeof WarRoomSettingsInput>;

/** Input to change a severity level. */
export const SeverityLevelInput = Type.Object(
  { description: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })), major: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);

/** A severity level as the API shows it. */
export interface SeverityLevel {
  name: string;
  rank: number;
  description: string;
  major: boolean;
}

/** Impact of an incident (owned by the incident manager). */
export const ImpactInput = Type.Object(
  {
    affectedServiceIds: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { maxItems: 100 })),
    customerFacing: Type.Optional(Type.Boolean()),
    businessImpact: Type.Optional(Type.String({ maxLength: 5000 })),
  },
  { additionalProperties: false },
);

/** Input to declare a major incident: from an incident (`incident`) or fresh (`service` + `title`). */
export const DeclareInput = Type.Object(
  {
    incident: Type.Optional(Type.String({ minLength: 1, description: 'Incident id or number to declare major' })),
    service: Type.Optional(Type.String({ minLength: 1, description: 'Service id or name, for a fresh incident' })),
    title: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
    sev: Type.Optional(Type.String({ minLength: 1, maxLength: 50, description: 'Severity level, default the most severe' })),
    drill: Type.Optional(Type.Boolean()),
    bridgeUrl: Type.Optional(Type.String({ pattern: '^https?://\\S+$', maxLength: 2000 })),
    impact: Type.Optional(ImpactInput),
  },
  { additionalProperties: false },
);
/** Static type of {@link DeclareInput}. */
export type DeclareInput = Static<typeof DeclareInput>;

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

/** Input of a chat message. */
export const ChatInput = Type.Object(
  { text: Type.String({ minLength: 1, maxLength: 10_000 }), priority: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);

/** Input to create or replace a runbook. */
export const RunbookInput = Type.Object(
  {
    service: Type.String({ minLength: 1 }),
    title: Type.String({ minLength: 1, maxLength: 300 }),
    body: Type.String({ maxLength: 200_000, description: 'Markdown' }),
    owner: Type.Optional(Type.Union([Type.String({ minLength: 1 }), Type.Null()])),
    lastReviewedAt: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false },
);

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

/** Input to create an action. `{{secrets.NAME}}`, `{{incident.number}}`, `{{incident.id}}` and `{{args}}` are filled in when it runs. */
export const ActionInput = Type.Object(
  {
    service: Type.String({ minLength: 1 }),
    name: Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9_.-]+$' }),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    method: Type.Optional(Type.Union(['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].map((m) => Type.Literal(m)))),
    url: Type.String({ minLength: 1, maxLength: 4000 }),
    headers: Type.Optional(Type.Record(Type.String({ minLength: 1 }), Type.String({ maxLength: 4000 }))),
    body: Type.Optional(Type.String({ maxLength: 100_000 })),
    secrets: Type.Optional(Type.Record(Type.String({ pattern: '^[A-Za-z0-9_]+$' }), Type.String({ maxLength: 4000 }))),
    allowedRoles: Type.Optional(Type.Array(Type.Union(WAR_ROOM_ROLES.map((r) => Type.Literal(r))), { maxItems: 4 })),
  },
  { additionalProperties: false },
);

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
