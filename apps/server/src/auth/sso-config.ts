/**
 * Single sign-on settings from the environment (docs/sso.md): OpenID Connect (KLAXON_OIDC_*), the
 * mapping of the identity provider's groups to Klaxon roles and teams (KLAXON_SSO_GROUP_MAP), and
 * password sign-in with its break-glass accounts (KLAXON_PASSWORD_SIGNIN, KLAXON_BREAK_GLASS_EMAILS).
 * Pure: reads an env object, returns settings or throws a message that names the variable.
 */
import { readFileSync } from 'node:fs';
import { DOMParser } from '@xmldom/xmldom';
import { ROLES, type Role } from './actor.js';
import { must } from '../lib/must.js';

/** Thrown for a bad SSO setting; the message names the variable and what is wrong. */
export class SsoConfigError extends Error {}

/** What one identity-provider group grants: a global role and/or team memberships. */
export interface GroupGrant {
  role?: Role;
  teams?: Record<string, 'member' | 'manager'>;
}

/** Group name (as the provider sends it) -> what it grants. */
export type GroupMap = Record<string, GroupGrant>;

export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret?: string;
  scopes: string;
  /** Shown on the sign-in button: "Sign in with <displayName>". */
  displayName: string;
  claims: { email: string; name: string; groups: string };
  /** Create a person on first sign-in (KLAXON_OIDC_AUTO_CREATE); otherwise only existing people sign in. */
  autoCreate: boolean;
  /** Role of a person created on first sign-in when no group grants one (KLAXON_OIDC_DEFAULT_ROLE). */
  defaultRole: Role;
}

export interface SamlSettings {
  /** From the IdP metadata: its entity ID, single sign-on URL (HTTP-Redirect) and signing certificates (base64 DER). */
  idp: { entityId: string; ssoUrl: string; certs: string[] };
  /** Klaxon's entity ID (KLAXON_SAML_SP_ENTITY_ID); default: the metadata URL. */
  spEntityId?: string;
  displayName: string;
  /** The attribute holding the email; default: the NameID. */
  emailAttribute?: string;
  nameAttribute: string;
  groupsAttribute: string;
  autoCreate: boolean;
  defaultRole: Role;
  /** Allowed clock difference with the IdP, ms (KLAXON_SAML_CLOCK_SKEW_SECONDS, at most 300 s). */
  clockSkewMs: number;
}

