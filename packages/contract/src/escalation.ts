import { Type, type Static } from '@sinclair/typebox';
import { Nullable } from './common.js';

export const TARGET_TYPES = ['user', 'team', 'team_managers', 'team_random', 'schedule', 'schedule_next', 'schedule_previous'] as const;
export type TargetType = (typeof TARGET_TYPES)[number];

/**
 * Who a level pages: a user; every member of a team (team), its managers (team_managers) or one
 * member at random (team_random); whoever a schedule has on call now (schedule), next
 * (schedule_next) or before the current people (schedule_previous).
 */
export const TargetSchema = Type.Object(
  {
    type: Type.Union([
      Type.Literal('user'),
      Type.Literal('team'),
      Type.Literal('team_managers'),
      Type.Literal('team_random'),
      Type.Literal('schedule'),
      Type.Literal('schedule_next'),
      Type.Literal('schedule_previous'),
    ]),
    id: Type.String({ minLength: 1 }),
  },
  { additionalProperties: false },
);
export type Target = Static<typeof TargetSchema>;

/**
 * When a level applies to an incident (every field given must hold; none given: always). Time of day
 * and weekday are read in `timeZone` at the moment the level would fire; a window whose end is before
 * its start runs over midnight (22:00-07:00), and `days` is the local weekday of that moment.
 */
export const LevelConditionSchema = Type.Object(
  {
    timeZone: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'IANA zone for days and between (required with them)' })),
    days: Type.Optional(
      Type.Array(Type.Union([Type.Literal('mon'), Type.Literal('tue'), Type.Literal('wed'), Type.Literal('thu'), Type.Literal('fri'), Type.Literal('sat'), Type.Literal('sun')]), {
        minItems: 1,
        maxItems: 7,
        description: 'Local weekdays on which the level applies',
      }),
    ),
    between: Type.Optional(
      Type.Object(
        {
          start: Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', description: 'HH:MM, inclusive' }),
          end: Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$', description: 'HH:MM, exclusive; before start: the window runs over midnight' }),
        },
        { additionalProperties: false },
      ),
    ),
    severity: Type.Optional(
      Type.Array(Type.Union([Type.Literal('critical'), Type.Literal('error'), Type.Literal('warning'), Type.Literal('info')]), {
        minItems: 1,
        maxItems: 4,
        description: "The incident's severity is one of these",
      }),
    ),
    urgency: Type.Optional(Type.Union([Type.Literal('high'), Type.Literal('low')], { description: "The incident's urgency" })),
    label: Type.Optional(
      Type.Object(
        {
          key: Type.String({ minLength: 1, maxLength: 200, description: "A label of the incident's first alert (details.labels, else a top-level string of details)" }),
          equals: Type.Optional(Type.String({ maxLength: 1000 })),
          in: Type.Optional(Type.Array(Type.String({ maxLength: 1000 }), { minItems: 1, maxItems: 50 })),
        },
        { additionalProperties: false, description: 'Exactly one of equals or in' },
      ),
    ),
  },
  { additionalProperties: false },
);
export type LevelCondition = Static<typeof LevelConditionSchema>;

/** One level: its targets, how long to wait before the next level, and whether it fires once acknowledged. */
export const LevelSchema = Type.Object(
  {
    delayMinutes: Type.Integer({ minimum: 0, maximum: 1440, description: 'Minutes before escalating to the next level (0: the next level fires at once)' }),
    targets: Type.Array(TargetSchema, { minItems: 1, maxItems: 50 }),
    until: Type.Optional(
      Type.Union([Type.Literal('acknowledged'), Type.Literal('resolved')], {
        description: 'acknowledged (default): the level fires only while nobody has acknowledged; resolved: it fires even when acknowledged, until the incident is resolved (Opsgenie if-not-closed)',
      }),
    ),
    condition: Type.Optional(LevelConditionSchema),
    roundRobin: Type.Optional(Type.Boolean({ description: 'true: each new incident at this level pages only the next target in the list (a user, or whoever a schedule has on call), in turn' })),
  },
  { additionalProperties: false },
);
export type Level = Static<typeof LevelSchema>;

