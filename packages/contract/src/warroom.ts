import { Type, type Static } from '@sinclair/typebox';
import { EpochMs, Nullable } from './common.js';
import { Incident } from './incidents.js';

export const WAR_ROOM_ROLES = ['im', 'comms', 'scribe', 'responder'] as const;
export type WarRoomRole = (typeof WAR_ROOM_ROLES)[number];
const WarRoomRoleSchema = Type.Union([Type.Literal('im'), Type.Literal('comms'), Type.Literal('scribe'), Type.Literal('responder')]);

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
export type WarRoomSettingsInput = Static<typeof WarRoomSettingsInput>;

/** War-room settings, shared by every instance. */
export const WarRoomSettings = Type.Object({
  imSchedule: Nullable(Type.String({ description: 'Schedule (id or name) whose on-call becomes incident manager; null: the declarer' })),
  sevPolicies: Type.Record(Type.String(), Type.String(), { description: 'Escalation policy (id or name) per severity level, paged on declare' }),
  priorityRepageMinutes: Type.Integer(),
  priorityMaxRepages: Type.Integer(),
  runbookStaleDays: Type.Integer(),
  teamBridges: Type.Record(Type.String(), Type.String(), { description: 'Default conference bridge URL per team id' }),
});
export type WarRoomSettings = Static<typeof WarRoomSettings>;

/** Input to change a severity level. */
export const SeverityLevelInput = Type.Object({ description: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })), major: Type.Optional(Type.Boolean()) }, { additionalProperties: false });

/** A severity level as the API shows it. */
export const SeverityLevel = Type.Object({ name: Type.String(), rank: Type.Integer(), description: Type.String(), major: Type.Boolean() });
export type SeverityLevel = Static<typeof SeverityLevel>;

/** Impact of an incident (owned by the incident manager). */
export const ImpactInput = Type.Object(
  {
    affectedServiceIds: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { maxItems: 100 })),
    customerFacing: Type.Optional(Type.Boolean()),
    businessImpact: Type.Optional(Type.String({ maxLength: 5000 })),
  },
  { additionalProperties: false },
);
export type ImpactInput = Static<typeof ImpactInput>;

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
export type DeclareInput = Static<typeof DeclareInput>;

const Person = Type.Object({ id: Type.String(), name: Type.String() });

/** A war room as the API shows it. */
export const WarRoom = Type.Object({
  incidentId: Type.String(),
  incidentNumber: Type.Integer(),
  sev: Nullable(Type.String()),
  drill: Type.Boolean(),
  openedAt: EpochMs,
  impact: Type.Object({ affectedServiceIds: Type.Optional(Type.Array(Type.String())), customerFacing: Type.Optional(Type.Boolean()), businessImpact: Type.Optional(Type.String()) }),
  bridgeUrl: Nullable(Type.String()),
  slackChannel: Nullable(Type.String()),
  incidentManager: Nullable(Person),
  members: Type.Array(Type.Object({ userId: Type.String(), name: Type.String(), role: WarRoomRoleSchema })),
  tasks: Type.Array(Type.Object({ id: Type.String(), text: Type.String(), ownerId: Nullable(Type.String()), ownerName: Nullable(Type.String()), createdAt: EpochMs, doneAt: Nullable(EpochMs) })),
});
export type WarRoom = Static<typeof WarRoom>;

export const ChatReceipt = Type.Object({ userId: Type.String(), name: Type.String(), receivedAt: Nullable(EpochMs), readAt: Nullable(EpochMs), pages: Type.Integer() });
export type ChatReceipt = Static<typeof ChatReceipt>;

/** A chat message as the API and live events show it. */
export const ChatMessage = Type.Object({
  id: Type.String(),
  incidentId: Type.String(),
  at: EpochMs,
  author: Type.Object({ id: Nullable(Type.String()), name: Type.String() }),
  source: Type.String(),
  text: Type.String(),
  priority: Type.Boolean(),
  receipts: Type.Optional(Type.Array(ChatReceipt, { description: 'Priority messages only: who received and read it' })),
});
export type ChatMessage = Static<typeof ChatMessage>;

