import { Type, type Static } from '@sinclair/typebox';

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
});
export type Policy = Static<typeof Policy>;

export const PolicyAnswer = Type.Object({ escalationPolicy: Policy });
export const PoliciesAnswer = Type.Object({ escalationPolicies: Type.Array(Policy) });
