import { TeamInput } from '@klaxon/contract';
import { requirePermission, requirePermissionSomewhere, type Actor } from '../auth/actor.js';
import { audit } from '../audit.js';
import { inTransaction, type Ctx, type Tx } from '../context.js';
import { conflict, invalid, notFound } from '../lib/errors.js';
import { newId } from '../lib/ids.js';
import { parse } from '../lib/validate.js';
import { refuseIfReferenced } from '../user/service.js';
import { userIdIfExists } from '../user/store.js';
import { deleteMembers, deleteTeamRow, findTeam, insertMember, insertTeam, teamIdByName, teamIdsByName, updateTeamRow } from './store.js';
import { must } from '../lib/must.js';

/** A team and its members in order. */
export interface Team {
  id: string;
  name: string;
  description: string;
  members: { userId: string; role: 'member' | 'manager'; access?: 'admin' | 'responder' }[];
}

// The request schema lives in the API contract (packages/contract).
export { TeamInput };

export { findTeam, teamMemberIds } from './store.js';

/** Every team. */
export async function listTeams(ctx: Ctx, actor: Actor): Promise<Team[]> {
  requirePermission(actor, 'read');
  const teams = await teamIdsByName(ctx.db.kysely);
  return Promise.all(teams.map(async (t) => must(await findTeam(ctx.db.kysely, t.id), 'the team')));
}

/** One team by id or name. */
export async function getTeam(ctx: Ctx, actor: Actor, idOrName: string): Promise<Team> {
  requirePermission(actor, 'read');
  const t = await findTeam(ctx.db.kysely, idOrName);
  if (!t) throw notFound('Team');
  return t;
}

async function writeMembers(trx: Tx, teamId: string, members: TeamInput['members']): Promise<void> {
  await deleteMembers(trx, teamId);
  const seen = new Set<string>();
  let position = 0;
  for (const m of members ?? []) {
    if (seen.has(m.userId)) continue;
    seen.add(m.userId);
    const u = await userIdIfExists(trx, m.userId);
    if (!u) throw invalid(`members: unknown user ${m.userId}`, [{ path: 'members', message: `unknown user ${m.userId}` }]);
    await insertMember(trx, { team_id: teamId, user_id: m.userId, role: m.role ?? 'member', position: position++, access: m.access ?? null });
  }
}

/** Creates a team. Admins only. */
export async function createTeam(ctx: Ctx, actor: Actor, input: unknown): Promise<Team> {
  requirePermission(actor, 'admin');
  const v = parse(TeamInput, input, 'team');
  const now = ctx.clock.now();
  return inTransaction(ctx, async (trx) => {
    if (await teamIdByName(trx, v.name)) throw conflict(`A team named "${v.name}" already exists`);
    const id = newId();
    await insertTeam(trx, { id, name: v.name, description: v.description ?? '', created_at: now });
    await writeMembers(trx, id, v.members);
    const after = must(await findTeam(trx, id), 'the team');
    await audit(trx, now, actor, 'team.create', id, { name: v.name }, { after });
    return after;
  });
}

/** Replaces a team's name, description and members (with their team roles). Admins and the team's admins. */
export async function updateTeam(ctx: Ctx, actor: Actor, id: string, input: unknown): Promise<Team> {
  requirePermissionSomewhere(actor, 'admin');
  return inTransaction(ctx, async (trx) => {
    const t = await findTeam(trx, id);
    if (!t) throw notFound('Team');
    requirePermission(actor, 'admin', t.id);
    const v = parse(TeamInput, input, 'team');
    await updateTeamRow(trx, t.id, { name: v.name, description: v.description ?? '' });
    if (v.members) await writeMembers(trx, t.id, v.members);
    const after = must(await findTeam(trx, t.id), 'the team');
    const roleChanges = v.members ? roleChangesOf(t, after) : [];
    await audit(trx, ctx.clock.now(), actor, 'team.update', t.id, { name: v.name, ...(roleChanges.length ? { roleChanges } : {}) }, { before: t, after });
    return after;
  });
}

/** The members whose role or team role a change of members changed (for the audit trail). */
function roleChangesOf(before: Team, after: Team): { userId: string; before: string | null; after: string | null }[] {
  const label = (m: Team['members'][number] | undefined) => (m ? `${m.role}${m.access ? `+${m.access}` : ''}` : null);
  const ids = new Set([...before.members.map((m) => m.userId), ...after.members.map((m) => m.userId)]);
  const out: { userId: string; before: string | null; after: string | null }[] = [];
  for (const userId of ids) {
    const b = label(before.members.find((m) => m.userId === userId));
    const a = label(after.members.find((m) => m.userId === userId));
    if (a !== b) out.push({ userId, before: b, after: a });
  }
  return out;
}

/** Deletes a team. Admins only. */
export async function deleteTeam(ctx: Ctx, actor: Actor, id: string): Promise<void> {
  requirePermission(actor, 'admin');
  await inTransaction(ctx, async (trx) => {
    const before = await findTeam(trx, id);
    await refuseIfReferenced(trx, id, 'team');
    if (!(await deleteTeamRow(trx, id))) throw notFound('Team');
    await audit(trx, ctx.clock.now(), actor, 'team.delete', id, {}, { before });
  });
}
