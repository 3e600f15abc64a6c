/**
 * What every single sign-on method (OpenID Connect, SAML) does once the identity provider has said
 * who someone is: find the person by email (or create them when allowed), apply the group mapping
 * (KLAXON_SSO_GROUP_MAP: the highest role any of their groups grants; membership of each mapped team
 * added or taken away to match their groups), and record it all with audit(). The session is then
 * created as for a password sign-in (sessions.ts).
 */
import type { Role } from './actor.js';
import { grantsFor, type GroupMap } from './sso-config.js';
import { audit } from '../audit.js';
import { inTransaction, type Ctx } from '../context.js';
import { AppError } from '../lib/errors.js';
import { newId } from '../lib/ids.js';
import { appendMember, deleteMember, memberRow, setMemberRole, teamIdByName } from '../team/store.js';
import { deactivatedAt, findUserByEmail, insertUser, updateUserRow } from '../user/store.js';
import type { User } from '../user/types.js';
import { must } from '../lib/must.js';

/** Who the identity provider says signed in. */
export interface SsoIdentity {
  method: 'oidc' | 'saml';
  /** The provider's stable id for the person (OIDC `sub`, SAML NameID). */
  subject: string;
  email: string;
  name?: string;
  groups: string[];
}

/** How people are created and mapped for one sign-on method. */
export interface SsoPolicy {
  autoCreate: boolean;
  defaultRole: Role;
  groupMap: GroupMap;
}

const EMAIL = /^[^@\s]+@[^@\s]+$/;

/** The person an identity signs in as, after creating them (when allowed) and syncing role and teams. */
export async function userForIdentity(ctx: Ctx, policy: SsoPolicy, id: SsoIdentity): Promise<User> {
  const email = id.email.trim().toLowerCase();
  if (!EMAIL.test(email) || email.length > 254) throw new AppError('forbidden', `The identity provider sent no usable email for this person (got "${id.email.slice(0, 100)}")`);
  const actor = { type: 'system' as const, name: id.method === 'oidc' ? 'single sign-on (OpenID Connect)' : 'single sign-on (SAML)' };
  const now = ctx.clock.now();
  const grants = grantsFor(policy.groupMap, id.groups);
  return inTransaction(ctx, async (trx) => {
    let user = await findUserByEmail(trx, email);
    if (!user) {
      if (!policy.autoCreate) throw new AppError('forbidden', `There is no Klaxon account for ${email}: ask an administrator to add you`);
      const name = (id.name?.trim() || must(email.split('@')[0], 'email.split("@")[0]')).slice(0, 200);
      user = { id: newId(), email, name, timeZone: 'UTC', role: grants.role ?? policy.defaultRole, createdAt: now };
      await insertUser(trx, { id: user.id, email, name, time_zone: 'UTC', role: user.role, password_hash: null, created_at: now, updated_at: now });
      await audit(trx, now, actor, 'user.create', user.id, { email, role: user.role, via: id.method, groups: id.groups });
    } else if ((await deactivatedAt(trx, user.id)) !== null) {
      throw new AppError('forbidden', `The Klaxon account of ${email} is deactivated`);
    }
    if (grants.role && grants.role !== user.role) {
      await updateUserRow(trx, user.id, { role: grants.role, updated_at: now });
      await audit(trx, now, actor, 'user.role', user.id, { before: user.role, after: grants.role, via: id.method, groups: id.groups });
      user = { ...user, role: grants.role };
    }
    for (const teamName of grants.mappedTeams) {
      const team = await teamIdByName(trx, teamName);
      if (!team) continue; // A mapping may name a team not created yet: nothing to sync.
      const want = grants.teams.get(teamName);
      const have = await memberRow(trx, team.id, user.id);
      if (want && !have) {
        await appendMember(trx, team.id, user.id, want);
        await audit(trx, now, actor, 'team.member-add', team.id, { userId: user.id, role: want, via: id.method });
      } else if (want && have && have.role !== want) {
        await setMemberRole(trx, team.id, user.id, want);
        await audit(trx, now, actor, 'team.member-role', team.id, { userId: user.id, before: have.role, after: want, via: id.method });
      } else if (!want && have) {
        await deleteMember(trx, team.id, user.id);
        await audit(trx, now, actor, 'team.member-remove', team.id, { userId: user.id, via: id.method });
      }
    }
    await audit(trx, now, actor, 'auth.sso-sign-in', user.id, { method: id.method, subject: id.subject, email });
    return user;
  });
}
