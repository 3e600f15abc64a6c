/** SQL for the team domain (teams, members): rows in, rows out. No permission checks here. */
import type { Tx } from '../context.js';

/** A team's members with their roles, in order. */
export async function memberRoles(db: Tx, teamId: string): Promise<{ user_id: string; role: string }[]> {
  return db.selectFrom('team_members').select(['user_id', 'role']).where('team_id', '=', teamId).orderBy('position').execute();
}

/** A team's name. */
export async function teamName(db: Tx, id: string): Promise<{ name: string } | undefined> {
  return db.selectFrom('teams').select('name').where('id', '=', id).executeTakeFirst();
}

/** A team's managers, in order. */
export async function managerIds(db: Tx, teamId: string): Promise<{ user_id: string }[]> {
  return db.selectFrom('team_members').select('user_id').where('team_id', '=', teamId).where('role', '=', 'manager').orderBy('position').execute();
}
