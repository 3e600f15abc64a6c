import { actorLabel, type Actor, type Via } from '../auth/actor.js';
import type { LiveEvent, Tx } from '../context.js';
import { newId } from '../lib/ids.js';
import { insertTimeline, timelineRows } from './store.js';
import type { TimelineEvent, TimelineType } from './types.js';

/** Appends one event to an incident's timeline, in the caller's transaction. */
export async function appendTimeline(
  trx: Tx,
  e: { incidentId: string; at: number; type: TimelineType; actor: Actor; via: Via; message: string; data?: Record<string, unknown> },
  live?: LiveEvent[],
): Promise<void> {
  await insertTimeline(trx, {
    id: newId(),
    incident_id: e.incidentId,
    at: e.at,
    type: e.type,
    actor_type: e.actor.type,
    actor_id: e.actor.type === 'system' ? null : e.actor.id,
    actor_name: actorLabel(e.actor),
    channel: e.via,
    message: e.message,
    data: JSON.stringify(e.data ?? {}),
  });
  live?.push({ type: 'timeline', incidentId: e.incidentId, data: { type: e.type } });
}

/** An incident's timeline, oldest first. */
export async function readTimeline(db: Tx, incidentId: string): Promise<TimelineEvent[]> {
  const rows = await timelineRows(db, incidentId);
  return rows.map((r) => ({
    id: r.id,
    incidentId: r.incident_id,
    at: r.at,
    type: r.type as TimelineType,
    actor: { type: r.actor_type, id: r.actor_id, name: r.actor_name },
    channel: r.channel,
    message: r.message,
    data: JSON.parse(r.data) as Record<string, unknown>,
  }));
}
