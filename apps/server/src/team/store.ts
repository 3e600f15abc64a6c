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

/** A team and its members in order (the shape of team/service.ts's Team). */
type TeamWithMembers = { id: string; name: string; description: string; members: { userId: string; role: 'member' | 'manager'; access?: 'admin' | 'responder' }[] };

/** Loads a team with members, or undefined. */
export async function findTeam(db: Tx, idOrName: string): Promise<TeamWithMembers | undefined> {
  const t = await db
    .selectFrom('teams')
    .selectAll()
    .where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)]))
    .executeTakeFirst();
  if (!t) return undefined;
  const members = await db.selectFrom('team_members').selectAll().where('team_id', '=', t.id).orderBy('position').execute();
  return {
    id: t.id,
    name: t.name,
    description: t.description,
    members: members.map((m) => ({ userId: m.user_id, role: m.role as 'member' | 'manager', ...(m.access ? { access: m.access as 'admin' | 'responder' } : {}) })),
  };
}

/** The user ids of a team's members, in order. */
export async function teamMemberIds(db: Tx, teamId: string): Promise<string[]> {
  const rows = await db.selectFrom('team_members').select('user_id').where('team_id', '=', teamId).orderBy('position').execute();
  return rows.map((r) => r.user_id);
}

/** Every team's id, by name. */
export async function teamIdsByName(db: Tx): Promise<{ id: string }[]> {
  return db.selectFrom('teams').select('id').orderBy('name').execute();
}

/** The id of the team with this name, if any. */
export async function teamIdByName(db: Tx, name: string): Promise<{ id: string } | undefined> {
  return db.selectFrom('teams').select('id').where('name', '=', name).executeTakeFirst();
}

/** Inserts a team. */
export async function insertTeam(db: Tx, row: { id: string; name: string; description: string; created_at: number }): Promise<void> {
  await db.insertInto('teams').values(row).execute();
}

/** Updates a team's name and description. */
export async function updateTeamRow(db: Tx, id: string, set: { name: string; description: string }): Promise<void> {
  await db.updateTable('teams').set(set).where('id', '=', id).execute();
}

/** Deletes a team; false when there was none. */
export async function deleteTeamRow(db: Tx, id: string): Promise<boolean> {
  const r = await db.deleteFrom('teams').where('id', '=', id).executeTakeFirst();
  return !!r.numDeletedRows;
}

/** Removes every member of a team. */
export async function deleteMembers(db: Tx, teamId: string): Promise<void> {
  await db.deleteFrom('team_members').where('team_id', '=', teamId).execute();
}

/** Adds a member to a team. */
export async function insertMember(db: Tx, row: { team_id: string; user_id: string; role: string; position: number; access?: string | null }): Promise<void> {
  await db.insertInto('team_members').values(row).execute();
}

/** The id of the team with this id or name. */
export async function teamIdByIdOrName(db: Tx, idOrName: string): Promise<{ id: string } | undefined> {
  return db
    .selectFrom('teams')
    .select('id')
    .where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)]))
    .executeTakeFirst();
}

/** One person's membership of a team, if any (single sign-on group sync). */
export async function memberRow(db: Tx, teamId: string, userId: string): Promise<{ role: string } | undefined> {
  return db.selectFrom('team_members').select('role').where('team_id', '=', teamId).where('user_id', '=', userId).executeTakeFirst();
}

/** Adds a person at the end of a team's member list. */
export async function appendMember(db: Tx, teamId: string, userId: string, role: string): Promise<void> {
  const last = await db
    .selectFrom('team_members')
    .select((eb) => eb.fn.max('position').as('p'))
    .where('team_id', '=', teamId)
    .executeTakeFirst();
  await db
    .insertInto('team_members')
    .values({ team_id: teamId, user_id: userId, role, position: Number(last?.p ?? -1) + 1 })
    .execute();
}

/** Changes a member's team role. */
export async function setMemberRole(db: Tx, teamId: string, userId: string, role: string): Promise<void> {
  await db.updateTable('team_members').set({ role }).where('team_id', '=', teamId).where('user_id', '=', userId).execute();
}

/** Takes a person off a team. */
export async function deleteMember(db: Tx, teamId: string, userId: string): Promise<void> {
  await db.deleteFrom('team_members').where('team_id', '=', teamId).where('user_id', '=', userId).execute();
}

/** The teams a person belongs to. */
export async function teamsOfUser(db: Tx, userId: string): Promise<{ team_id: string; role: string }[]> {
  return db.selectFrom('team_members').select(['team_id', 'role']).where('user_id', '=', userId).execute();
}

/** Every team with the SCIM fields, oldest first. */
export async function scimTeamRows(db: Tx) {
  return db.selectFrom('teams').select(['id', 'name', 'created_at', 'external_id']).orderBy('created_at').orderBy('id').execute();
}

/** Every membership (team id, user id), for SCIM Groups' members. */
export async function allMemberships(db: Tx): Promise<{ team_id: string; user_id: string }[]> {
  return db.selectFrom('team_members').select(['team_id', 'user_id']).orderBy('position').execute();
}

/** Sets a team's external id (SCIM externalId). */
export async function setTeamExternalId(db: Tx, id: string, externalId: string | null): Promise<void> {
  await db.updateTable('teams').set({ external_id: externalId }).where('id', '=', id).execute();
}