/** Input to create or replace a policy. */
export const PolicyInput = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    repeat: Type.Optional(Type.Integer({ minimum: 0, maximum: 9, description: 'How many more times to run all levels when nobody acknowledges' })),
    initialDelayMinutes: Type.Optional(Type.Integer({ minimum: 0, maximum: 1440, description: 'Minutes after the incident opens before level 1 fires (default 0)' })),
    levels: Type.Array(LevelSchema, { minItems: 1, maxItems: 20 }),
    teamId: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 200, description: 'The team (id or name) whose admins manage this policy' }))),
  },
  { additionalProperties: false },
);
export type PolicyInput = Static<typeof PolicyInput>;

/** An escalation policy. */
export const Policy = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Type.String(),
  repeat: Type.Integer(),
  initialDelayMinutes: Type.Optional(Type.Integer({ description: 'Minutes after the incident opens before level 1 fires' })),
  levels: Type.Array(LevelSchema),
  teamId: Type.Optional(Type.String({ description: 'The team whose admins manage this policy' })),
});
export type Policy = Static<typeof Policy>;

export const PolicyAnswer = Type.Object({ escalationPolicy: Policy });
export const PoliciesAnswer = Type.Object({ escalationPolicies: Type.Array(Policy) });

/**
 * An incident's routing trace (GET /api/v1/incidents/{id}/trace): where it came from, what was decided
 * at each step and what was delivered. Built from what the engine recorded when it decided (timeline
 * data, notifications, outbox, delivery attempts), never recomputed.
 */
export const TraceAlert = Type.Object({
  id: Type.String(),
  dedupKey: Type.String(),
  summary: Type.String(),
  severity: Type.String(),
  integration: Type.Union([Type.Object({ id: Type.String(), name: Type.String(), kind: Type.String() }), Type.Null()]),
  events: Type.Array(
    Type.Object({ receivedAt: Type.Integer(), action: Type.String(), outcome: Type.String(), payload: Type.Unknown({ description: 'The raw payload as received (parsed JSON when it is JSON)' }) }),
  ),
});
export const TraceRule = Type.Object({ alertId: Type.String(), rule: Type.String(), matched: Type.Boolean(), detail: Type.Optional(Type.String()) });
export const TraceDecision = Type.Object({ at: Type.Integer(), type: Type.String(), message: Type.String(), data: Type.Record(Type.String(), Type.Unknown()) });
export const TraceDelivery = Type.Object({
  userId: Type.String(),
  user: Type.String(),
  channel: Type.String(),
  contactMethod: Type.String(),
  step: Type.Integer(),
  dueAt: Type.Integer(),
  decision: Type.String({ description: 'pending, queued (sent to the outbox) or cancelled (acknowledged or resolved first, or the method became unusable)' }),
  heldAt: Type.Optional(Type.Integer({ description: "When the contact method's rate limit held this page back (it went out later, bundled with the others held); absent: never held" })),
  messages: Type.Array(
    Type.Object({
      id: Type.String(),
      status: Type.String(),
      bundle: Type.Optional(
        Type.Object(
          { id: Type.String(), incidents: Type.Integer({ description: 'How many incidents the one message named' }) },
          { description: 'Sent in a bundle: one message about several incidents (docs/paging.md)' },
        ),
      ),
      attempts: Type.Array(Type.Object({ at: Type.Integer(), status: Type.String(), providerStatus: Type.Union([Type.String(), Type.Null()]), error: Type.Union([Type.String(), Type.Null()]) })),
    }),
  ),
});
export const IncidentTrace = Type.Object({
  incidentId: Type.String(),
  number: Type.Integer(),
  service: Type.Object({ id: Type.String(), name: Type.String() }),
  policy: Type.Union([Type.Object({ id: Type.String(), name: Type.String() }), Type.Null()]),
  severity: Type.String(),
  urgency: Type.String(),
  alerts: Type.Array(TraceAlert),
  rules: Type.Array(TraceRule, { description: 'Event rules evaluated on the alerts; empty: no event rules' }),
  decisions: Type.Array(TraceDecision, { description: 'Escalation decisions in order: levels paged (with who was on call and why), skipped (condition, nobody pageable), suppressed, exhausted' }),
  deliveries: Type.Array(TraceDelivery),
  paged: Type.Boolean({ description: 'Whether a page reached a provider (a message sent)' }),
  why: Type.String({ description: 'One sentence: who was paged, or exactly why nobody was' }),
});
export type IncidentTrace = Static<typeof IncidentTrace>;
export const IncidentTraceAnswer = Type.Object({ trace: IncidentTrace });
