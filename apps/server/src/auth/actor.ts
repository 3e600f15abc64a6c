import { forbidden } from '../lib/errors.js';

/** The roles a user can have, from most to least powerful. */
export type Role = 'admin' | 'responder' | 'stakeholder' | 'viewer';
export const ROLES: readonly Role[] = ['admin', 'responder', 'stakeholder', 'viewer'];

/** A role a user holds in one team, on top of their global role (docs/permissions.md). */
export type TeamRole = 'admin' | 'responder';
export const TEAM_ROLES: readonly TeamRole[] = ['admin', 'responder'];

/** The limits of the API token a request came with (docs/permissions.md, API tokens). */
export interface TokenLimits {
  tokenId: string;
  /** Refused on every write. */
  readOnly: boolean;
  /** Acts only on this team's objects. */
  teamId: string | null;
}

/**
 * Where a request came from, for the audit trail: the channel (a Via, or a chat platform's name) and
 * the address (the client IP of an HTTP request, the phone number of an SMS reply or a voice call,
 * the platform user id of a chat button).
 */
export interface Origin {
  via?: Via | string;
  address?: string;
}

/** A signed-in user or API token. `teams` holds their team roles; `token` the limits of the token used. */
export type UserActor = { type: 'user'; id: string; name: string; role: Role; teams?: Record<string, TeamRole>; token?: TokenLimits; origin?: Origin };

/** Who is doing something: a signed-in user (or API token), an integration, or Klaxon itself. */
export type Actor = UserActor | { type: 'integration'; id: string; name: string; serviceId: string; origin?: Origin } | { type: 'system'; name: string; origin?: Origin };

/** The channel an action came through; recorded on the timeline. */
export type Via =
  | 'api'
  | 'web'
  | 'cli'
  | 'email'
  | 'sms'
  | 'voice'
  | 'slack'
  | 'mattermost'
  | 'discord'
  | 'googlechat'
  | 'matrix'
  | 'push'
  | 'webhook'
  | 'ntfy'
  | 'pushover'
  | 'telegram'
  | 'whatsapp'
  | 'teams'
  | 'ingest'
  | 'engine'
  | 'config';

/** Every permission a service verb can ask for. */
export type Permission =
  | 'read' // see incidents, services, policies, people
  | 'incident.create'
  | 'incident.respond' // acknowledge, resolve, escalate
  | 'alert.ingest'
  | 'self.manage' // own contact methods, rules, tokens
  | 'admin'; // users, teams, services, policies, integrations, config

const grants: Record<Role, readonly Permission[]> = {
  admin: ['read', 'incident.create', 'incident.respond', 'self.manage', 'admin', 'alert.ingest'],
  responder: ['read', 'incident.create', 'incident.respond', 'self.manage'],
  stakeholder: ['read', 'self.manage'],
  viewer: ['read', 'self.manage'],
};

/** What a team role grants on that team's objects (schedules, policies, services, integrations, incidents, the team itself). */
const teamGrants: Record<TeamRole, readonly Permission[]> = {
  admin: ['read', 'incident.create', 'incident.respond', 'admin'],
  responder: ['read', 'incident.create', 'incident.respond'],
};

/**
 * True if `actor` holds `permission`. The system actor may do anything; integrations may only ingest.
 * With `teamId` (the team of the object acted on; null for an object of no team), a team role of
 * the actor on that team counts too. A read-only token holds only `read`; a token limited to a team
 * holds nothing but `read` outside that team's objects.
 */
export function can(actor: Actor, permission: Permission, teamId?: string | null): boolean {
  if (actor.type === 'system') return true;
  if (actor.type === 'integration') return permission === 'alert.ingest';
  if (actor.token?.readOnly && permission !== 'read') return false;
  if (actor.token?.teamId && permission !== 'read' && teamId !== actor.token.teamId) return false;
  if (grants[actor.role]?.includes(permission)) return true;
  const teamRole = teamId ? actor.teams?.[teamId] : undefined;
  return !!teamRole && (teamGrants[teamRole]?.includes(permission) ?? false);
}

/** True if `actor` could hold `permission` on some object: globally or through any of their team roles. */
export function canSomewhere(actor: Actor, permission: Permission): boolean {
  if (actor.type !== 'user') return can(actor, permission);
  if (actor.token?.teamId) return can(actor, permission, actor.token.teamId);
  return can(actor, permission) || Object.keys(actor.teams ?? {}).some((t) => can(actor, permission, t));
}

function refusal(actor: Actor, permission: Permission, teamId?: string | null): string {
  if (actor.type === 'user' && actor.token?.readOnly && permission !== 'read') return 'This API token is read-only: it may not change anything';
  if (actor.type === 'user' && actor.token?.teamId && permission !== 'read' && teamId !== actor.token.teamId)
    return `This API token is limited to one team (${actor.token.teamId}) and this is not that team's`;
  return teamId === undefined
    ? `Your role may not do this (needs ${permission})`
    : `Your role may not do this (needs ${permission}, globally or on ${teamId ? `team ${teamId}` : 'an object of no team'})`;
}

/**
 * The first line of every service verb: throws `forbidden` unless `actor` holds `permission`. With
 * `teamId` (the team of the object), a team role on that team counts (see `can`).
 */
export function requirePermission(actor: Actor, permission: Permission, teamId?: string | null): void {
  if (!can(actor, permission, teamId)) throw forbidden(refusal(actor, permission, teamId));
}

/**
 * The first line of a verb whose object belongs to a team: refuses at once an actor who holds
 * `permission` neither globally nor in any team; the verb then finds the object and calls
 * `requirePermission(actor, permission, teamId)` with its team.
 */
export function requirePermissionSomewhere(actor: Actor, permission: Permission): void {
  if (!canSomewhere(actor, permission)) throw forbidden(refusal(actor, permission));
}

/** Like requirePermission, but a user may always act on their own records. */
export function requireSelfOr(actor: Actor, userId: string, permission: Permission): void {
  if (actor.type === 'user' && actor.id === userId && can(actor, 'self.manage')) return;
  requirePermission(actor, permission);
}

/** The system actor, for engine modules and the CLI's local bootstrap commands. */
export const SYSTEM: Actor = { type: 'system', name: 'Klaxon' };

/** A display name for timelines and audit logs. */
export function actorLabel(actor: Actor): string {
  return actor.type === 'user' ? actor.name : actor.type === 'integration' ? `integration ${actor.name}` : actor.name;
}