/** Input of a chat message. */
export const ChatInput = Type.Object({ text: Type.String({ minLength: 1, maxLength: 10_000 }), priority: Type.Optional(Type.Boolean()) }, { additionalProperties: false });
export const ChatQuery = Type.Object(
  { priority: Type.Optional(Type.Boolean()), after: Type.Optional(Type.Integer({ minimum: 0 })), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 2000 })) },
  { additionalProperties: false },
);
export const ReceiptInput = Type.Object({ state: Type.Union([Type.Literal('received'), Type.Literal('read')]) }, { additionalProperties: false });

/** What a chat command did. */
export const CommandResult = Type.Object({ ok: Type.Boolean(), command: Type.String(), text: Type.String(), code: Type.Optional(Type.String()) });
export type CommandResult = Static<typeof CommandResult>;

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
export type RunbookInput = Static<typeof RunbookInput>;

/** A runbook as the API shows it. */
export const Runbook = Type.Object({
  id: Type.String(),
  serviceId: Type.String(),
  title: Type.String(),
  body: Type.String(),
  ownerId: Nullable(Type.String()),
  lastReviewedAt: EpochMs,
  stale: Type.Boolean(),
});
export type Runbook = Static<typeof Runbook>;

/** Input to create an action. `{{secrets.NAME}}`, `{{incident.number}}`, `{{incident.id}}` and `{{args}}` are filled in when it runs. */
export const ActionInput = Type.Object(
  {
    service: Type.String({ minLength: 1 }),
    name: Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9_.-]+$' }),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    method: Type.Optional(Type.Union([Type.Literal('GET'), Type.Literal('POST'), Type.Literal('PUT'), Type.Literal('PATCH'), Type.Literal('DELETE')])),
    url: Type.String({ minLength: 1, maxLength: 4000 }),
    headers: Type.Optional(Type.Record(Type.String({ minLength: 1 }), Type.String({ maxLength: 4000 }))),
    body: Type.Optional(Type.String({ maxLength: 100_000 })),
    secrets: Type.Optional(Type.Record(Type.String({ pattern: '^[A-Za-z0-9_]+$' }), Type.String({ maxLength: 4000 }))),
    allowedRoles: Type.Optional(Type.Array(WarRoomRoleSchema, { maxItems: 4 })),
  },
  { additionalProperties: false },
);
export type ActionInput = Static<typeof ActionInput>;

/** An action as the API shows it: secret names only, never values. */
export const ServiceAction = Type.Object({
  id: Type.String(),
  serviceId: Type.String(),
  name: Type.String(),
  description: Type.String(),
  method: Type.String(),
  url: Type.String(),
  headers: Type.Record(Type.String(), Type.String()),
  body: Type.String(),
  secretNames: Type.Array(Type.String()),
  allowedRoles: Type.Array(WarRoomRoleSchema),
});
export type ServiceAction = Static<typeof ServiceAction>;

/** What a drill did: who was paged on which channel, how fast they answered. */
export const DrillSummary = Type.Object({
  incidentId: Type.String(),
  incidentNumber: Type.Integer(),
  startedAt: EpochMs,
  paged: Type.Array(
    Type.Object({
      userId: Type.String(),
      name: Type.String(),
      channels: Type.Array(Type.Object({ channel: Type.String(), status: Type.String(), queuedAt: EpochMs, sentAt: Nullable(EpochMs), error: Nullable(Type.String()) })),
      acknowledgedAfterMs: Nullable(Type.Number()),
      readAfterMs: Nullable(Type.Number()),
    }),
  ),
  failedContactMethods: Type.Array(Type.Object({ userId: Type.String(), name: Type.String(), channel: Type.String(), error: Nullable(Type.String()) })),
  markdown: Type.String(),
});
export type DrillSummary = Static<typeof DrillSummary>;

