import { Type, type Static } from '@sinclair/typebox';

/** Who a level pages: a user, every member of a team, or whoever a schedule has on call. */
export const TargetSchema = Type.Object(
  {
    type: Type.Union([Type.Literal('user'), Type.Literal('team'), Type.Literal('schedule'), Type.Literal('schedule_next')]),
    id: Type.String({ minLength: 1 }),
  },
  { additionalProperties: false },
);
export type Target = Static<typeof TargetSchema>;

/** One level: its targets, and how long to wait for an acknowledgement before the next level. */
export const LevelSchema = Type.Object(
  {
    delayMinutes: Type.Integer({ minimum: 1, maximum: 1440, description: 'Minutes before escalating to the next level' }),
    targets: Type.Array(TargetSchema, { minItems: 1, maxItems: 50 }),
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
    levels: Type.Array(LevelSchema, { minItems: 1, maxItems: 20 }),
  },
  { additionalProperties: false },
);
export type PolicyInput = Static<typeof PolicyInput>;

/** An escalation policy. Also the shape of the snapshot frozen onto an incident when it opens. */
export interface Policy {
  id: string;
  name: string;
  description: string;
  repeat: number;
  levels: Level[];
  /**
   * Snapshots only: the incident's escalation step at which level 1 of this snapshot fires. Set when
   * an incident is reassigned, so step numbers keep growing and a person paged before the reassignment
   * is paged again (notifications are unique per incident, user, contact method and step).
   */
  firstStep?: number;
}

/** Step s of a policy: loop = floor(s / levels), level = s % levels. */
export function stepLevel(policy: Policy, step: number): { loop: number; levelIndex: number; level: Level } | null {
  const n = policy.levels.length;
  const s = step - (policy.firstStep ?? 0);
  if (n === 0 || s < 0 || s >= n * (policy.repeat + 1)) return null;
  const levelIndex = s % n;
  return { loop: Math.floor(s / n), levelIndex, level: policy.levels[levelIndex]! };
}
