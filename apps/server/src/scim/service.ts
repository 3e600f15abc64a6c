/**
 * SCIM 2.0 provisioning (docs/sso.md): Users are Klaxon people (userName and the primary email are
 * the person's email), Groups are teams. A person set active=false, or DELETEd, is deactivated at
 * once: their sessions end, their API tokens are revoked, they are taken out of every rotation (their
 * turns become turns nobody covers, so the schedule shows the gap and the gap notices warn the team's
 * managers before it starts; overrides not over yet lose them, and go when left with nobody), out of every escalation level that names them and out of every team;
 * each step is written with audit(). A DELETEd person is kept (incidents name them) but SCIM answers
 * 404 for them from then on.
 */
import type { ScimTokenState } from '@klaxon/contract';
import { requirePermission, type Actor } from '../auth/actor.js';
import { deleteUserSessions, revokeUserTokens } from '../auth/store.js';
import { audit } from '../audit.js';
import { inTransaction, type Ctx, type Tx } from '../context.js';
import { policyRowsByName, setPolicyLevels } from '../escalation/store.js';
import type { Level } from '../escalation/types.js';
import { AppError, notFound } from '../lib/errors.js';
import { newId, newSecret, safeEqual, sha256 } from '../lib/ids.js';
import { deleteSetting, getSetting, upsertSetting } from '../store.js';
import { allSchedules, deleteOverrideRow, overridesNamingUser, setOverrideUsers, setScheduleLayers, touchSchedules } from '../schedule/store.js';
import type { LayerSpec } from '../schedule/compute/index.js';
import * as teams from '../team/service.js';
import { allMemberships, deleteMember, findTeam, scimTeamRows, setTeamExternalId, teamsOfUser } from '../team/store.js';
import { insertUser, scimUserRow, scimUserRows, setDeactivated, setExternalId, updateUserRow, userRowByEmail } from '../user/store.js';
import { compileScimFilter, GROUP_SCHEMA, listResponse, paging, readPatch, ScimError, scimBool, USER_SCHEMA, type PatchOp } from './protocol.js';
import { must } from '../lib/must.js';

const EMAIL = /^[^@\s]+@[^@\s]+$/;

/** The actor SCIM changes are recorded as. */
export const SCIM_ACTOR: Actor = { type: 'system', name: 'SCIM provisioning' };

type UserRow = NonNullable<Awaited<ReturnType<typeof scimUserRow>>>;

function iso(ms: number | string): string {
  return new Date(Number(ms)).toISOString();
}

/** A person as a SCIM User resource. */
export function userResource(base: string, r: UserRow) {
  return {
    schemas: [USER_SCHEMA],
    id: r.id,
    ...(r.external_id != null && { externalId: r.external_id }),
    userName: r.email,
    name: { formatted: r.name },
    displayName: r.name,
    emails: [{ value: r.email, type: 'work', primary: true }],
    active: r.deactivated_at == null,
    meta: { resourceType: 'User', created: iso(r.created_at), lastModified: iso(r.updated_at), location: `${base}/Users/${r.id}` },
  };
}

/** The fields of a User Klaxon keeps. */
interface UserFields {
  email: string;
  name: string;
  active: boolean;
  externalId: string | null;
}

function str(v: unknown, what: string, max = 254): string {
  if (typeof v !== 'string' || v.trim() === '' || v.length > max) throw new ScimError(400, `${what} must be a non-empty string of at most ${max} characters`, 'invalidValue');
  return v.trim();
}

function primaryEmail(emails: unknown): string | undefined {
  if (!Array.isArray(emails)) return undefined;
  const list = emails.filter((e): e is { value: string; primary?: unknown } => !!e && typeof e === 'object' && typeof (e as { value?: unknown }).value === 'string');
  return (list.find((e) => e.primary === true || e.primary === 'true') ?? list[0])?.value;
}

function lower(o: unknown): Record<string, unknown> {
  if (!o || typeof o !== 'object' || Array.isArray(o)) throw new ScimError(400, 'The body must be a JSON object', 'invalidSyntax');
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k.toLowerCase(), v]));
}