/** Who declaring an incident major would make incident manager and page. */
export const DeclarePreview = Type.Object({
  sev: Type.String(),
  incidentManager: Nullable(Type.Object({ id: Type.String(), name: Type.String(), why: Type.String() })),
  paged: Type.Array(Person),
  notes: Type.Array(Type.String()),
  alreadyMajor: Type.Boolean(),
});
export type DeclarePreview = Static<typeof DeclarePreview>;

export const SevParams = Type.Object({ name: Type.String({ minLength: 1, maxLength: 50 }) });
export const SevQuery = Type.Object({ sev: Type.Optional(Type.String({ minLength: 1, maxLength: 50 })) }, { additionalProperties: false });
export const SevInput = Type.Object({ sev: Type.String({ minLength: 1, maxLength: 50 }) }, { additionalProperties: false });
export const RoleInput = Type.Object({ role: Type.String({ minLength: 1, maxLength: 30 }), user: Type.String({ minLength: 1, maxLength: 320 }) }, { additionalProperties: false });
export const PageInput = Type.Object({ target: Type.String({ minLength: 1, maxLength: 320 }) }, { additionalProperties: false });
export const BridgeInput = Type.Object({ url: Type.Union([Type.String({ maxLength: 2000 }), Type.Null()]) }, { additionalProperties: false });
export const TextInput = Type.Object({ text: Type.String({ minLength: 1, maxLength: 10_000 }) }, { additionalProperties: false });
export const TaskInput = Type.Object({ text: Type.String({ minLength: 1, maxLength: 2000 }), owner: Type.Optional(Type.String({ minLength: 1, maxLength: 320 })) }, { additionalProperties: false });
export const ActionRunParams = Type.Object({ id: Type.String({ minLength: 1 }), name: Type.String({ minLength: 1, maxLength: 100 }) });
export const ActionRunInput = Type.Object({ args: Type.Optional(Type.String({ maxLength: 2000 })) }, { additionalProperties: false });
export const SlackBridgeInput = Type.Object(
  { channel: Type.Optional(Type.String({ maxLength: 40 })), create: Type.Optional(Type.Boolean()), name: Type.Optional(Type.String({ maxLength: 80 })) },
  { additionalProperties: false },
);

export const SeverityLevelsAnswer = Type.Object({ severityLevels: Type.Array(SeverityLevel) });
export const SeverityLevelAnswer = Type.Object({ severityLevel: SeverityLevel });
export const SettingsAnswer = Type.Object({ settings: WarRoomSettings });
export const DeclareAnswer = Type.Object({ incident: Incident, warRoom: WarRoom });
export const PreviewAnswer = Type.Object({ preview: DeclarePreview });
export const WarRoomAnswer = Type.Object({ warRoom: WarRoom });
export const PagedAnswer = Type.Object({ paged: Type.Array(Type.String()) });
export const TaskAnswer = Type.Object({ id: Type.String() });
export const RunbooksAnswer = Type.Object({ runbooks: Type.Array(Runbook) });
export const RunbookAnswer = Type.Object({ runbook: Runbook });
export const ActionsAnswer = Type.Object({ actions: Type.Array(ServiceAction) });
export const ActionAnswer = Type.Object({ action: ServiceAction });
export const ActionRunAnswer = Type.Object({ status: Nullable(Type.Integer({ description: 'HTTP status of the call, null when it did not answer' })), output: Type.String() });
export const CommandAnswer = Type.Object({ result: CommandResult });
export const ChatAnswer = Type.Object({ messages: Type.Array(ChatMessage) });
export const ChatPostAnswer = Type.Object({ message: Nullable(ChatMessage), result: Type.Optional(CommandResult) });
export const SlackBridgeAnswer = Type.Object({ slackChannel: Nullable(Type.String()), pending: Nullable(Type.String()) });
export const DrillSummaryAnswer = Type.Object({ summary: DrillSummary });
export const MarkdownText = { content: { 'text/markdown': { schema: Type.String({ description: 'Markdown' }) } } };
