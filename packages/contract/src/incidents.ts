import { Type, type Static } from '@sinclair/typebox';
import { EpochMs, Literals, Nullable } from './common.js';
import { INCIDENT_STATUSES, PRIORITIES, SEVERITIES, TIMELINE_TYPES, type TimelineType } from './lists.js';

export const IncidentStatusSchema = Literals(INCIDENT_STATUSES);

/** An incident as the API shows it. */
export const Incident = Type.Object({
  id: Type.String(),
  number: Type.Integer(),
  serviceId: Type.String(),
  serviceName: Type.String(),
  title: Type.String(),
  status: IncidentStatusSchema,
  urgency: Type.Union([Type.Literal('high'), Type.Literal('low')]),
  severity: Type.String({ description: 'Alert severity: critical, error, warning or info' }),
  details: Type.String(),
  createdAt: EpochMs,
  updatedAt: EpochMs,
  acknowledgedAt: Nullable(EpochMs),
  acknowledgedBy: Nullable(Type.String()),
  resolvedAt: Nullable(EpochMs),
  resolvedBy: Nullable(Type.String()),
  escalationStep: Type.Integer(),
  nextEscalationAt: Nullable(EpochMs),
  escalationPolicyName: Nullable(Type.String()),
  alertCount: Type.Integer(),
  sev: Nullable(Type.String({ description: 'Declared severity level (SEV1..)' })),
  major: Type.Boolean({ description: 'True for major incidents (they have a war room)' }),
  drill: Type.Boolean({ description: 'True for drills' }),
  incidentManagerId: Nullable(Type.String({ description: "The incident manager's user id" })),
  snoozedUntil: Nullable(EpochMs),
  priority: Nullable(Literals(PRIORITIES, { description: 'P1..P5, set by the event rule that matched the alert that opened it; else null' })),
});
export type Incident = Static<typeof Incident>;

/** Input to reassign an incident: to one person, or to an escalation policy. */
export const ReassignInput = Type.Object(
  {
    user: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'User id or email: paged now; if they do not acknowledge, the policy follows from its first level' })),
    escalationPolicy: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Escalation policy id or name: escalation restarts at its first level' })),
  },
  { additionalProperties: false },
);
export type ReassignInput = Static<typeof ReassignInput>;

/** Input to reopen a resolved incident. */
export const ReopenInput = Type.Object(
  {
    escalate: Type.Optional(Type.Boolean({ description: 'true: the incident is triggered again and pages from level 1 of its policy; false (default): it reopens acknowledged, nobody is paged' })),
  },
  { additionalProperties: false },
);
export type ReopenInput = Static<typeof ReopenInput>;

/** Input to snooze an open incident. */
export const SnoozeInput = Type.Object(
  { minutes: Type.Integer({ minimum: 1, maximum: 1440, description: 'Minutes until it is triggered again and pages from where it was (1 to 1440)' }) },
  { additionalProperties: false },
);
export type SnoozeInput = Static<typeof SnoozeInput>;

/** Input to add a note to an incident's timeline. */
export const NoteInput = Type.Object({ text: Type.String({ minLength: 1, maxLength: 10_000, description: 'The note (plain text)' }) }, { additionalProperties: false });
export type NoteInput = Static<typeof NoteInput>;

/** Input to add a responder: paged now on their high-priority contact methods. */
export const AddResponderInput = Type.Object({ user: Type.String({ minLength: 1, maxLength: 200, description: 'User id or email' }) }, { additionalProperties: false });
export type AddResponderInput = Static<typeof AddResponderInput>;

/** Input to act on many incidents at once. */
export const BulkInput = Type.Object(
  {
    ids: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { minItems: 1, maxItems: 200, description: 'Incident ids or numbers' }),
    action: Type.Union([Type.Literal('acknowledge'), Type.Literal('resolve'), Type.Literal('snooze')]),
    minutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 1440, description: 'For snooze: minutes (1 to 1440)' })),
  },
  { additionalProperties: false },
);
export type BulkInput = Static<typeof BulkInput>;

/** Input to open an incident by hand. */
export const ManualIncidentInput = Type.Object(
  {
    service: Type.String({ minLength: 1, description: 'Service id or name' }),
    title: Type.String({ minLength: 1, maxLength: 1024 }),
    details: Type.Optional(Type.String({ maxLength: 20_000 })),
    severity: Type.Optional(Literals(SEVERITIES)),
  },
  { additionalProperties: false },
);
export type ManualIncidentInput = Static<typeof ManualIncidentInput>;