/** Reads SAML IdP metadata (XML): entity ID, the HTTP-Redirect SingleSignOnService and the signing certificates. */
export function parseIdpMetadata(xml: string, name = 'KLAXON_SAML_IDP_METADATA'): SamlSettings['idp'] {
  const problems: string[] = [];
  let doc: ReturnType<DOMParser['parseFromString']> | undefined;
  try {
    doc = new DOMParser({ errorHandler: (level: string, msg: unknown) => void (level !== 'warning' && problems.push(String(msg))) }).parseFromString(xml, 'text/xml');
  } catch (e) {
    problems.push((e as Error).message);
  }
  const NS = 'urn:oasis:names:tc:SAML:2.0:metadata';
  const ed = doc?.documentElement ? doc.getElementsByTagNameNS(NS, 'EntityDescriptor')[0] : undefined;
  if (problems.length || !ed) throw new SsoConfigError(`${name} is not SAML metadata (an md:EntityDescriptor): ${problems[0] ?? 'no EntityDescriptor'}`.slice(0, 300));
  const idp = ed.getElementsByTagNameNS(NS, 'IDPSSODescriptor')[0];
  if (!idp) throw new SsoConfigError(`${name} has no IDPSSODescriptor: is it the identity provider's metadata?`);
  const entityId = ed.getAttribute('entityID') ?? '';
  const services = Array.from(idp.getElementsByTagNameNS(NS, 'SingleSignOnService'));
  const redirect = services.find((e) => e.getAttribute('Binding') === 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect');
  if (!redirect?.getAttribute('Location')) throw new SsoConfigError(`${name} has no SingleSignOnService with the HTTP-Redirect binding`);
  const certs = Array.from(idp.getElementsByTagNameNS(NS, 'KeyDescriptor'))
    .filter((k) => !k.getAttribute('use') || k.getAttribute('use') === 'signing')
    .flatMap((k) => Array.from(k.getElementsByTagNameNS('http://www.w3.org/2000/09/xmldsig#', 'X509Certificate')))
    .map((c) => (c.textContent ?? '').replace(/\s+/g, ''))
    .filter(Boolean);
  if (!certs.length) throw new SsoConfigError(`${name} has no signing certificate (KeyDescriptor use="signing" with an X509Certificate): Klaxon accepts only signed assertions`);
  return { entityId, ssoUrl: must(redirect.getAttribute('Location'), 'redirect.getAttribute("Location")'), certs };
}

export interface SsoSettings {
  oidc?: OidcSettings;
  saml?: SamlSettings;
  groupMap: GroupMap;
  /** false when KLAXON_PASSWORD_SIGNIN=off: only the break-glass emails may sign in with a password. */
  passwordSignIn: boolean;
  /** Lower-cased emails that may still sign in with a password when password sign-in is off. */
  breakGlassEmails: string[];
  /** SCIM provisioning at /scim/v2: the bearer token identity providers send (KLAXON_SCIM_TOKEN); absent: only a token created from the API (POST /api/v1/scim-token) opens it. */
  scim?: { token: string; defaultRole: Role };
  /** The role of people SCIM creates (KLAXON_SCIM_DEFAULT_ROLE, default responder), also when only a token created from the API is in use. */
  scimDefaultRole?: Role;
}

const ROLE_RANK: Record<Role, number> = { admin: 4, responder: 3, stakeholder: 2, viewer: 1 };

/** The most powerful of some roles, or undefined for none. */
export function highestRole(roles: Role[]): Role | undefined {
  return roles.reduce<Role | undefined>((best, r) => (!best || ROLE_RANK[r] > ROLE_RANK[best] ? r : best), undefined);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Parses KLAXON_SSO_GROUP_MAP: a JSON object from group name to `{"role": "admin"|"responder"|
 * "stakeholder"|"viewer", "teams": {"<team name>": "member"|"manager"}}` (both optional).
 */
export function parseGroupMap(raw: string, name = 'KLAXON_SSO_GROUP_MAP'): GroupMap {
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    throw new SsoConfigError(`${name} must be a JSON object, e.g. {"klaxon-admins":{"role":"admin"},"sre":{"teams":{"SRE":"member"}}}`);
  }
  if (!isObject(v)) throw new SsoConfigError(`${name} must be a JSON object from group name to {"role": ..., "teams": {...}}`);
  // Null-prototype objects: a group or team called __proto__ is just a name.
  const out: GroupMap = Object.create(null) as GroupMap;
  for (const [group, grant] of Object.entries(v)) {
    if (!group) throw new SsoConfigError(`${name}: a group name is empty`);
    if (!isObject(grant)) throw new SsoConfigError(`${name}: group "${group}" must map to an object like {"role":"responder"}`);
    const g: GroupGrant = {};
    for (const key of Object.keys(grant)) if (key !== 'role' && key !== 'teams') throw new SsoConfigError(`${name}: group "${group}" has unknown key "${key}" (role, teams)`);
    if (grant.role !== undefined) {
      if (typeof grant.role !== 'string' || !(ROLES as readonly string[]).includes(grant.role)) throw new SsoConfigError(`${name}: group "${group}" role must be one of ${ROLES.join(', ')}`);
      g.role = grant.role as Role;
    }
    if (grant.teams !== undefined) {
      if (!isObject(grant.teams)) throw new SsoConfigError(`${name}: group "${group}" teams must be an object from team name to "member" or "manager"`);
      g.teams = Object.create(null) as Record<string, 'member' | 'manager'>;
      for (const [team, role] of Object.entries(grant.teams)) {
        if (!team) throw new SsoConfigError(`${name}: group "${group}" names an empty team`);
        if (role !== 'member' && role !== 'manager') throw new SsoConfigError(`${name}: group "${group}" team "${team}" must be "member" or "manager"`);
        g.teams[team] = role;
      }
    }
    out[group] = g;
  }
  return out;
}

/** What a person's groups grant: the highest role any grants, and each mapped team with the highest team role. */
export function grantsFor(map: GroupMap, groups: readonly string[]): { role?: Role; teams: Map<string, 'member' | 'manager'>; mappedTeams: Set<string> } {
  const roles: Role[] = [];
  const teams = new Map<string, 'member' | 'manager'>();
  const mappedTeams = new Set<string>();
  for (const g of Object.values(map)) for (const t of Object.keys(g.teams ?? {})) mappedTeams.add(t);
  for (const group of new Set(groups)) {
    if (!Object.prototype.hasOwnProperty.call(map, group)) continue;
    const grant = must(map[group], 'map[group]');
    if (grant.role) roles.push(grant.role);
    for (const [team, role] of Object.entries(grant.teams ?? {})) if (teams.get(team) !== 'manager') teams.set(team, role);
  }
  return { role: highestRole(roles), teams, mappedTeams };
}

function flag(env: NodeJS.ProcessEnv, name: string, def: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  if (['true', '1', 'on', 'yes'].includes(raw)) return true;
  if (['false', '0', 'off', 'no'].includes(raw)) return false;
  throw new SsoConfigError(`${name} must be on or off (got "${raw}")`);
}

function role(env: NodeJS.ProcessEnv, name: string, def: Role): Role {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  if (!(ROLES as readonly string[]).includes(raw)) throw new SsoConfigError(`${name} must be one of ${ROLES.join(', ')} (got "${raw}")`);
  return raw as Role;
}

function readMetadata(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new SsoConfigError(`KLAXON_SAML_IDP_METADATA_FILE cannot be read: ${(e as Error).message}`);
  }
}