/** The User fields of a POST or PUT body (RFC 7643 §4.1); `current` fills what a PUT leaves out. */
function userFields(body: unknown, current?: UserFields): UserFields {
  const b = lower(body);
  const userName = b.username === undefined ? current?.email : str(b.username, 'userName');
  const email = userName && EMAIL.test(userName) ? userName : (primaryEmail(b.emails) ?? userName);
  if (!email) throw new ScimError(400, 'userName is required', 'invalidValue');
  if (!EMAIL.test(email)) throw new ScimError(400, `userName or the primary email must be an email address (got "${email.slice(0, 100)}")`, 'invalidValue');
  const name = lower(b.name ?? {});
  const composed = [name.givenname, name.familyname].filter((x) => typeof x === 'string' && x).join(' ');
  const display =
    (typeof b.displayname === 'string' && b.displayname.trim()) ||
    (typeof name.formatted === 'string' && name.formatted.trim()) ||
    composed ||
    current?.name ||
    must(email.split('@')[0], 'email.split("@")[0]');
  return {
    email: email.toLowerCase(),
    name: display.slice(0, 200),
    active: b.active === undefined ? (current?.active ?? true) : scimBool(b.active, 'active'),
    externalId: b.externalid === undefined ? (current?.externalId ?? null) : b.externalid === null ? null : str(b.externalid, 'externalId', 500),
  };
}

/** Applies PATCH operations to a User's fields (RFC 7644 §3.5.2). Attributes Klaxon does not keep are ignored. */
function patchUser(f: UserFields, ops: PatchOp[]): UserFields {
  const out = { ...f };
  const set = (path: string, value: unknown, op: PatchOp['op']) => {
    const p = path.replace(/^urn:ietf:params:scim:schemas:core:2\.0:User:/i, '').toLowerCase();
    if (op === 'remove') {
      if (p === 'externalid') out.externalId = null;
      else if (['active', 'username', 'displayname', 'name', 'name.formatted', 'emails'].includes(p)) throw new ScimError(400, `${path} cannot be removed`, 'mutability');
      return;
    }
    if (p === 'active') out.active = scimBool(value, 'active');
    else if (p === 'username') {
      const v = str(value, 'userName');
      if (!EMAIL.test(v)) throw new ScimError(400, 'userName must be an email address', 'invalidValue');
      out.email = v.toLowerCase();
    } else if (p === 'displayname' || p === 'name.formatted') out.name = str(value, path, 200);
    else if (p === 'externalid') out.externalId = value === null ? null : str(value, 'externalId', 500);
    else if (p === 'name' && value && typeof value === 'object') {
      const n = lower(value);
      const v = (typeof n.formatted === 'string' && n.formatted) || [n.givenname, n.familyname].filter((x) => typeof x === 'string' && x).join(' ');
      if (v) out.name = v.slice(0, 200);
    } else if (p === 'emails' || /^emails\[.*\]\.value$/.test(p)) {
      const v = Array.isArray(value) ? primaryEmail(value) : value;
      if (typeof v === 'string' && EMAIL.test(v)) out.email = v.toLowerCase();
    }
    // Anything else (title, phoneNumbers, enterprise extension...) Klaxon does not keep.
  };
  for (const op of ops) {
    if (op.path) set(op.path, op.value, op.op);
    else {
      if (!op.value || typeof op.value !== 'object' || Array.isArray(op.value)) throw new ScimError(400, `${op.op} without a path needs an object value`, 'invalidValue');
      for (const [k, v] of Object.entries(op.value)) set(k, v, op.op);
    }
  }
  return out;
}

async function loadUser(trx: Tx, id: string): Promise<UserRow> {
  const r = await scimUserRow(trx, id);
  if (!r) throw new ScimError(404, `User ${id} not found`);
  return r;
}

/**
 * Deactivates a person: ends sessions, revokes API tokens, takes them out of rotations, escalation
 * levels and teams; every step audited. In the caller's transaction.
 */
