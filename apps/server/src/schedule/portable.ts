import { DateTime } from 'luxon';
import type { Tx } from '../context.js';
import type { LayerSpec } from './compute/index.js';
import { participantIds } from './store.js';
import { teamName } from '../team/store.js';
import { userEmails } from '../user/store.js';
import type { LayerInput, Schedule, ScheduleInput } from './types.js';

/** An instant as a local date-time in `zone` ("2026-03-02T09:00", seconds only when not zero). */
export function localDateTime(t: number, zone: string): string {
  const d = DateTime.fromMillis(t, { zone });
  return d.toFormat(d.second || d.millisecond ? "yyyy-MM-dd'T'HH:mm:ss" : "yyyy-MM-dd'T'HH:mm");
}

/**
 * A stored schedule in the form people write (for config export): users by email, the owner team by
 * name, layer start and end as local date-times in the layer's zone. Creating or updating a schedule
 * with the result gives back exactly the same layers, so export then apply changes nothing.
 */
export async function scheduleToInput(db: Tx, s: Schedule): Promise<ScheduleInput> {
  const ids = participantIds(s.layers);
  const emails = new Map(ids.length ? (await userEmails(db, ids)).map((r) => [r.id, r.email] as const) : []);
  const team = s.teamId ? await teamName(db, s.teamId) : undefined;
  const who = (id: string) => emails.get(id) ?? id;
  const layer = (l: LayerSpec): LayerInput => {
    const zone = l.timeZone ?? s.timeZone;
    return {
      ...(l.name !== undefined && { name: l.name }),
      participants: l.participants.map((p) => (typeof p === 'string' ? who(p) : p.map(who))),
      turn: {
        unit: l.turn.unit,
        count: l.turn.count,
        ...(l.turn.weekdays !== undefined && { weekdays: [...l.turn.weekdays] }),
        ...(l.turn.onCallMinutes !== undefined && { onCallMinutes: l.turn.onCallMinutes }),
      },
      ...(l.handoffTime !== undefined && { handoffTime: l.handoffTime }),
      ...(l.timeZone !== undefined && { timeZone: l.timeZone }),
      start: localDateTime(l.start, zone),
      ...(l.rotationStart !== undefined && { rotationStart: localDateTime(l.rotationStart, zone) }),
      ...(l.end !== undefined && { end: localDateTime(l.end, zone) }),
      ...(l.restrictions?.length && { restrictions: l.restrictions.map((r) => ({ ...r })) as LayerInput['restrictions'] }),
      ...(l.priority !== undefined && { priority: l.priority }),
    };
  };
  return {
    name: s.name,
    ...(s.description && { description: s.description }),
    ...(team && { teamId: team.name }),
    timeZone: s.timeZone,
    ...(s.layering === 'union' && { layering: 'union' as const }),
    layers: s.layers.map(layer),
    handoffNoticeMinutes: s.handoffNoticeMinutes,
    gapNoticeDays: s.gapNoticeDays,
  };
}
