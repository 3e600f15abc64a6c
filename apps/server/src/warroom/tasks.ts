import type { Tx } from '../context.js';
import { taskRows } from './store.js';

/** A war-room task (/task) as other domains read it. */
export interface WarRoomTaskFacts {
  id: string;
  text: string;
  ownerId: string | null;
  createdAt: number;
  doneAt: number | null;
}

/** The tasks of an incident's war room, oldest first (none without a war room). */
export async function warRoomTasks(db: Tx, incidentId: string): Promise<WarRoomTaskFacts[]> {
  const rows = await taskRows(db, incidentId);
  return rows.map((r) => ({ id: r.id, text: r.text, ownerId: r.owner_id, createdAt: Number(r.created_at), doneAt: r.done_at === null ? null : Number(r.done_at) }));
}