export async function deactivate(ctx: Ctx, trx: Tx, actor: Actor, userId: string, now: number, deleted = false): Promise<void> {
  await setDeactivated(trx, userId, now, now, deleted);
  await audit(trx, now, actor, deleted ? 'user.delete-scim' : 'user.deactivate', userId, {});
  await deleteUserSessions(trx, userId);
  const revoked = await revokeUserTokens(trx, userId, now);
  await audit(trx, now, actor, 'user.sessions-and-tokens-ended', userId, { tokensRevoked: revoked });
  // Rotations: their turns stay where they were, covered by nobody ([]), so the gap shows and is warned.
  for (const s of await allSchedules(trx)) {
    let changed = false;
    const layers: LayerSpec[] = s.layers.map((l) => ({
      ...l,
      participants: l.participants.map((p) => {
        if (p === userId) {
          changed = true;
          return [];
        }
        if (Array.isArray(p) && p.includes(userId)) {
          changed = true;
          return p.filter((u) => u !== userId);
        }
        return p;
      }),
    }));
    if (!changed) continue;
    await setScheduleLayers(trx, s.id, JSON.stringify(layers), now);
    await touchSchedules(trx, s.id);
    await audit(trx, now, actor, 'schedule.participant-removed', s.id, { userId, reason: 'deactivated' });
  }
  // Overrides not over yet that put them on call: without them; one left with nobody is removed (the rotation beneath applies).
  for (const o of await overridesNamingUser(trx, userId, now)) {
    const rest = (JSON.parse(o.user_ids) as string[]).filter((u) => u !== userId);
    if (rest.length) await setOverrideUsers(trx, o.id, rest);
    else await deleteOverrideRow(trx, o.id);
    await touchSchedules(trx, o.schedule_id);
    await audit(trx, now, actor, rest.length ? 'schedule.override-changed' : 'schedule.override-removed', o.schedule_id, { overrideId: o.id, userId, reason: 'deactivated' });
  }
  // Escalation: levels naming them lose that target; a level left with no target is dropped.
  for (const p of await policyRowsByName(trx)) {
    const levels = JSON.parse(p.levels) as Level[];
    if (!levels.some((l) => l.targets.some((t) => t.type === 'user' && t.id === userId))) continue;
    const after = levels.map((l) => ({ ...l, targets: l.targets.filter((t) => !(t.type === 'user' && t.id === userId)) })).filter((l) => l.targets.length > 0);
    await setPolicyLevels(trx, p.id, JSON.stringify(after), now);
    await audit(trx, now, actor, 'escalation.target-removed', p.id, { userId, reason: 'deactivated', levelsBefore: levels.length, levelsAfter: after.length });
  }
  for (const m of await teamsOfUser(trx, userId)) {
    await deleteMember(trx, m.team_id, userId);
    await audit(trx, now, actor, 'team.member-remove', m.team_id, { userId, reason: 'deactivated' });
  }
}

/** Writes a User's fields (POST, PUT, PATCH) and deactivates or reactivates as `active` says. */
async function writeUser(ctx: Ctx, trx: Tx, actor: Actor, before: UserRow, f: UserFields, now: number): Promise<void> {
  if (f.email !== before.email) {
    const other = await userRowByEmail(trx, f.email);
    if (other && other.id !== before.id) throw new ScimError(409, `Another person has the email ${f.email}`, 'uniqueness');
  }
  if (f.email !== before.email || f.name !== before.name) {
    await updateUserRow(trx, before.id, { email: f.email, name: f.name, updated_at: now });
    await audit(trx, now, actor, 'user.update', before.id, { before: { email: before.email, name: before.name }, after: { email: f.email, name: f.name } });
  }
  if (f.externalId !== (before.external_id ?? null)) await setExternalId(trx, before.id, f.externalId);
  const wasActive = before.deactivated_at == null;
  if (wasActive && !f.active) await deactivate(ctx, trx, actor, before.id, now);
  if (!wasActive && f.active) {
    await setDeactivated(trx, before.id, null, now);
    await audit(trx, now, actor, 'user.reactivate', before.id, {});
  }
}

export interface ScimUsersApi {
  base: string;
  defaultRole: 'admin' | 'responder' | 'stakeholder' | 'viewer';
}

export async function listUsers(ctx: Ctx, actor: Actor, base: string, query: Record<string, unknown>) {
  requirePermission(actor, 'admin');
  const p = paging(query);
  const test = typeof query.filter === 'string' && query.filter ? compileScimFilter(query.filter, USER_SCHEMA) : () => true;
  const all = (await scimUserRows(ctx.db.kysely)).map((r) => userResource(base, r)).filter(test);
  return listResponse(all, p);
}

export async function getUser(ctx: Ctx, actor: Actor, base: string, id: string) {
  requirePermission(actor, 'admin');
  return userResource(base, await loadUser(ctx.db.kysely, id));
}

