import type { Tx } from '../context.js';
import { randomInt } from 'node:crypto';
import { findSchedule, nextOnCall, previousOnCall, whoIsOnCall } from '../schedule/index.js';
import { teamMemberIds } from '../team/service.js';
import { managerIds } from '../team/store.js';
import { rulesOnVerifiedMethods, userIdIfExists, verifiedPageableMethodIds } from '../user/store.js';
import type { Target } from './types.js';
import type { OnCall } from '../schedule/compute/types.js';
import { must } from '../lib/must.js';

/** Who a schedule target gave and where from (a layer or an override), kept on the timeline for the trace. */
export interface OnCallWhy {
  scheduleId: string;
  schedule: string;
  which?: 'previous' | 'next';
  userIds: string[];
  source: OnCall['source'];
}

/** The people a level's targets stand for at `at`, in order without repeats, and why some targets gave nobody. */
export async function resolveTargets(db: Tx, targets: Target[], at: number): Promise<{ userIds: string[]; notes: string[]; onCall: OnCallWhy[] }> {
  const userIds: string[] = [];
  const notes: string[] = [];
  const onCall: OnCallWhy[] = [];
  const add = (id: string) => {
    if (!userIds.includes(id)) userIds.push(id);
  };
  for (const t of targets) {
    if (t.type === 'user') {
      const u = await userIdIfExists(db, t.id);
      if (u) add(u.id);
      else notes.push(`user ${t.id} no longer exists`);
    } else if (t.type === 'team') {
      const ids = await teamMemberIds(db, t.id);
      if (!ids.length) notes.push(`team ${t.id} has no members`);
      ids.forEach(add);
    } else if (t.type === 'team_managers') {
      const rows = await managerIds(db, t.id);
      if (!rows.length) notes.push(`team ${t.id} has no managers`);
      rows.forEach((r) => add(r.user_id));
    } else if (t.type === 'team_random') {
      // One member chosen at random each time the level fires (Opsgenie's "random").
      const ids = await teamMemberIds(db, t.id);
      if (!ids.length) notes.push(`team ${t.id} has no members`);
      else add(must(ids[randomInt(ids.length)], 'ids[randomInt(ids.length)]'));
    } else if (t.type === 'schedule') {
      const r = await whoIsOnCall(db, t.id, at);
      if (!r) notes.push(`schedule ${t.id} no longer exists`);
      else if (!r.onCall) notes.push(`schedule ${r.schedule.name} has nobody on call (gap)`);
      else {
        r.onCall.userIds.forEach(add);
        onCall.push({ scheduleId: r.schedule.id, schedule: r.schedule.name, userIds: r.onCall.userIds, source: r.onCall.source });
      }
    } else if (t.type === 'schedule_previous') {
      // Whoever the schedule had on call before the people on call at `at` (Opsgenie's "previous").
      const s = await findSchedule(db, t.id);
      const prev = s && (await previousOnCall(db, s, at));
      if (!s) notes.push(`schedule ${t.id} no longer exists`);
      else if (!prev) notes.push(`schedule ${s.name} had nobody on call before`);
      else {
        prev.onCall.userIds.forEach(add);
        onCall.push({ scheduleId: s.id, schedule: s.name, which: 'previous', userIds: prev.onCall.userIds, source: prev.onCall.source });
      }
    } else {
      // The backup: whoever the schedule has on call next, after the people on call at `at`.
      const s = await findSchedule(db, t.id);
      const next = s && (await nextOnCall(db, s, at));
      if (!s) notes.push(`schedule ${t.id} no longer exists`);
      else if (!next) notes.push(`schedule ${s.name} has nobody on call next`);
      else {
        next.onCall.userIds.forEach(add);
        onCall.push({ scheduleId: s.id, schedule: s.name, which: 'next', userIds: next.onCall.userIds, source: next.onCall.source });
      }
    }
  }
  return { userIds, notes, onCall };
}

/**
 * How to reach a user: their notification rules on verified, enabled contact methods. Without rules,
 * every verified method at once. With `urgency` (an incident's), only the rules for that urgency or
 * for any; a user whose rules are all for the other urgency is not reached (an empty plan).
 */
export async function notificationPlan(db: Tx, userId: string, urgency?: 'high' | 'low'): Promise<{ contactMethodId: string; delayMinutes: number }[]> {
  const all = await rulesOnVerifiedMethods(db, userId);
  if (all.length) return all.filter((r) => !urgency || r.urgency === 'any' || r.urgency === urgency).map((r) => ({ contactMethodId: r.contactMethodId, delayMinutes: r.delayMinutes }));
  const methods = await verifiedPageableMethodIds(db, userId);
  return methods.map((m) => ({ contactMethodId: m.id, delayMinutes: 0 }));
}
