import { actorLabel, type Actor, type Via } from '../auth/actor.js';
import type { LiveEvent, Tx } from '../context.js';
import { newId } from '../lib/ids.js';
import { insertTimeline, timelineRows } from './store.js';
import type { TimelineEvent, TimelineType } from './types.js';

/** Work another domain does, in the same transaction, whenever a timeline event is appended. */
export type TimelineReaction = (trx: Tx, e: { incidentId: string; at: number; type: string; message: string; data?: Record<string, unknown> }) => Promise<void>;
const reactions = new Set<TimelineReaction>();

/**
 * Registers work to do in the transaction of every timeline event: chat channels queue their
 * announcements this way (chat/announce.ts), wired by the composition root (app/), so the incident
 * domain does not depend on chat. Registering the same function twice is a no-op.
 */
export function onTimeline(reaction: TimelineReaction): void {
  reactions.add(reaction);
}

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
  for (const r of reactions) await r(trx, e);
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