export async function createUser(ctx: Ctx, actor: Actor, api: ScimUsersApi, body: unknown) {
  requirePermission(actor, 'admin');
  const f = userFields(body);
  const now = ctx.clock.now();
  const id = await inTransaction(ctx, async (trx) => {
    const existing = await userRowByEmail(trx, f.email);
    if (existing && (await scimUserRow(trx, existing.id))) throw new ScimError(409, `A person with userName ${f.email} exists already`, 'uniqueness');
    if (existing) {
      // Deleted through SCIM before and provisioned again: the same person comes back.
      await setDeactivated(trx, existing.id, null, now);
      await audit(trx, now, actor, 'user.reactivate', existing.id, { email: f.email });
      const back = await loadUser(trx, existing.id);
      await writeUser(ctx, trx, actor, back, f, now);
      return existing.id;
    }
    const newUserId = newId();
    await insertUser(trx, { id: newUserId, email: f.email, name: f.name, time_zone: 'UTC', role: api.defaultRole, password_hash: null, created_at: now, updated_at: now });
    await setExternalId(trx, newUserId, f.externalId);
    await audit(trx, now, actor, 'user.create', newUserId, { email: f.email, role: api.defaultRole, via: 'scim' });
    if (!f.active) await deactivate(ctx, trx, actor, newUserId, now);
    return newUserId;
  });
  return userResource(api.base, await loadUser(ctx.db.kysely, id));
}

export async function replaceUser(ctx: Ctx, actor: Actor, base: string, id: string, body: unknown) {
  requirePermission(actor, 'admin');
  const now = ctx.clock.now();
  await inTransaction(ctx, async (trx) => {
    const before = await loadUser(trx, id);
    const current: UserFields = { email: before.email, name: before.name, active: before.deactivated_at == null, externalId: before.external_id ?? null };
    // PUT replaces: what the body leaves out falls back to what SCIM cannot clear (name, active).
    const f = userFields(body, { ...current, externalId: null });
    await writeUser(ctx, trx, actor, before, f, now);
  });
  return getUser(ctx, actor, base, id);
}

export async function patchUserResource(ctx: Ctx, actor: Actor, base: string, id: string, body: unknown) {
  requirePermission(actor, 'admin');
  const ops = readPatch(body);
  const now = ctx.clock.now();
  await inTransaction(ctx, async (trx) => {
    const before = await loadUser(trx, id);
    const f = patchUser({ email: before.email, name: before.name, active: before.deactivated_at == null, externalId: before.external_id ?? null }, ops);
    await writeUser(ctx, trx, actor, before, f, now);
  });
  return getUser(ctx, actor, base, id);
}

export async function deleteUser(ctx: Ctx, actor: Actor, id: string): Promise<void> {
  requirePermission(actor, 'admin');
  const now = ctx.clock.now();
  await inTransaction(ctx, async (trx) => {
    const before = await loadUser(trx, id);
    if (before.deactivated_at == null) await deactivate(ctx, trx, actor, id, now, true);
    else await setDeactivated(trx, id, Number(before.deactivated_at), now, true);
  });
}

// ---- Groups (teams) ----

type TeamRow = Awaited<ReturnType<typeof scimTeamRows>>[number];

function groupResource(base: string, t: TeamRow, members: { id: string; name: string }[]) {
  return {
    schemas: [GROUP_SCHEMA],
    id: t.id,
    ...(t.external_id != null && { externalId: t.external_id }),
    displayName: t.name,
    members: members.map((m) => ({ value: m.id, display: m.name, type: 'User', $ref: `${base}/Users/${m.id}` })),
    meta: { resourceType: 'Group', created: iso(t.created_at), lastModified: iso(t.created_at), location: `${base}/Groups/${t.id}` },
  };
}

async function groups(ctx: Ctx, base: string) {
  const db = ctx.db.kysely;
  const [rows, memberships, people] = await Promise.all([scimTeamRows(db), allMemberships(db), scimUserRows(db)]);
  const names = new Map(people.map((p) => [p.id, p.name]));
  return rows.map((t) =>
    groupResource(
      base,
      t,
      memberships.flatMap((m) => {
        const name = m.team_id === t.id ? names.get(m.user_id) : undefined;
        return name !== undefined ? [{ id: m.user_id, name }] : [];
      }),
    ),
  );
}

export async function listGroups(ctx: Ctx, actor: Actor, base: string, query: Record<string, unknown>) {
  requirePermission(actor, 'admin');
  const p = paging(query);
  const test = typeof query.filter === 'string' && query.filter ? compileScimFilter(query.filter, GROUP_SCHEMA) : () => true;
  const excludeMembers = typeof query.excludedAttributes === 'string' && /\bmembers\b/i.test(query.excludedAttributes);
  const all = (await groups(ctx, base)).filter(test).map((g) => (excludeMembers ? { ...g, members: undefined } : g));
  return listResponse(all, p);
}

