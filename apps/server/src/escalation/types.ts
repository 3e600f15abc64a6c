// The request schemas live in the API contract (packages/contract).
import type { Level } from '@klaxon/contract';
import { must } from '../lib/must.js';
export { LevelSchema, PolicyInput, TargetSchema, type Level, type Target } from '@klaxon/contract';

/** When a level still fires: while nobody acknowledged (default), or until the incident is resolved. */
export type LevelUntil = 'acknowledged' | 'resolved';

/** An escalation policy. Also the shape of the snapshot frozen onto an incident when it opens. */
export interface Policy {
  id: string;
  name: string;
  description: string;
  repeat: number;
  /** Minutes after the incident opens before level 1 fires (0 or absent: at once; snapshots taken before it existed have none). */
  initialDelayMinutes?: number;
  levels: Level[];
  /** The team whose admins manage this policy (absent: global admins only). */
  teamId?: string;
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
  return { loop: Math.floor(s / n), levelIndex, level: must(policy.levels[levelIndex], 'policy.levels[levelIndex]') };
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
  for (let i = s; i < Math.min(total, s + n); i++) if (must(policy.levels[i % n], 'policy.levels[i % n]').until === 'resolved') return true;
  return false;
}