/** Reads the SSO settings from the environment. */
export function ssoFromEnv(env: NodeJS.ProcessEnv): SsoSettings {
  const out: SsoSettings = {
    groupMap: env.KLAXON_SSO_GROUP_MAP ? parseGroupMap(env.KLAXON_SSO_GROUP_MAP) : {},
    passwordSignIn: flag(env, 'KLAXON_PASSWORD_SIGNIN', true),
    breakGlassEmails: (env.KLAXON_BREAK_GLASS_EMAILS ?? '')
      .split(',')
      .map((e) => e.trim().toLowerCase())
      .filter(Boolean),
  };
  for (const e of out.breakGlassEmails) if (!/^[^@\s]+@[^@\s]+$/.test(e)) throw new SsoConfigError(`KLAXON_BREAK_GLASS_EMAILS must be a comma-separated list of emails (got "${e}")`);
  if (env.KLAXON_OIDC_ISSUER || env.KLAXON_OIDC_CLIENT_ID) {
    const missing = ['KLAXON_OIDC_ISSUER', 'KLAXON_OIDC_CLIENT_ID'].filter((k) => !env[k]);
    if (missing.length) throw new SsoConfigError(`OpenID Connect is partly configured: set ${missing.join(' and ')}`);
    let issuer: URL;
    try {
      issuer = new URL(must(env.KLAXON_OIDC_ISSUER, 'KLAXON_OIDC_ISSUER'));
    } catch {
      throw new SsoConfigError(`KLAXON_OIDC_ISSUER must be the provider's issuer URL (got "${env.KLAXON_OIDC_ISSUER}")`);
    }
    const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(issuer.hostname);
    if (issuer.protocol !== 'https:' && !(issuer.protocol === 'http:' && loopback))
      throw new SsoConfigError(`KLAXON_OIDC_ISSUER must be an https: URL (http: only on loopback, for tests; got "${env.KLAXON_OIDC_ISSUER}")`);
    const scopes = (env.KLAXON_OIDC_SCOPES || 'openid email profile').split(/[\s,]+/).filter(Boolean);
    if (!scopes.includes('openid')) throw new SsoConfigError('KLAXON_OIDC_SCOPES must include openid');
    out.oidc = {
      issuer: must(env.KLAXON_OIDC_ISSUER, 'KLAXON_OIDC_ISSUER'),
      clientId: must(env.KLAXON_OIDC_CLIENT_ID, 'KLAXON_OIDC_CLIENT_ID'),
      clientSecret: env.KLAXON_OIDC_CLIENT_SECRET || undefined,
      scopes: scopes.join(' '),
      displayName: env.KLAXON_OIDC_NAME || 'single sign-on',
      claims: {
        email: env.KLAXON_OIDC_EMAIL_CLAIM || 'email',
        name: env.KLAXON_OIDC_NAME_CLAIM || 'name',
        groups: env.KLAXON_OIDC_GROUPS_CLAIM || 'groups',
      },
      autoCreate: flag(env, 'KLAXON_OIDC_AUTO_CREATE', false),
      defaultRole: role(env, 'KLAXON_OIDC_DEFAULT_ROLE', 'responder'),
    };
  }
  out.scimDefaultRole = role(env, 'KLAXON_SCIM_DEFAULT_ROLE', 'responder');
  if (env.KLAXON_SCIM_TOKEN !== undefined && env.KLAXON_SCIM_TOKEN !== '') {
    if (env.KLAXON_SCIM_TOKEN.length < 32 || /\s/.test(env.KLAXON_SCIM_TOKEN))
      throw new SsoConfigError('KLAXON_SCIM_TOKEN must be at least 32 characters without spaces (e.g. from `openssl rand -base64 32`)');
    out.scim = { token: env.KLAXON_SCIM_TOKEN, defaultRole: role(env, 'KLAXON_SCIM_DEFAULT_ROLE', 'responder') };
  }
  const metadata = env.KLAXON_SAML_IDP_METADATA || (env.KLAXON_SAML_IDP_METADATA_FILE ? readMetadata(env.KLAXON_SAML_IDP_METADATA_FILE) : '');
  if (metadata) {
    const skew = env.KLAXON_SAML_CLOCK_SKEW_SECONDS ? Number(env.KLAXON_SAML_CLOCK_SKEW_SECONDS) : 60;
    if (!Number.isInteger(skew) || skew < 0 || skew > 300)
      throw new SsoConfigError(`KLAXON_SAML_CLOCK_SKEW_SECONDS must be a whole number from 0 to 300 (got "${env.KLAXON_SAML_CLOCK_SKEW_SECONDS}")`);
    out.saml = {
      idp: parseIdpMetadata(metadata, env.KLAXON_SAML_IDP_METADATA ? 'KLAXON_SAML_IDP_METADATA' : 'KLAXON_SAML_IDP_METADATA_FILE'),
      spEntityId: env.KLAXON_SAML_SP_ENTITY_ID || undefined,
      displayName: env.KLAXON_SAML_NAME || 'SAML single sign-on',
      emailAttribute: env.KLAXON_SAML_EMAIL_ATTRIBUTE || undefined,
      nameAttribute: env.KLAXON_SAML_NAME_ATTRIBUTE || 'name',
      groupsAttribute: env.KLAXON_SAML_GROUPS_ATTRIBUTE || 'groups',
      autoCreate: flag(env, 'KLAXON_SAML_AUTO_CREATE', false),
      defaultRole: role(env, 'KLAXON_SAML_DEFAULT_ROLE', 'responder'),
      clockSkewMs: skew * 1000,
    };
  }
  if (!out.passwordSignIn && !out.oidc && !out.saml)
    throw new SsoConfigError('KLAXON_PASSWORD_SIGNIN=off needs single sign-on configured (KLAXON_OIDC_ISSUER or KLAXON_SAML_IDP_METADATA): nobody could sign in');
  if (!out.passwordSignIn && out.breakGlassEmails.length === 0)
    throw new SsoConfigError('KLAXON_PASSWORD_SIGNIN=off needs at least one break-glass admin in KLAXON_BREAK_GLASS_EMAILS, for when the identity provider is down');
  return out;
}