export async function getGroup(ctx: Ctx, actor: Actor, base: string, id: string) {
  requirePermission(actor, 'admin');
  const g = (await groups(ctx, base)).find((x) => x.id === id);
  if (!g) throw new ScimError(404, `Group ${id} not found`);
  return g;
}

function memberIds(v: unknown, what: string): string[] {
  if (v === undefined || v === null) return [];
  const list = Array.isArray(v) ? v : [v];
  return list.map((m, i) => {
    const value = (m as { value?: unknown })?.value;
    if (typeof value !== 'string' || !value) throw new ScimError(400, `${what}[${i}].value must be a User id`, 'invalidValue');
    return value;
  });
}

/** Runs a team service verb, answering its errors in SCIM's terms. */
async function teamVerb<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof AppError) {
      const status = e.code === 'conflict' ? 409 : e.code === 'not_found' ? 404 : e.code === 'invalid' ? 400 : e.code === 'forbidden' ? 403 : 0;
      if (status) throw new ScimError(status, e.message, status === 409 ? 'uniqueness' : status === 400 ? 'invalidValue' : undefined);
    }
    throw e;
  }
}

async function saveTeam(ctx: Ctx, actor: Actor, id: string, name: string, members: string[], externalId: string | null | undefined): Promise<void> {
  const current = await findTeam(ctx.db.kysely, id);
  if (!current) throw new ScimError(404, `Group ${id} not found`);
  for (const m of members) if (!(await scimUserRow(ctx.db.kysely, m))) throw new ScimError(400, `members: no User ${m}`, 'invalidValue');
  const roles = new Map(current.members.map((m) => [m.userId, m.role]));
  // Members kept keep their team role (a manager stays a manager); new ones join as members.
  await teamVerb(() => teams.updateTeam(ctx, actor, id, { name, description: current.description, members: [...new Set(members)].map((userId) => ({ userId, role: roles.get(userId) ?? 'member' })) }));
  if (externalId !== undefined) await setTeamExternalId(ctx.db.kysely, id, externalId);
}

export async function createGroup(ctx: Ctx, actor: Actor, base: string, body: unknown) {
  requirePermission(actor, 'admin');
  const b = lower(body);
  const name = str(b.displayname, 'displayName', 100);
  const members = memberIds(b.members, 'members');
  for (const m of members) if (!(await scimUserRow(ctx.db.kysely, m))) throw new ScimError(400, `members: no User ${m}`, 'invalidValue');
  const team = await teamVerb(() => teams.createTeam(ctx, actor, { name, members: [...new Set(members)].map((userId) => ({ userId, role: 'member' as const })) }));
  if (b.externalid !== undefined) await setTeamExternalId(ctx.db.kysely, team.id, b.externalid === null ? null : str(b.externalid, 'externalId', 500));
  return getGroup(ctx, actor, base, team.id);
}

export async function replaceGroup(ctx: Ctx, actor: Actor, base: string, id: string, body: unknown) {
  requirePermission(actor, 'admin');
  const b = lower(body);
  await saveTeam(
    ctx,
    actor,
    id,
    str(b.displayname, 'displayName', 100),
    memberIds(b.members, 'members'),
    b.externalid === undefined ? null : b.externalid === null ? null : str(b.externalid, 'externalId', 500),
  );
  return getGroup(ctx, actor, base, id);
}

export async function patchGroup(ctx: Ctx, actor: Actor, base: string, id: string, body: unknown) {
  requirePermission(actor, 'admin');
  const ops = readPatch(body);
  const g = await getGroup(ctx, actor, base, id);
  let name = g.displayName;
  let members = g.members.map((m) => m.value);
  let externalId: string | null | undefined;
  const apply = (op: PatchOp['op'], path: string, value: unknown) => {
    const p = path.replace(/^urn:ietf:params:scim:schemas:core:2\.0:Group:/i, '');
    const lp = p.toLowerCase();
    const filtered = /^members\[\s*value\s+eq\s+"([^"]+)"\s*\]$/i.exec(p);
    if (lp === 'displayname') {
      if (op === 'remove') throw new ScimError(400, 'displayName cannot be removed', 'mutability');
      name = str(value, 'displayName', 100);
    } else if (lp === 'externalid') externalId = op === 'remove' || value === null ? null : str(value, 'externalId', 500);
    else if (lp === 'members') {
      const ids = memberIds(value, 'members');
      if (op === 'add') members = [...members, ...ids];
      else if (op === 'replace') members = ids;
      else members = value === undefined ? [] : members.filter((m) => !ids.includes(m));
    } else if (filtered && op === 'remove') members = members.filter((m) => m !== filtered[1]);
    else throw new ScimError(400, `Unsupported path "${path.slice(0, 100)}" (displayName, externalId, members, members[value eq "..."])`, 'invalidPath');
  };
  for (const op of ops) {
    if (op.path) apply(op.op, op.path, op.value);
    else {
      if (!op.value || typeof op.value !== 'object' || Array.isArray(op.value)) throw new ScimError(400, `${op.op} without a path needs an object value`, 'invalidValue');
      for (const [k, v] of Object.entries(op.value)) apply(op.op, k, v);
    }
  }
  await saveTeam(ctx, actor, id, name, members, externalId);
  return getGroup(ctx, actor, base, id);
}

