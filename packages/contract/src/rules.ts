import { Type, type Static } from '@sinclair/typebox';
import { EpochMs, Literals, Nullable } from './common.js';
import { PRIORITIES, SEVERITIES } from './lists.js';

/** What a matching event rule does (docs/event-rules.md). */
export const RuleActions = Type.Object(
  {
    route: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Service id or name the alert goes to' })),
    severity: Type.Optional(Literals(SEVERITIES)),
    urgency: Type.Optional(Literals(['high', 'low'] as const, { description: "A new incident's urgency (instead of the service's urgency rule)" })),
    priority: Type.Optional(Literals(PRIORITIES, { description: "A new incident's priority" })),
    title: Type.Optional(Type.String({ minLength: 1, maxLength: 1024, description: 'Template: {{summary}}, {{labels.x}}...' })),
    dedupKey: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'Template' })),
    labels: Type.Optional(Type.Record(Type.String({ minLength: 1, maxLength: 100 }), Type.String({ maxLength: 500 }))),
    links: Type.Optional(
      Type.Array(Type.Object({ href: Type.String({ minLength: 1, maxLength: 2000 }), text: Type.Optional(Type.String({ maxLength: 200 })) }, { additionalProperties: false }), { maxItems: 20 }),
    ),
    suppress: Type.Optional(Type.Boolean()),
    drop: Type.Optional(Type.Boolean()),
    pauseMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 1440 })),
    groupBy: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { minItems: 1, maxItems: 10 })),
  },
  { additionalProperties: false },
);
export type RuleActions = Static<typeof RuleActions>;

/** A new event rule. integrationId null or absent: a global rule. */
export const RuleInput = Type.Object(
  {
    integrationId: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 200 }))),
    position: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    condition: Type.String({ minLength: 1, maxLength: 4000, description: 'A CEL expression giving a boolean' }),
    actions: Type.Optional(RuleActions),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type RuleInput = Static<typeof RuleInput>;

/** Changes to an event rule (its scope does not change). */
export const RulePatch = Type.Object(
  {
    position: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    condition: Type.Optional(Type.String({ minLength: 1, maxLength: 4000 })),
    actions: Type.Optional(RuleActions),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type RulePatch = Static<typeof RulePatch>;

/** This instance's counters of a rule since it started. */
export const RuleStats = Type.Object({ evaluated: Type.Integer(), matched: Type.Integer(), failed: Type.Integer(), dropped: Type.Integer(), lastError: Nullable(Type.String()) });

export const EventRule = Type.Object({
  id: Type.String(),
  integrationId: Nullable(Type.String()),
  position: Type.Integer(),
  name: Type.String(),
  condition: Type.String(),
  actions: RuleActions,
  enabled: Type.Boolean(),
  createdAt: EpochMs,
  updatedAt: EpochMs,
  stats: RuleStats,
});
export type EventRule = Static<typeof EventRule>;

export const RuleAnswer = Type.Object({ rule: EventRule });
export const RulesAnswer = Type.Object({ rules: Type.Array(EventRule), catchAllServiceId: Nullable(Type.String()) });

export const CatchAllInput = Type.Object({ serviceId: Nullable(Type.String({ minLength: 1, maxLength: 200 })) }, { additionalProperties: false });
export const CatchAllAnswer = Type.Object({ catchAllServiceId: Nullable(Type.String()) });

/** The tester's request: a payload as the integration's sender would post it. */
export const RuleTestInput = Type.Object({ integrationId: Type.String({ minLength: 1, maxLength: 200 }), payload: Type.Unknown() }, { additionalProperties: false });

export const RuleTraceEntry = Type.Object({
  ruleId: Type.String(),
  name: Type.String(),
  scope: Literals(['global', 'integration'] as const),
  result: Literals(['matched', 'not_matched', 'failed'] as const),
  error: Type.Optional(Type.String()),
  actions: Type.Optional(RuleActions),
});

export const TestedEvent = Type.Object({
  summary: Type.String(),
  severity: Type.String(),
  dedupKey: Nullable(Type.String()),
  labels: Type.Record(Type.String(), Type.String()),
  serviceId: Type.String(),
  serviceName: Type.String(),
  result: Literals(['alert', 'suppressed', 'dropped', 'paused'] as const),
  pauseMinutes: Nullable(Type.Integer()),
  urgency: Nullable(Literals(['high', 'low'] as const, { description: "The new incident's urgency when a rule set it; null: the service's urgency rule decides" })),
  priority: Nullable(Literals(PRIORITIES)),
  catchAll: Type.Boolean(),
  rules: Type.Array(RuleTraceEntry),
});
export type TestedEvent = Static<typeof TestedEvent>;
export const RuleTestAnswer = Type.Object({ events: Type.Array(TestedEvent) });
