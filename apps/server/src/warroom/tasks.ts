import type { Tx } from '../context.js';

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
  const rows = await db.selectFrom('war_room_tasks').select(['id', 'text', 'owner_id', 'created_at', 'done_at']).where('incident_id', '=', incidentId).orderBy('created_at').orderBy('id').execute();
  return rows.map((r) => ({ id: r.id, text: r.text, ownerId: r.owner_id, createdAt: Number(r.created_at), doneAt: r.done_at === null ? null : Number(r.done_at) }));
}
