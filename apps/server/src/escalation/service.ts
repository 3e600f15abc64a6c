import { requirePermission, requirePermissionSomewhere, type Actor } from '../auth/actor.js';
import { audit } from '../audit.js';
import { inTransaction, type Ctx, type Tx } from '../context.js';
import { conflict, invalid, notFound, type FieldError } from '../lib/errors.js';
import { newId } from '../lib/ids.js';
import { parse } from '../lib/validate.js';
import { findSchedule } from '../schedule/index.js';
import { teamIdByIdOrName } from '../team/store.js';
import { userIdIfExists } from '../user/store.js';
import { deletePolicyRow, insertPolicy, policyByIdOrName, policyRowsByName, updatePolicyRow } from './store.js';
import { PolicyInput, type Policy } from './types.js';
import { conditionProblems } from './condition.js';

function fromRow(r: { id: string; name: string; description: string; repeat: number; initial_delay_minutes?: number; levels: string; team_id?: string | null }): Policy {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    repeat: r.repeat,
    initialDelayMinutes: Number(r.initial_delay_minutes ?? 0),
    levels: JSON.parse(r.levels) as Policy['levels'],
    ...(r.team_id ? { teamId: r.team_id } : {}),
  };
}

/** A policy by id or name, or undefined. */
export async function findPolicy(db: Tx, idOrName: string): Promise<Policy | undefined> {
  const [r] = (await policyByIdOrName(db, { idOrName })).rows;
  return r && fromRow(r);
}

/** Normalize, then write: checks that every target exists. */
async function normalize(db: Tx, input: unknown): Promise<PolicyInput> {
  const v = parse(PolicyInput, input, 'escalation policy');
  const errors: FieldError[] = [];
  for (const [li, level] of v.levels.entries()) {
    errors.push(...conditionProblems(level.condition, `levels.${li}.condition`));
    for (const [ti, t] of level.targets.entries()) {
      const path = `levels.${li}.targets.${ti}`;
      if (t.type === 'user') {
        if (!(await userIdIfExists(db, t.id))) errors.push({ path, message: `unknown user ${t.id}` });
      } else if (t.type === 'team' || t.type === 'team_managers' || t.type === 'team_random') {
        // Stored by id; a name is accepted too.
        const team = await teamIdByIdOrName(db, t.id);
        if (team) t.id = team.id;
        else errors.push({ path, message: `unknown team ${t.id}` });
      } else {
        // Stored by id, so renaming a schedule keeps the policy working; a name is accepted too.
        const s = await findSchedule(db, t.id);
        if (s) t.id = s.id;
        else errors.push({ path, message: `unknown schedule ${t.id}` });
      }
    }
  }
  if (v.teamId) {
    // Stored by id; a name is accepted too.
    const team = await teamIdByIdOrName(db, v.teamId);
    if (team) v.teamId = team.id;
    else errors.push({ path: 'teamId', message: `unknown team ${v.teamId}` });
  }
  if (errors.length) throw invalid(`Invalid escalation policy: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`, errors);
  return v;
}

/** Every policy. */
export async function listPolicies(ctx: Ctx, actor: Actor): Promise<Policy[]> {
  requirePermission(actor, 'read');
  const rows = await policyRowsByName(ctx.db.kysely);
  return rows.map(fromRow);
}

/** One policy by id or name. */
export async function getPolicy(ctx: Ctx, actor: Actor, idOrName: string): Promise<Policy> {
  requirePermission(actor, 'read');
  const p = await findPolicy(ctx.db.kysely, idOrName);
  if (!p) throw notFound('Escalation policy');
  return p;
}

/** Creates a policy. Admins only. */
export async function createPolicy(ctx: Ctx, actor: Actor, input: unknown): Promise<Policy> {
  requirePermissionSomewhere(actor, 'admin');
  const now = ctx.clock.now();
  return inTransaction(ctx, async (trx) => {
    const v = await normalize(trx, input);
    requirePermission(actor, 'admin', v.teamId ?? null);
    if (await findPolicy(trx, v.name)) throw conflict(`An escalation policy named "${v.name}" already exists`);
    const p: Policy = {
      id: newId(),
      name: v.name,
      description: v.description ?? '',
      repeat: v.repeat ?? 0,
      initialDelayMinutes: v.initialDelayMinutes ?? 0,
      levels: v.levels,
      ...(v.teamId ? { teamId: v.teamId } : {}),
    };
    await insertPolicy(trx, {
      team_id: v.teamId ?? null,
      id: p.id,
      name: p.name,
      description: p.description,
      repeat: p.repeat,
      initial_delay_minutes: p.initialDelayMinutes,
      levels: JSON.stringify(p.levels),
      created_at: now,
      updated_at: now,
    });
    await audit(trx, now, actor, 'policy.create', p.id, { name: p.name }, { after: p });
    return p;
  });
}

/** Replaces a policy. Open incidents keep the snapshot they started with. Admins only. */
export async function updatePolicy(ctx: Ctx, actor: Actor, id: string, input: unknown): Promise<Policy> {
  requirePermissionSomewhere(actor, 'admin');
  const now = ctx.clock.now();
  return inTransaction(ctx, async (trx) => {
    const existing = await findPolicy(trx, id);
    if (!existing) throw notFound('Escalation policy');
    requirePermission(actor, 'admin', existing.teamId ?? null);
    const v = await normalize(trx, input);
    if ((v.teamId ?? null) !== (existing.teamId ?? null)) requirePermission(actor, 'admin', v.teamId ?? null);
    const clash = await findPolicy(trx, v.name);
    if (clash && clash.id !== existing.id) throw conflict(`An escalation policy named "${v.name}" already exists`);
    const p: Policy = {
      id: existing.id,
      name: v.name,
      description: v.description ?? '',
      repeat: v.repeat ?? 0,
      initialDelayMinutes: v.initialDelayMinutes ?? 0,
      levels: v.levels,
      ...(v.teamId ? { teamId: v.teamId } : {}),
    };
    await updatePolicyRow(trx, p.id, {
      name: p.name,
      description: p.description,
      repeat: p.repeat,
      initial_delay_minutes: p.initialDelayMinutes,
      levels: JSON.stringify(p.levels),
      updated_at: now,
      team_id: v.teamId ?? null,
    });
    await audit(trx, now, actor, 'policy.update', p.id, { name: p.name }, { before: existing, after: p });
    return p;
  });
}

/** Deletes a policy; services using it are left without one. Admins only. */
export async function deletePolicy(ctx: Ctx, actor: Actor, id: string): Promise<void> {
  requirePermissionSomewhere(actor, 'admin');
  await inTransaction(ctx, async (trx) => {
    const before = await findPolicy(trx, id);
    if (!before) throw notFound('Escalation policy');
    requirePermission(actor, 'admin', before.teamId ?? null);
    if (!(await deletePolicyRow(trx, before.id))) throw notFound('Escalation policy');
    await audit(trx, ctx.clock.now(), actor, 'policy.delete', before.id, { name: before.name }, { before });
  });
}
