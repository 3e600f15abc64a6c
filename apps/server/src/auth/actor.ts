import { forbidden } from '../lib/errors.js';

/** The roles a user can have, from most to least powerful. */
export type Role = 'admin' | 'responder' | 'stakeholder' | 'viewer';
export const ROLES: readonly Role[] = ['admin', 'responder', 'stakeholder', 'viewer'];

/** Who is doing something: a signed-in user (or API token), an integration, or Klaxon itself. */
export type Actor = { type: 'user'; id: string; name: string; role: Role } | { type: 'integration'; id: string; name: string; serviceId: string } | { type: 'system'; name: string };

/** The channel an action came through; recorded on the timeline. */
export type Via = 'api' | 'web' | 'cli' | 'email' | 'sms' | 'voice' | 'slack' | 'push' | 'webhook' | 'ntfy' | 'pushover' | 'telegram' | 'whatsapp' | 'ingest' | 'engine' | 'config';

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

/** True if `actor` holds `permission`. The system actor may do anything; integrations may only ingest. */
export function can(actor: Actor, permission: Permission): boolean {
  if (actor.type === 'system') return true;
  if (actor.type === 'integration') return permission === 'alert.ingest';
  return grants[actor.role]?.includes(permission) ?? false;
}

/** The first line of every service verb: throws `forbidden` unless `actor` holds `permission`. */
export function requirePermission(actor: Actor, permission: Permission): void {
  if (!can(actor, permission)) throw forbidden(`Your role may not do this (needs ${permission})`);
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