/** GET /incidents: the filters. */
export const IncidentListQuery = Type.Object(
  {
    status: Type.Optional(Type.Array(IncidentStatusSchema, { maxItems: 3 })),
    service: Type.Optional(Type.String({ maxLength: 200, description: 'Service id or name' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
    before: Type.Optional(Type.Integer({ minimum: 1, description: 'Cursor: incidents numbered below this' })),
    severity: Type.Optional(Type.String({ maxLength: 50, description: 'Alert severity: critical, error, warning, info' })),
    sev: Type.Optional(Type.String({ maxLength: 50, description: 'Declared severity level (SEV1..)' })),
    team: Type.Optional(Type.String({ maxLength: 200, description: "The service's team: id or name" })),
    q: Type.Optional(Type.String({ maxLength: 200, description: 'Text in the title (case-insensitive)' })),
    assignee: Type.Optional(Type.String({ maxLength: 200, description: 'User id or email: incident manager or acknowledger' })),
    since: Type.Optional(Type.String({ maxLength: 40, description: 'Created at or after: epoch ms or ISO date-time with offset (as reports take from)' })),
    until: Type.Optional(Type.String({ maxLength: 40, description: 'Created before: epoch ms or ISO date-time with offset (as reports take to)' })),
    ids: Type.Optional(Type.Array(Type.String({ maxLength: 100 }), { maxItems: 500, description: 'Only these incident ids' })),
    drill: Type.Optional(Type.Boolean({ description: 'true: only drills; false: no drills' })),
    level: Type.Optional(Type.String({ maxLength: 50, description: 'Severity as reports group it: the declared level when set, else the alert severity' })),
    acknowledgedBy: Type.Optional(Type.String({ maxLength: 200, description: 'User id or email of the acknowledger' })),
    acknowledged: Type.Optional(Type.Boolean({ description: 'true: acknowledged at some point; false: never' })),
    mine: Type.Optional(Type.Boolean({ description: 'true: only incidents that are mine: I manage or acknowledged it, its service is in one of my teams, or I was paged about it' })),
  },
  { additionalProperties: false },
);
export type IncidentListQuery = Static<typeof IncidentListQuery>;

/**
 * The timeline kinds. The JSON schema is the union of literals; its static type is declared as the
 * `TimelineType` union directly, because with 45+ literals TypeScript's inference of a route's answer
 * through TypeBox and Fastify's type provider went "excessively deep".
 */
export const TimelineTypeSchema = Type.Unsafe<TimelineType>(Literals(TIMELINE_TYPES));

/** One entry on an incident's timeline: what, when, who, through which channel. */
export const TimelineEvent = Type.Object({
  id: Type.String(),
  incidentId: Type.String(),
  at: EpochMs,
  type: TimelineTypeSchema,
  actor: Type.Object({ type: Type.String(), id: Nullable(Type.String()), name: Type.String() }),
  channel: Type.String(),
  message: Type.String(),
  data: Type.Record(Type.String(), Type.Unknown()),
});
export type TimelineEvent = Static<typeof TimelineEvent>;

/** An alert grouped in an incident. */
export const Alert = Type.Object({
  id: Type.String(),
  dedupKey: Type.String(),
  status: Type.String({ description: 'triggered, acknowledged or resolved' }),
  summary: Type.String(),
  source: Type.String(),
  severity: Type.String(),
  details: Type.Record(Type.String(), Type.Unknown()),
  links: Type.Array(Type.Object({ href: Type.String(), text: Type.Optional(Type.String()) }, { additionalProperties: true })),
  eventCount: Type.Integer(),
  createdAt: EpochMs,
  resolvedAt: Nullable(EpochMs),
});
export type Alert = Static<typeof Alert>;

/** One result of POST /incidents/bulk. */
export const BulkResult = Type.Object({
  id: Type.String(),
  ok: Type.Boolean(),
  changed: Type.Optional(Type.Boolean()),
  incident: Type.Optional(Incident),
  error: Type.Optional(Type.Object({ code: Type.String(), message: Type.String() })),
});
export type BulkResult = Static<typeof BulkResult>;

export const IncidentAnswer = Type.Object({ incident: Incident });
export const IncidentChangeAnswer = Type.Object({ incident: Incident, changed: Type.Boolean({ description: 'false when the incident was already in that state' }) });
export const IncidentsAnswer = Type.Object({ incidents: Type.Array(Incident), next: Nullable(Type.Integer({ description: 'The cursor for the next page (before=)' })) });
export const TimelineAnswer = Type.Object({ timeline: Type.Array(TimelineEvent) });
export const AlertsAnswer = Type.Object({ alerts: Type.Array(Alert) });
export const NoteAnswer = Type.Object({ note: TimelineEvent });
export const BulkAnswer = Type.Object({ results: Type.Array(BulkResult) });
export const ResponderAnswer = Type.Object({ paged: Type.Object({ userId: Type.String(), channels: Type.Array(Type.String()) }) });
