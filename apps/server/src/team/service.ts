import { TeamInput } from '@klaxon/contract';
import { requirePermission, type Actor } from '../auth/actor.js';
import { audit } from '../audit.js';
import { inTransaction, type Ctx, type Tx } from '../context.js';
import { conflict, invalid, notFound } from '../lib/errors.js';
import { newId } from '../lib/ids.js';
import { parse } from '../lib/validate.js';
import { refuseIfReferenced } from '../user/service.js';

/** A team and its members in order. */
export interface Team {
  id: string;
  name: string;
  description: string;
  members: { userId: string; role: 'member' | 'manager' }[];
}

// The request schema lives in the API contract (packages/contract).
export { TeamInput };

/** Loads a team with members, or undefined. */
export async function findTeam(db: Tx, idOrName: string): Promise<Team | undefined> {
  const t = await db.selectFrom('teams').selectAll().where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)])).executeTakeFirst();
  if (!t) return undefined;
  const members = await db.selectFrom('team_members').selectAll().where('team_id', '=', t.id).orderBy('position').execute();
  return { id: t.id, name: t.name, description: t.description, members: members.map((m) => ({ userId: m.user_id, role: m.role as 'member' | 'manager' })) };
}

/** The user ids of a team's members, in order. */
export async function teamMemberIds(db: Tx, teamId: string): Promise<string[]> {
  const rows = await db.selectFrom('team_members').select('user_id').where('team_id', '=', teamId).orderBy('position').execute();
  return rows.map((r) => r.user_id);
}

/** Every team. */
export async function listTeams(ctx: Ctx, actor: Actor): Promise<Team[]> {
  requirePermission(actor, 'read');
  const teams = await ctx.db.kysely.selectFrom('teams').select('id').orderBy('name').execute();
  return Promise.all(teams.map(async (t) => (await findTeam(ctx.db.kysely, t.id))!));
}

/** One team by id or name. */
export async function getTeam(ctx: Ctx, actor: Actor, idOrName: string): Promise<Team> {
  requirePermission(actor, 'read');
  const t = await findTeam(ctx.db.kysely, idOrName);
  if (!t) throw notFound('Team');
  return t;
}

async function writeMembers(trx: Tx, teamId: string, members: TeamInput['members']): Promise<void> {
  await trx.deleteFrom('team_members').where('team_id', '=', teamId).execute();
  const seen = new Set<string>();
  let position = 0;
  for (const m of members ?? []) {
    if (seen.has(m.userId)) continue;
    seen.add(m.userId);
    const u = await trx.selectFrom('users').select('id').where('id', '=', m.userId).executeTakeFirst();
    if (!u) throw invalid(`members: unknown user ${m.userId}`, [{ path: 'members', message: `unknown user ${m.userId}` }]);
    await trx.insertInto('team_members').values({ team_id: teamId, user_id: m.userId, role: m.role ?? 'member', position: position++ }).execute();
  }
}

/** Creates a team. Admins only. */
export async function createTeam(ctx: Ctx, actor: Actor, input: unknown): Promise<Team> {
  requirePermission(actor, 'admin');
  const v = parse(TeamInput, input, 'team');
  const now = ctx.clock.now();
  return inTransaction(ctx, async (trx) => {
    if (await trx.selectFrom('teams').select('id').where('name', '=', v.name).executeTakeFirst()) throw conflict(`A team named "${v.name}" already exists`);
    const id = newId();
    await trx.insertInto('teams').values({ id, name: v.name, description: v.description ?? '', created_at: now }).execute();
    await writeMembers(trx, id, v.members);
    await audit(trx, now, actor, 'team.create', id, { name: v.name });
    return (await findTeam(trx, id))!;
  });
}

/** Replaces a team's name, description and members. Admins only. */
export async function updateTeam(ctx: Ctx, actor: Actor, id: string, input: unknown): Promise<Team> {
  requirePermission(actor, 'admin');
  const v = parse(TeamInput, input, 'team');
  return inTransaction(ctx, async (trx) => {
    const t = await findTeam(trx, id);
    if (!t) throw notFound('Team');
    await trx.updateTable('teams').set({ name: v.name, description: v.description ?? '' }).where('id', '=', t.id).execute();
    if (v.members) await writeMembers(trx, t.id, v.members);
    await audit(trx, ctx.clock.now(), actor, 'team.update', t.id, { name: v.name });
    return (await findTeam(trx, t.id))!;
  });
}

/** Deletes a team. Admins only. */
export async function deleteTeam(ctx: Ctx, actor: Actor, id: string): Promise<void> {
  requirePermission(actor, 'admin');
  await inTransaction(ctx, async (trx) => {
    await refuseIfReferenced(trx, id, 'team');
    const r = await trx.deleteFrom('teams').where('id', '=', id).executeTakeFirst();
    if (!r.numDeletedRows) throw notFound('Team');
    await audit(trx, ctx.clock.now(), actor, 'team.delete', id, {});
  });
}