export async function deleteGroup(ctx: Ctx, actor: Actor, id: string): Promise<void> {
  requirePermission(actor, 'admin');
  await teamVerb(() => teams.deleteTeam(ctx, actor, id));
}

/** Settings key of the SCIM bearer token created from the API (its SHA-256, never the token). */
const SCIM_TOKEN_SETTING = 'scim_token';

interface StoredToken {
  hash: string;
  createdAt: number;
  createdBy: string | null;
  hint: string;
}

async function storedToken(db: Tx): Promise<StoredToken | null> {
  const raw = await getSetting(db, SCIM_TOKEN_SETTING);
  return raw ? (JSON.parse(raw) as StoredToken) : null;
}

function tokenState(s: StoredToken | null, environment: boolean): ScimTokenState {
  return { stored: s && { createdAt: s.createdAt, createdBy: s.createdBy, hint: s.hint }, environment };
}

/** The SCIM token's state: the one created from the API (not its secret) and whether KLAXON_SCIM_TOKEN is set. Admins only. */
export async function getScimToken(ctx: Ctx, actor: Actor, environment: boolean): Promise<ScimTokenState> {
  requirePermission(actor, 'admin');
  return tokenState(await storedToken(ctx.db.kysely), environment === true);
}

/**
 * Creates the SCIM bearer token, or replaces the one created before (which stops working at once).
 * Returns the token, shown once: only its SHA-256 is stored. KLAXON_SCIM_TOKEN keeps working. Admins only; on the audit trail.
 */
export async function rotateScimToken(ctx: Ctx, actor: Actor, environment: boolean): Promise<{ token: string; scimToken: ScimTokenState }> {
  requirePermission(actor, 'admin');
  const token = newSecret('kxscim_', 32);
  const now = ctx.clock.now();
  const s: StoredToken = { hash: sha256(token), createdAt: now, createdBy: actor.type === 'user' ? actor.id : null, hint: token.slice(-4) };
  await inTransaction(ctx, async (trx) => {
    const before = await storedToken(trx);
    await upsertSetting(trx, SCIM_TOKEN_SETTING, JSON.stringify(s));
    await audit(trx, now, actor, before ? 'scim.token.rotate' : 'scim.token.create', 'scim-token', { hint: s.hint, ...(before && { replaced: before.hint }) }, { subjectType: 'scim' });
  });
  return { token, scimToken: tokenState(s, environment === true) };
}

/** Revokes the SCIM token created from the API (at once); 404 when there is none. KLAXON_SCIM_TOKEN is not touched. Admins only; on the audit trail. */
export async function revokeScimToken(ctx: Ctx, actor: Actor): Promise<void> {
  requirePermission(actor, 'admin');
  await inTransaction(ctx, async (trx) => {
    const before = await storedToken(trx);
    if (!before) throw notFound('SCIM token created from the API');
    await deleteSetting(trx, SCIM_TOKEN_SETTING);
    await audit(trx, ctx.clock.now(), actor, 'scim.token.revoke', 'scim-token', { hint: before.hint }, { subjectType: 'scim' });
  });
}

/** True when an admin has created a SCIM token from the API (and not revoked it). */
export async function hasStoredScimToken(db: Tx): Promise<boolean> {
  return (await storedToken(db)) !== null;
}

/** True when `presented` is the SCIM token created from the API (compared by hash, in constant time). */
export async function storedScimTokenMatches(db: Tx, presented: string): Promise<boolean> {
  const s = await storedToken(db);
  return !!s && safeEqual(sha256(presented), s.hash);
}
