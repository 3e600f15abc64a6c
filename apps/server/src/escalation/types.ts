import { Type, type Static } from '@sinclair/typebox';

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

/** When a level still fires: while nobody acknowledged (default), or until the incident is resolved. */
export type LevelUntil = 'acknowledged' | 'resolved';

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

/** An escalation policy. Also the shape of the snapshot frozen onto an incident when it opens. */
export interface Policy {
  id: string;
  name: string;
  description: string;
  repeat: number;
  /** Minutes after the incident opens before level 1 fires (0 or absent: at once; snapshots taken before it existed have none). */
  initialDelayMinutes?: number;
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

/**
 * Whether an acknowledged incident still has a level to fire at `step` or later: a level with
 * `until: 'resolved'` among the remaining steps of its snapshot.
 */
export function firesAfterAcknowledge(policy: Policy, step: number): boolean {
  const n = policy.levels.length;
  const total = n * (policy.repeat + 1);
  const s = Math.max(0, step - (policy.firstStep ?? 0));
  if (s >= total) return false;
  // Every level recurs in each remaining round, so looking at one round's worth of steps is enough.
  for (let i = s; i < Math.min(total, s + n); i++) if (policy.levels[i % n]!.until === 'resolved') return true;
  return false;
}
