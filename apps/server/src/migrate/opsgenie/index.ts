/*
 * The Opsgenie importer (docs/migrate.md, ## Opsgenie): reads an account through the documented
 * REST API (GenieKey auth, offset/limit pages with paging.next) and maps it onto klaxon.yaml.
 * Schedules become union-layered schedules (Opsgenie rotations add up), escalations become policies
 * with exact waits (Opsgenie delays count from alert creation), teams' default routing decides each
 * service's policy. onCall() and paging() answer `klaxon compare` from Opsgenie's own timeline and
 * on-call endpoints.
 */
import type { ConfigDocument, PolicySpec, ServiceSpec, TargetSpec, UserSpec } from '../../config/schema.js';
import { MAX_OVERRIDES, overrideSpecs, splitNote } from '../overrides.js';
import { toImported } from '../maintenance.js';
import { pace, SourceClient } from '../source-client.js';
import {
  MigrateError,
  silentProgress,
  type ImportedMaintenance,
  type ImportOptions,
  type ImportResult,
  type Progress,
  type ReportItem,
  type SenderChange,
  type SourceAdapter,
  type SourceOnCall,
  type SourcePaging,
  lookup,
} from '../types.js';
import {
  getData,
  getOne,
  listAll,
  listHeartbeats,
  minutesOf,
  type OgContact,
  type OgEscalation,
  type OgEscalationRule,
  type OgIntegration,
  type OgMaintenance,
  type OgNotificationRule,
  type OgOverride,
  type OgRecipient,
  type OgRoutingRule,
  type OgSchedule,
  type OgService,
  type OgTeam,
  type OgUser,
  type OgHeartbeat,
} from './api.js';
import { planLevels, rotationToLayer, ruleTargets, targetKey, type LevelPlan, type Names, type People, type TeamRouting } from './map.js';
import { must } from '../../lib/must.js';

const WEEK = 7 * 24 * 3600_000;

/** Everything the import reads, by id. */
interface Account {
  users: OgUser[];
  contacts: Map<string, OgContact[]>;
  rules: Map<string, OgNotificationRule[]>;
  teams: OgTeam[];
  routing: Map<string, OgRoutingRule[]>;
  schedules: OgSchedule[];
  overrides: Map<string, OgOverride[]>;
  escalations: OgEscalation[];
  services: OgService[];
  integrations: OgIntegration[];
  heartbeats: OgHeartbeat[];
  maintenance: OgMaintenance[];
}

/** Reads each item of `list` with `read`, one progress bar for the resource. */
async function each<T, R>(progress: Progress, resource: string, list: T[], read: (x: T) => Promise<R>): Promise<R[]> {
  progress.start(resource, list.length);
  const out: R[] = [];
  for (const x of list) {
    out.push(await read(x));
    progress.advance(resource, 1, list.length);
  }
  progress.done(resource);
  return out;
}

async function readPeople(client: SourceClient, progress: Progress): Promise<Pick<Account, 'users' | 'teams' | 'escalations'>> {
  const users = await listAll<OgUser>(client, progress, 'users', '/v2/users', {}, ['id', 'username']);
  const teamList = await listAll<OgTeam>(client, progress, 'teams', '/v2/teams', {}, ['id', 'name']);
  const teams = await each(progress, 'team members', teamList, (t) => getOne<OgTeam>(client, `team "${t.name}"`, `/v2/teams/${encodeURIComponent(t.id)}`, { identifierType: 'id' }, ['id', 'name']));
  const escalations = await listAll<OgEscalation>(client, progress, 'escalations', '/v2/escalations', {}, ['id', 'name']);
  for (const e of escalations) if (!Array.isArray(e.rules)) throw new MigrateError(`escalation "${e.name}"`, 'has no rules list');
  return { users, teams, escalations };
}

async function readSchedules(client: SourceClient, progress: Progress): Promise<OgSchedule[]> {
  const schedules = await listAll<OgSchedule>(client, progress, 'schedules', '/v2/schedules', { expand: 'rotation' }, ['id', 'name', 'timezone']);
  for (const s of schedules) {
    if (!Array.isArray(s.rotations)) throw new MigrateError(`schedule "${s.name}"`, 'has no rotations list (expand=rotation)');
    for (const r of s.rotations)
      if (typeof r.id !== 'string' || typeof r.startDate !== 'string' || !Array.isArray(r.participants))
        throw new MigrateError(`schedule "${s.name}" rotations`, 'a rotation lacks id, startDate or participants');
  }
  return schedules;
}

async function readRouting(client: SourceClient, progress: Progress, teams: OgTeam[]): Promise<Map<string, OgRoutingRule[]>> {
  const lists = await each(progress, 'team routing rules', teams, (t) => getRoutingRules(client, t));
  return new Map(teams.map((t, i) => [t.id, must(lists[i], 'lists[i]')]));
}

async function getRoutingRules(client: SourceClient, t: OgTeam): Promise<OgRoutingRule[]> {
  const resource = `team "${t.name}" routing rules`;
  const body = await client.getJson<{ data?: unknown }>(resource, `/v2/teams/${encodeURIComponent(t.id)}/routing-rules`, { teamIdentifierType: 'id' });
  if (!body || !Array.isArray(body.data)) throw new MigrateError(resource, '"data" is not a list');
  for (const r of body.data as OgRoutingRule[]) if (!r || typeof r !== 'object' || !r.notify || typeof r.notify.type !== 'string') throw new MigrateError(resource, 'a routing rule has no notify');
  return body.data as OgRoutingRule[];
}

async function readAccount(client: SourceClient, progress: Progress): Promise<Account> {
  const { users, teams, escalations } = await readPeople(client, progress);
  const quiet = silentProgress;
  const contactLists = await each(progress, 'contacts', users, (u) =>
    listAll<OgContact>(client, quiet, `contacts of ${u.username}`, `/v2/users/${encodeURIComponent(u.id)}/contacts`, {}, ['id', 'method', 'to']),
  );
  const ruleLists = await each(progress, 'notification rules', users, async (u) => {
    const list = await listAll<OgNotificationRule>(client, quiet, `notification rules of ${u.username}`, `/v2/users/${encodeURIComponent(u.id)}/notification-rules`, {}, ['id', 'actionType']);
    // Only rules for new alerts page; their steps come with the rule itself.
    const full: OgNotificationRule[] = [];
    for (const r of list) {
      if (r.actionType !== 'create-alert') full.push(r);
      else
        full.push(
          await getOne<OgNotificationRule>(
            client,
            `notification rule "${r.name}" of ${u.username}`,
            `/v2/users/${encodeURIComponent(u.id)}/notification-rules/${encodeURIComponent(r.id)}`,
            undefined,
            ['id', 'actionType'],
          ),
        );
    }
    return full;
  });
  const routing = await readRouting(client, progress, teams);
  const schedules = await readSchedules(client, progress);
  const overrideLists = await each(progress, 'overrides', schedules, (s) =>
    listAll<OgOverride>(client, quiet, `overrides of schedule "${s.name}"`, `/v2/schedules/${encodeURIComponent(s.id)}/overrides`, { scheduleIdentifierType: 'id' }, ['alias', 'startDate', 'endDate']),
  );
  const services = await listAll<OgService>(client, progress, 'services', '/v1/services', {}, ['id', 'name']);
  const integrations = await listAll<OgIntegration>(client, progress, 'integrations', '/v2/integrations', {}, ['id', 'name', 'type']);
  const heartbeats = await listHeartbeats(client, progress);
  const listed = await listAll<OgMaintenance>(client, progress, 'maintenance windows', '/v1/maintenance', { type: 'non-expired' }, ['id']);
  // The list has no rules (what a window silences): Get Maintenance has them.
  const maintenance = await each(progress, 'maintenance rules', listed, (m) =>
    getOne<OgMaintenance>(client, `maintenance "${m.description ?? m.id}"`, `/v1/maintenance/${encodeURIComponent(m.id)}`, undefined, ['id']),
  );
  return {
    users,
    contacts: new Map(users.map((u, i) => [u.id, must(contactLists[i], 'contactLists[i]')])),
    rules: new Map(users.map((u, i) => [u.id, must(ruleLists[i], 'ruleLists[i]')])),
    teams,
    routing,
    schedules,
    overrides: new Map(schedules.map((s, i) => [s.id, must(overrideLists[i], 'overrideLists[i]')])),
    escalations,
    services,
    integrations,
    heartbeats,
    maintenance,
  };
}

/** Lookups shared by import, onCall and paging, so all three map the account the same way. */
function lookups(a: Pick<Account, 'users' | 'teams' | 'escalations' | 'schedules'> & { routing?: Map<string, OgRoutingRule[]> }) {
  const emailById = new Map(a.users.map((u) => [u.id, u.username.toLowerCase()]));
  const teamById = new Map(a.teams.map((t) => [t.id, t]));
  const escById = new Map(a.escalations.map((e) => [e.id, e]));
  const scheduleById = new Map(a.schedules.map((s) => [s.id, s]));
  const email = (p: { id?: string; username?: string }) => (p.id && emailById.get(p.id)) || (p.username ? p.username.toLowerCase() : undefined);
  const teamEmails = (id: string) => {
    const t = teamById.get(id);
    return t ? (t.members ?? []).map((m) => email(m.user)).filter((e): e is string => Boolean(e)) : undefined;
  };
  const escalationEmails = (id: string) => {
    const e = escById.get(id);
    if (!e) return undefined;
    // Every rule of the smallest delay, whatever its condition.
    const levels = planLevels(e).levels;
    const first = levels.filter((l) => l.at === levels[0]?.at).flatMap((l) => l.rules);
    return [
      ...new Set(
        first
          .filter((r) => r.recipient.type === 'user')
          .map((r) => email(r.recipient))
          .filter((x): x is string => Boolean(x)),
      ),
    ];
  };
  const people: People = { email, teamEmails, escalationEmails };
  const defaultRouting = (teamId: string): OgRoutingRule | undefined => {
    const rules = a.routing?.get(teamId);
    if (!rules?.length) return undefined;
    return rules.find((r) => r.isDefault) ?? [...rules].sort((x, y) => (x.order ?? 0) - (y.order ?? 0))[rules.length - 1];
  };
  const teamRouting = (teamId: string): TeamRouting => {
    const r = defaultRouting(teamId);
    if (!r) return undefined;
    if (r.notify.type === 'schedule') {
      const s = r.notify.id ? scheduleById.get(r.notify.id) : undefined;
      return s ? { kind: 'schedule', scheduleName: s.name } : undefined;
    }
    if (r.notify.type === 'escalation') {
      const e = r.notify.id ? escById.get(r.notify.id) : undefined;
      return e ? { kind: 'escalation', escalation: e } : undefined;
    }
    return { kind: 'none' };
  };
  const scheduleParticipants = (id: string): TargetSpec[] | undefined => {
    const s = scheduleById.get(id);
    if (!s) return undefined;
    const out = new Map<string, TargetSpec>();
    for (const r of s.rotations)
      for (const p of r.participants) {
        if (p.type === 'user') {
          const e = email(p);
          if (e) out.set(`u:${e}`, { user: e });
        } else if (p.type === 'team' && p.id) {
          const team = teamById.get(p.id);
          if (team) out.set(`t:${p.id}`, { team: team.name });
        }
      }
    return [...out.values()];
  };
  const names: Names = {
    schedule: (id) => scheduleById.get(id)?.name,
    team: (id) => teamById.get(id)?.name,
    user: email,
    teamRouting,
    scheduleParticipants,
  };
  return { people, names, email, teamEmails, escalationEmails, teamById, escById, scheduleById, defaultRouting, teamRouting };
}

/** A policy's levels as the import writes them, each with the Opsgenie rules it came from (levels that page nobody are folded away). */
function policyLevels(esc: OgEscalation, names: Names, items: ReportItem[]): { initialDelayMinutes: number; levels: { plan: LevelPlan; delayMinutes: number; targets: TargetSpec[] }[] } {
  const plan = planLevels(esc);
  const out: { plan: LevelPlan; delayMinutes: number; targets: TargetSpec[] }[] = [];
  let initial = plan.initialDelayMinutes;
  for (const l of plan.levels) {
    const seen = new Set<string>();
    const targets: TargetSpec[] = [];
    for (const r of l.rules) for (const t of ruleTargets(r, esc, names, items)) if (!seen.has(targetKey(t)) && seen.add(targetKey(t))) targets.push(t);
    if (!targets.length) {
      // Nobody to page: its wait still passes, so later levels keep their Opsgenie times.
      if (out.length) must(out[out.length - 1], 'out[out.length - 1]').delayMinutes += l.delayMinutes;
      else initial += l.delayMinutes;
      continue;
    }
    out.push({ plan: l, delayMinutes: l.delayMinutes, targets });
  }
  return { initialDelayMinutes: initial, levels: out };
}

const ROLE: Record<string, UserSpec['role']> = { owner: 'admin', admin: 'admin', observer: 'viewer', stakeholder: 'stakeholder' };

/** An Opsgenie sms/voice "to" (country code, dash, number) as E.164, or undefined. */
export function e164(to: string): string | undefined {
  const digits = to.replace(/[^\d]/g, '');
  return digits.length >= 6 && digits.length <= 15 ? `+${digits}` : undefined;
}

function mapUsers(a: Account, opts: ImportOptions, items: ReportItem[]): UserSpec[] {
  const users: UserSpec[] = [];
  for (const u of a.users) {
    const email = u.username.toLowerCase();
    const where = { kind: 'user', name: email, id: u.id };
    if (u.blocked) items.push({ ...where, severity: 'note', why: 'the user is blocked in Opsgenie', instead: 'imported; remove them from Klaxon if they should not be paged' });
    const role = lookup(ROLE, (u.role?.name ?? u.role?.id ?? '').toLowerCase());
    if (u.role?.name && !role && !/^user$/i.test(u.role.name))
      items.push({ ...where, severity: 'changed', why: `custom role "${u.role.name}"`, instead: 'new users become responders; an existing Klaxon user keeps their role' });
    const contactsIn = [...(a.contacts.get(u.id) ?? [])].sort((x, y) => (x.method < y.method ? -1 : x.method > y.method ? 1 : x.to < y.to ? -1 : x.to > y.to ? 1 : 0));
    const methods: NonNullable<UserSpec['contactMethods']> = [];
    const nameOf = new Map<string, string>();
    const count = new Map<string, number>();
    for (const c of contactsIn) {
      const cw = { kind: 'user contact', name: `${email}: ${c.method} ${c.to}`, id: c.id };
      if (c.status?.enabled === false) {
        items.push({ ...cw, severity: 'not-imported', why: 'the contact method is disabled in Opsgenie', instead: 'not imported' });
        continue;
      }
      let type: 'email' | 'sms' | 'voice' | undefined;
      let address = c.to;
      if (c.method === 'email') type = 'email';
      else if (c.method === 'sms' || c.method === 'voice') {
        type = c.method;
        const p = e164(c.to);
        if (!p) {
          items.push({ ...cw, severity: 'not-imported', why: `"${c.to}" is not a phone number Klaxon can dial (E.164)`, instead: 'not imported' });
          continue;
        }
        address = p;
      } else if (c.method === 'mobile') {
        items.push({ ...cw, severity: 'note', why: 'Opsgenie mobile app push', instead: `not imported: ${email} should install the Klaxon web app on their phone and turn on push there` });
        continue;
      } else {
        items.push({ ...cw, severity: 'not-imported', why: `contact method "${c.method}" has no Klaxon equivalent`, instead: 'not imported' });
        continue;
      }
      if (methods.length >= 50) {
        items.push({ ...cw, severity: 'not-imported', why: 'more than 50 contact methods', instead: 'not imported' });
        continue;
      }
      const n = (count.get(type) ?? 0) + 1;
      count.set(type, n);
      const name = n === 1 ? type : `${type} ${n}`;
      methods.push({ name, type, address });
      nameOf.set(`${c.method}\n${c.to}`, name);
    }
    const rules = mapNotificationRules(u, email, a.rules.get(u.id) ?? [], nameOf, items);
    users.push({
      email,
      name: (u.fullName || email).slice(0, 200),
      ...(u.timeZone && { timeZone: u.timeZone }),
      ...(role && { role }),
      contactMethods: methods,
      notificationRules: rules,
    });
  }
  void opts;
  return users;
}

/**
 * A user's Opsgenie notification rules as Klaxon's (contact method, minutes after the page). Klaxon
 * has one set of rules for every page at every time: the first enabled "new alert" rule that
 * applies to every alert at all times is imported exactly; rules with conditions or a time
 * restriction, other actions and repeats are reported.
 */
export function mapNotificationRules(u: OgUser, email: string, rules: OgNotificationRule[], nameOf: Map<string, string>, items: ReportItem[]): NonNullable<UserSpec['notificationRules']> {
  const create = rules.filter((r) => r.actionType === 'create-alert' && r.enabled !== false).sort((x, y) => (x.order ?? 0) - (y.order ?? 0));
  for (const r of rules) {
    if (r.actionType === 'create-alert') {
      if (r.enabled === false) items.push({ severity: 'not-imported', kind: 'notification rule', name: `${email}: ${r.name}`, id: r.id, why: 'disabled in Opsgenie', instead: 'not imported' });
      continue;
    }
    const instead =
      r.actionType === 'schedule-start' || r.actionType === 'schedule-end'
        ? "not imported: Klaxon tells people before their shifts by the schedule's handoffNoticeMinutes"
        : 'not imported: Klaxon notifies only for pages (new incidents and escalation)';
    items.push({ severity: 'not-imported', kind: 'notification rule', name: `${email}: ${r.name}`, id: r.id, why: `action "${r.actionType}"`, instead });
  }
  const unconditional = (r: OgNotificationRule) => (!r.criteria || !r.criteria.type || r.criteria.type === 'match-all') && !r.timeRestriction;
  const chosen = create.find(unconditional) ?? create[0];
  for (const r of create) {
    if (r === chosen) continue;
    items.push({
      severity: 'not-imported',
      kind: 'notification rule',
      name: `${email}: ${r.name}`,
      id: r.id,
      why: `a second "new alert" rule${unconditional(r) ? '' : ' with conditions or a time restriction'}: Klaxon has one set of notification rules for every page`,
      instead: `not imported; ${chosen ? `the rule "${chosen.name}" applies to every page` : 'none'}`,
    });
  }
  if (!chosen) return [];
  const where = { kind: 'notification rule', name: `${email}: ${chosen.name}`, id: chosen.id };
  if (!unconditional(chosen)) {
    items.push({
      ...where,
      severity: 'changed',
      why: `criteria ${JSON.stringify(chosen.criteria ?? {})}${chosen.timeRestriction ? ` and a time restriction ${JSON.stringify(chosen.timeRestriction)}` : ''}: Klaxon notification rules apply to every page at every time`,
      instead: 'its steps apply to every page',
    });
  }
  if (chosen.repeat?.enabled)
    items.push({
      ...where,
      severity: 'changed',
      why: `the steps repeat (loop after ${chosen.repeat.loopAfter ?? '?'} min) until acknowledged`,
      instead: "each step notifies once; use the escalation policy's repeat for more rounds",
    });
  const out: NonNullable<UserSpec['notificationRules']> = [];
  for (const s of chosen.steps ?? []) {
    const label = `${s.contact?.method} ${s.contact?.to}`;
    if (s.enabled === false) {
      items.push({ ...where, severity: 'not-imported', why: `step ${label} is disabled`, instead: 'not imported' });
      continue;
    }
    const name = s.contact ? nameOf.get(`${s.contact.method}\n${s.contact.to}`) : undefined;
    if (!name) {
      if (s.contact?.method !== 'mobile') items.push({ ...where, severity: 'not-imported', why: `step ${label}: its contact method was not imported`, instead: 'not imported' });
      continue;
    }
    const delay = minutesOf(s.sendAfter);
    if (!Number.isInteger(delay) || delay < 0 || delay > 1440) {
      items.push({ ...where, severity: 'not-imported', why: `step ${label} sends after ${delay} min; Klaxon rules wait 0 to 1440 whole minutes`, instead: 'not imported' });
      continue;
    }
    if (out.some((x) => x.contactMethod === name && x.delayMinutes === delay)) continue;
    out.push({ contactMethod: name, delayMinutes: delay });
  }
  void u;
  return out;
}

/** What a Klaxon heartbeat name may be (HeartbeatSpec.name). */
const HEARTBEAT_NAME = /^[A-Za-z0-9][A-Za-z0-9 ._@+-]{0,99}$/;

/** An Opsgenie heartbeat's interval in minutes (interval + intervalUnit minutes|hours|days), or undefined if Klaxon cannot hold it. */
export function heartbeatMinutes(h: Pick<OgHeartbeat, 'interval' | 'intervalUnit'>): number | undefined {
  const per = { minutes: 1, hours: 60, days: 1440 }[String(h.intervalUnit)];
  if (per === undefined || typeof h.interval !== 'number' || !Number.isInteger(h.interval) || h.interval < 1) return undefined;
  const minutes = h.interval * per;
  return minutes <= 525_600 ? minutes : undefined;
}

/** What Klaxon calls the integration's format, and the exact change in the sender. */
function senderOf(i: OgIntegration, klaxonUrl: string): { kind: 'opsgenie' | 'alertmanager' | 'grafana'; instruction: string; exact: boolean } | undefined {
  const base = klaxonUrl.replace(/\/+$/, '');
  const type = i.type.toLowerCase();
  if (type.includes('email')) return undefined;
  if (type.includes('prometheus') || type.includes('alertmanager')) {
    return {
      kind: 'opsgenie',
      exact: true,
      instruction: `Alertmanager: in the receiver's opsgenie_configs set api_url: ${base}/ and api_key: <the new key> (Klaxon answers the Opsgenie Alert API at /v2/alerts)`,
    };
  }
  if (type.includes('grafana')) {
    return { kind: 'opsgenie', exact: true, instruction: `Grafana: in the Opsgenie contact point set "Alert API URL" to ${base}/v2/alerts and "API key" to the new key` };
  }
  return {
    kind: 'opsgenie',
    exact: type === 'api',
    instruction: `Opsgenie API/SDK sender: change the base URL https://api.opsgenie.com (or api.eu.opsgenie.com) to ${base} and the key sent as "Authorization: GenieKey <key>" to the new key (Klaxon answers POST /v2/alerts, /v2/alerts/{id}/acknowledge and /close)`,
  };
}

async function importOpsgenie(client: SourceClient, progress: Progress, opts: ImportOptions): Promise<ImportResult> {
  const a = await readAccount(client, progress);
  const items: ReportItem[] = [];
  const L = lookups(a);

  const users = mapUsers(a, opts, items);
  const knownEmails = new Set(users.map((u) => u.email));

  const teams = a.teams.map((t) => ({
    name: t.name.slice(0, 100),
    ...(t.description && { description: t.description.slice(0, 2000) }),
    members: (t.members ?? [])
      .map((m) => ({ user: L.email(m.user), role: m.role === 'admin' ? ('manager' as const) : ('member' as const), raw: m }))
      .filter((m): m is { user: string; role: 'manager' | 'member'; raw: typeof m.raw } => {
        if (m.user && knownEmails.has(m.user)) return true;
        items.push({
          severity: 'not-imported',
          kind: 'team member',
          name: `${t.name}: ${m.raw.user.username ?? m.raw.user.id}`,
          id: m.raw.user.id,
          why: 'the user was not among the users read',
          instead: 'not imported',
        });
        return false;
      })
      .map(({ user, role }) => ({ user, role })),
  }));
  for (const t of a.teams)
    for (const m of t.members ?? [])
      if (m.role && m.role !== 'admin' && m.role !== 'user')
        items.push({ severity: 'changed', kind: 'team member', name: `${t.name}: ${m.user.username ?? m.user.id}`, id: m.user.id, why: `custom team role "${m.role}"`, instead: 'member' });

  const schedules: NonNullable<ConfigDocument['schedules']> = [];
  for (const s of a.schedules) {
    const where = { kind: 'schedule', name: s.name, id: s.id };
    if (s.enabled === false)
      items.push({
        ...where,
        severity: 'changed',
        why: 'the schedule is disabled in Opsgenie (it notifies nobody)',
        instead: 'imported as an active schedule: escalation levels that name it page its on-call people',
      });
    const layers = [];
    for (const r of s.rotations) {
      const layer = rotationToLayer(r, s, L.people, items);
      if (layer) layers.push(layer);
    }
    if (layers.length > 20) {
      for (const r of s.rotations.slice(20))
        items.push({ severity: 'not-imported', kind: 'schedule rotation', name: `${s.name} / ${r.name ?? r.id}`, id: r.id, why: 'a Klaxon schedule holds at most 20 layers', instead: 'not imported' });
      layers.length = 20;
    }
    const ownerTeam = s.ownerTeam?.id ? L.teamById.get(s.ownerTeam.id)?.name : undefined;
    schedules.push({
      name: s.name.slice(0, 200),
      ...(s.description && { description: s.description.slice(0, 2000) }),
      ...(ownerTeam && { team: ownerTeam }),
      timeZone: s.timezone,
      layering: 'union',
      layers,
    });
    // Future overrides: Opsgenie's override replaces the people of the rotations it names (all when
    // none). Over every rotation (or the only one) that is Klaxon's override exactly.
    const overrides: NonNullable<NonNullable<ConfigDocument['schedules']>[number]['overrides']> = [];
    for (const o of a.overrides.get(s.id) ?? []) {
      const end = Date.parse(o.endDate);
      const start = Date.parse(o.startDate);
      if (!(end > opts.now)) continue;
      const who = o.user?.type === 'user' ? L.email(o.user) : undefined;
      const label = `${s.name}: ${who ?? o.user?.username ?? o.user?.name ?? o.user?.type} ${o.startDate} – ${o.endDate}${o.rotations?.length ? ` (rotations ${o.rotations.map((r) => r.name ?? r.id).join(', ')})` : ''}`;
      const where = { kind: 'schedule override', name: label, id: o.alias };
      const named = new Set((o.rotations ?? []).map((r) => r.id));
      const all = named.size === 0 || s.rotations.every((r) => named.has(r.id));
      if (!who || !knownEmails.has(who) || Number.isNaN(start) || !(end > start)) {
        items.push({
          ...where,
          severity: 'not-imported',
          why: who ? 'its user or span is not one Klaxon can use' : `it puts a ${o.user?.type ?? 'recipient'} on call, not a user`,
          instead: 'not imported: add it in Klaxon (schedule page, or POST /api/v1/schedules/{id}/overrides)',
        });
        continue;
      }
      if (!all) {
        items.push({
          ...where,
          severity: 'not-imported',
          why: 'it replaces only some rotations; the people of the other rotations stay on call alongside it, and a Klaxon override replaces everyone',
          instead: 'not imported: add an override in Klaxon with the override user and whoever the other rotations have on call then; `klaxon compare` shows the span as a difference until then',
        });
        continue;
      }
      const specs = overrideSpecs([who], start, end, s.timezone, `Opsgenie override ${o.alias}`);
      if (overrides.length + specs.length > MAX_OVERRIDES) {
        items.push({
          ...where,
          severity: 'not-imported',
          why: `the schedule has more than ${MAX_OVERRIDES} future overrides; klaxon.yaml takes ${MAX_OVERRIDES} per schedule`,
          instead: 'not imported: add it in Klaxon after the import',
        });
        continue;
      }
      overrides.push(...specs);
      if (specs.length > 1) items.push({ ...where, severity: 'note', why: 'it lasts longer than 366 days, the longest Klaxon override', instead: splitNote(specs.length) });
    }
    if (overrides.length) must(schedules[schedules.length - 1], 'schedules[schedules.length - 1]').overrides = overrides;
  }

  const policies: PolicySpec[] = [];
  for (const e of a.escalations) {
    const where = { kind: 'escalation', name: e.name, id: e.id };
    const mapped = policyLevels(e, L.names, items);
    if (!mapped.levels.length) {
      items.push({ ...where, severity: 'not-imported', why: 'none of its rules names someone Klaxon can page', instead: 'not imported; services routed to it have no policy' });
      continue;
    }
    const levels: PolicySpec['levels'] = mapped.levels.map((l) => {
      let delay = l.delayMinutes;
      if (delay > 1440) {
        items.push({ ...where, severity: 'changed', why: `${delay} minutes between two rules; a Klaxon level waits at most 1440`, instead: 'the level waits 1440 minutes' });
        delay = 1440;
      }
      return { delayMinutes: delay, targets: l.targets.slice(0, 50), ...(l.plan.until === 'resolved' && { until: 'resolved' as const }) };
    });
    if (levels.length > 20) {
      items.push({ ...where, severity: 'not-imported', why: `${levels.length} levels; a Klaxon policy holds at most 20`, instead: 'the levels after the 20th are not imported' });
      levels.length = 20;
    }
    let repeat = e.repeat?.count ?? 0;
    if (repeat > 9) {
      items.push({ ...where, severity: 'changed', why: `repeats ${repeat} times; Klaxon repeats at most 9`, instead: 'repeats 9 times' });
      repeat = 9;
    }
    if (e.repeat?.count && e.repeat.resetRecipientStates)
      items.push({
        ...where,
        severity: 'changed',
        why: "each repeat resets recipients' acknowledged state (resetRecipientStates)",
        instead: 'repeats run only while nobody has acknowledged (levels with until: resolved still fire)',
      });
    if (e.repeat?.count && e.repeat.closeAlertAfterAll)
      items.push({
        ...where,
        severity: 'not-imported',
        why: 'closes the alert after the last repeat (closeAlertAfterAll)',
        instead: 'not imported: Klaxon records that escalation is exhausted and leaves the incident open',
      });
    let initial = mapped.initialDelayMinutes;
    if (initial > 1440) {
      items.push({ ...where, severity: 'changed', why: `its first rule waits ${initial} minutes; Klaxon waits at most 1440 before level 1`, instead: 'level 1 fires after 1440 minutes' });
      initial = 1440;
    }
    policies.push({ name: e.name.slice(0, 200), ...(e.description && { description: e.description.slice(0, 2000) }), repeat, initialDelayMinutes: initial, levels });
  }
  const policyNames = new Set(policies.map((p) => p.name));

  // Which policy pages for a team's alerts: its default routing rule's target.
  const routedPolicy = new Map<string, string | null>();
  const policyForTeam = (teamId: string | undefined, where: { kind: string; name: string; id: string }): string | null => {
    if (!teamId) {
      items.push({
        ...where,
        severity: 'changed',
        why: 'it belongs to no team, so no routing rule decides who is paged',
        instead: 'imported without an escalation policy: it pages nobody until one is set',
      });
      return null;
    }
    const routed = routedPolicy.get(teamId);
    if (routed !== undefined) return routed;
    const team = L.teamById.get(teamId);
    const routing = L.teamRouting(teamId);
    let name: string | null = null;
    if (routing?.kind === 'escalation' && policyNames.has(routing.escalation.name)) name = routing.escalation.name;
    else if (routing?.kind === 'schedule') {
      name = `${routing.scheduleName} (routing of ${team?.name ?? teamId})`.slice(0, 200);
      if (!policyNames.has(name)) {
        policies.push({
          name,
          description: `Opsgenie team ${team?.name ?? teamId} routes its alerts to schedule ${routing.scheduleName}`,
          repeat: 0,
          initialDelayMinutes: 0,
          levels: [{ delayMinutes: 0, targets: [{ schedule: routing.scheduleName }] }],
        });
        policyNames.add(name);
      }
    } else {
      items.push({
        ...where,
        severity: 'changed',
        why: `team ${team?.name ?? teamId} has no default routing rule that reaches an imported escalation or schedule`,
        instead: 'imported without an escalation policy: it pages nobody until one is set',
      });
    }
    for (const r of a.routing.get(teamId) ?? []) {
      if (r === L.defaultRouting(teamId)) continue;
      items.push({
        severity: 'not-imported',
        kind: 'team routing rule',
        name: `${team?.name ?? teamId}: ${r.name ?? r.id}`,
        id: r.id,
        why: 'a conditional routing rule: Klaxon pages every alert of a service through one policy',
        instead: `not imported; the team's alerts go to ${name ?? 'no policy'}`,
      });
    }
    routedPolicy.set(teamId, name);
    return name;
  };

  const services: ServiceSpec[] = [];
  const serviceByName = new Map<string, ServiceSpec>();
  for (const s of a.services) {
    const policy = policyForTeam(s.teamId, { kind: 'service', name: s.name, id: s.id });
    const team = s.teamId ? L.teamById.get(s.teamId)?.name : undefined;
    const spec: ServiceSpec = { name: s.name.slice(0, 200), ...(s.description && { description: s.description.slice(0, 2000) }), team: team ?? null, escalationPolicy: policy, integrations: [] };
    services.push(spec);
    serviceByName.set(spec.name, spec);
  }

  // Integrations: each goes to its team's first service (or a service named after the team).
  const senders: SenderChange[] = [];
  for (const i of [...a.integrations].sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0))) {
    const where = { kind: 'integration', name: i.name, id: i.id };
    if (i.enabled === false) {
      items.push({ ...where, severity: 'not-imported', why: 'disabled in Opsgenie', instead: 'not imported' });
      continue;
    }
    const sender = senderOf(i, opts.klaxonUrl);
    if (!sender) {
      items.push({ ...where, severity: 'not-imported', why: `type ${i.type}: Klaxon takes no alerts by email`, instead: 'not imported: send these alerts to a Klaxon integration over HTTP instead' });
      continue;
    }
    const teamId = i.teamId ?? undefined;
    const team = teamId ? L.teamById.get(teamId) : undefined;
    let svc = teamId ? services.filter((s) => a.services.some((o) => o.teamId === teamId && o.name.slice(0, 200) === s.name)).sort((x, y) => (x.name < y.name ? -1 : 1))[0] : undefined;
    if (!svc) {
      const name = (team ? team.name : 'Opsgenie integrations').slice(0, 200);
      svc = serviceByName.get(name);
      if (!svc) {
        svc = {
          name,
          description: team ? `Alerts of Opsgenie team ${team.name}` : 'Alerts of Opsgenie integrations that belong to no team',
          team: team?.name ?? null,
          escalationPolicy: policyForTeam(teamId, { kind: 'integration', name: i.name, id: i.id }),
          integrations: [],
        };
        services.push(svc);
        serviceByName.set(name, svc);
      }
    }
    const taken = new Set((svc.integrations ?? []).map((x) => x.name));
    let iname = i.name.slice(0, 100);
    for (let n = 2; taken.has(iname); n++) iname = `${i.name.slice(0, 90)} (${n})`;
    must(svc.integrations, 'svc.integrations').push({ name: iname, kind: sender.kind });
    if (!sender.exact)
      items.push({
        ...where,
        severity: 'note',
        why: `type ${i.type} sends the Opsgenie format of that tool`,
        instead: `imported as an Opsgenie Alert API integration on service ${svc.name}: check the sender can post to the Alert API, or use Klaxon's alertmanager, grafana, pagerduty or generic format`,
      });
    senders.push({ source: { name: i.name, id: i.id, type: i.type }, service: svc.name, integration: iname, instruction: sender.instruction });
  }

  // Heartbeats: each goes to a service of its owner team that has an Opsgenie-format integration
  // (its key is the GenieKey the pings send), or gets one; the ping path stays the same.
  for (const h of [...a.heartbeats].sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0))) {
    const where = { kind: 'heartbeat', name: h.name, id: h.name };
    const minutes = heartbeatMinutes(h);
    if (minutes === undefined) {
      items.push({
        ...where,
        severity: 'not-imported',
        why: `interval ${String(h.interval)} ${String(h.intervalUnit)} is not a whole number of minutes, hours or days up to a year`,
        instead: 'not imported: add it to the service by hand',
      });
      continue;
    }
    if (!HEARTBEAT_NAME.test(h.name)) {
      items.push({
        ...where,
        severity: 'not-imported',
        why: 'its name has characters a Klaxon heartbeat name cannot have (letters, digits, space . _ @ + - only), and pings find a heartbeat by name',
        instead: 'not imported: rename it in Opsgenie and its senders, then import again, or add it by hand',
      });
      continue;
    }
    const ownerName = h.ownerTeam?.name;
    const team = h.ownerTeam?.id ? L.teamById.get(h.ownerTeam.id) : ownerName ? a.teams.find((t) => t.name === ownerName) : undefined;
    const teamName = team?.name ?? null;
    const ofTeam = services.filter((x) => (x.team ?? null) === teamName).sort((x, y) => (x.name < y.name ? -1 : 1));
    let svc = ofTeam.find((x) => x.integrations?.some((i) => i.kind === 'opsgenie')) ?? ofTeam[0];
    if (!svc) {
      const name = `${teamName ?? 'Opsgenie'} heartbeats`.slice(0, 200);
      svc = serviceByName.get(name);
      if (!svc) {
        svc = {
          name,
          description: `Heartbeats of ${teamName ? `Opsgenie team ${teamName}` : 'Opsgenie that belong to no team'}`,
          team: teamName,
          escalationPolicy: policyForTeam(team?.id, where),
          integrations: [],
        };
        services.push(svc);
        serviceByName.set(name, svc);
      }
    }
    let integration = svc.integrations?.find((i) => i.kind === 'opsgenie')?.name;
    if (!integration) {
      integration = 'Opsgenie heartbeats';
      (svc.integrations ??= []).push({ name: integration, kind: 'opsgenie' });
    }
    // Imported disabled: enabled now, it would page while its sender still pings Opsgenie.
    (svc.heartbeats ??= []).push({ name: h.name, intervalMinutes: minutes, graceMinutes: 0, enabled: false });
    items.push({
      ...where,
      severity: 'note',
      why: h.enabled === true ? 'enabled in Opsgenie; a Klaxon heartbeat enabled before its sender moves would page' : 'disabled in Opsgenie',
      instead: `imported disabled on service ${svc.name}${h.enabled === true ? ': enable it once its sender pings Klaxon' : ''}`,
    });
    const base = opts.klaxonUrl.replace(/\/+$/, '');
    senders.push({
      source: { name: h.name, id: h.name, type: 'heartbeat' },
      service: svc.name,
      integration,
      instruction: `heartbeat pings: change the base URL https://api.opsgenie.com (or api.eu.opsgenie.com) to ${base} and the GenieKey to the key of integration ${integration}; the path stays ${base}/v2/heartbeats/${encodeURIComponent(h.name)}/ping (GET, POST or HEAD). Klaxon heartbeat ${h.name} expects a ping every ${minutes} min, as Opsgenie did`,
    });
  }
  const maintenance: ImportedMaintenance[] = [];
  const serviceOfIntegration = new Map(senders.map((x) => [x.source.id, x.service]));
  for (const m of a.maintenance) {
    if (m.status === 'past' || m.status === 'cancelled') continue;
    const ruleList = Array.isArray(m.rules) ? m.rules : [];
    const integrationIds = ruleList.flatMap((r) => (r.entity?.type === 'integration' && r.entity.id ? [r.entity.id] : []));
    const covered = [...new Set(integrationIds.flatMap((id) => serviceOfIntegration.get(id) ?? []))];
    const uncovered = [
      ...integrationIds.filter((id) => !serviceOfIntegration.has(id)).map((id) => `integration ${a.integrations.find((i) => i.id === id)?.name ?? id}`),
      ...ruleList.filter((r) => r.entity?.type === 'policy').map((r) => `policy ${r.entity?.id ?? '?'} (${r.state ?? 'state unknown'}; Klaxon has no alert policies)`),
    ];
    // A whole Klaxon service goes quiet, where Opsgenie stopped only the named integrations.
    const wider = covered.flatMap((svc) => senders.filter((x) => x.service === svc && !integrationIds.includes(x.source.id)).map((x) => `${x.source.name} (also on service ${svc})`));
    const span = maintenanceSpan(m);
    const w = toImported(
      {
        kind: 'maintenance',
        vendor: 'Opsgenie',
        source: { name: `${m.description ?? m.id} (${m.time?.startDate ?? '?'} – ${m.time?.endDate ?? '?'})`, id: m.id },
        title: m.description ?? '',
        services: covered,
        uncovered,
        ...span,
        differs: `Opsgenie drops the alerts of an integration in maintenance; Klaxon opens incidents and pages nobody${wider.length ? `, and silences every integration of the service, including ${wider.join(', ')}` : ''}`,
      },
      opts.now,
      items,
    );
    if (w) maintenance.push(w);
  }

  const counts: Record<string, number> = {
    users: a.users.length,
    contacts: [...a.contacts.values()].reduce((n, l) => n + l.length, 0),
    'notification rules': [...a.rules.values()].reduce((n, l) => n + l.length, 0),
    teams: a.teams.length,
    schedules: a.schedules.length,
    rotations: a.schedules.reduce((n, s) => n + s.rotations.length, 0),
    overrides: [...a.overrides.values()].reduce((n, l) => n + l.length, 0),
    escalations: a.escalations.length,
    services: a.services.length,
    integrations: a.integrations.length,
    heartbeats: a.heartbeats.length,
    'maintenance windows': a.maintenance.length,
  };
  const config: ConfigDocument = { version: 1, users, teams, schedules, escalationPolicies: policies, services };
  return { source: 'opsgenie', url: client.baseUrl, config, counts, items, senders, maintenance };
}

/**
 * Start and end of an Opsgenie maintenance, epoch ms. `for-5-minutes`, `for-30-minutes` and
 * `for-1-hour` windows end that long after their start when the answer gives no end; `indefinitely`
 * has none (undefined: Klaxon's windows always end).
 */
export function maintenanceSpan(m: Pick<OgMaintenance, 'time'>): { startsAt?: number; endsAt?: number } {
  const startsAt = m.time?.startDate ? Date.parse(m.time.startDate) : undefined;
  let endsAt = m.time?.endDate ? Date.parse(m.time.endDate) : undefined;
  const fixed = /^for-(\d+)-(minute|minutes|hour|hours)$/.exec(m.time?.type ?? '');
  if (endsAt === undefined && startsAt !== undefined && fixed) endsAt = startsAt + Number(fixed[1]) * (must(fixed[2], 'the unit of the fixed duration').startsWith('hour') ? 3_600_000 : 60_000);
  return { startsAt, endsAt };
}

/** Emails of a timeline or on-call recipient, mapped as the import maps participants. */
function recipientEmails(r: OgRecipient, L: ReturnType<typeof lookups>): string[] {
  if (r.type === 'user') {
    const e = L.email(r);
    return e ? [e] : [];
  }
  if (r.type === 'team') return (r.id && L.teamEmails(r.id)?.slice(0, 20)) || [];
  if (r.type === 'escalation') return (r.id && L.escalationEmails(r.id)) || [];
  return [];
}

const sorted = (xs: Iterable<string>) => [...new Set([...xs].map((x) => x.toLowerCase()))].sort();

async function onCallOpsgenie(client: SourceClient, progress: Progress, span: { from: number; to: number }): Promise<SourceOnCall[]> {
  const { users, teams, escalations } = await readPeople(client, progress);
  const schedules = await readSchedules(client, progress);
  const L = lookups({ users, teams, escalations, schedules });
  const weeks = Math.max(1, Math.ceil((span.to - span.from) / WEEK));
  return each(progress, 'schedule timelines', schedules, async (s) => {
    const resource = `schedule "${s.name}" timeline`;
    const d = await getData(client, resource, `/v2/schedules/${encodeURIComponent(s.id)}/timeline`, {
      identifierType: 'id',
      date: new Date(span.from).toISOString(),
      interval: weeks,
      intervalUnit: 'weeks',
    });
    const final = d.finalTimeline as { rotations?: { periods?: { startDate: string; endDate: string; recipient: OgRecipient }[] }[] } | undefined;
    if (!final || !Array.isArray(final.rotations)) throw new MigrateError(resource, 'the answer has no finalTimeline.rotations');
    const intervals: SourceOnCall['intervals'] = [];
    for (const rot of final.rotations) {
      for (const p of rot.periods ?? []) {
        const start = Math.max(Date.parse(p.startDate), span.from);
        const end = Math.min(Date.parse(p.endDate), span.to);
        if (Number.isNaN(start) || Number.isNaN(end)) throw new MigrateError(resource, `a period has an unreadable date (${p.startDate} – ${p.endDate})`);
        const emails = sorted(recipientEmails(p.recipient, L));
        if (end > start && emails.length) intervals.push({ start, end, emails });
      }
    }
    intervals.sort((x, y) => x.start - y.start || x.end - y.end);
    return { schedule: s.name.slice(0, 200), source: { name: s.name, id: s.id }, intervals };
  });
}

async function pagingOpsgenie(client: SourceClient, progress: Progress, at: number): Promise<SourcePaging[]> {
  const { users, teams, escalations } = await readPeople(client, progress);
  const schedules = await readSchedules(client, progress);
  const routing = await readRouting(client, progress, teams);
  const services = await listAll<OgService>(client, progress, 'services', '/v1/services', {}, ['id', 'name']);
  const L = lookups({ users, teams, escalations, schedules, routing });
  const date = new Date(at).toISOString();

  const onCallNow = async (id: string): Promise<string[]> => {
    const d = await getData(client, `schedule ${L.scheduleById.get(id)?.name ?? id} on-calls`, `/v2/schedules/${encodeURIComponent(id)}/on-calls`, { scheduleIdentifierType: 'id', flat: true, date });
    return Array.isArray(d.onCallRecipients) ? (d.onCallRecipients as string[]) : [];
  };
  const onCallNext = async (id: string): Promise<string[]> => {
    const d = await getData(client, `schedule ${L.scheduleById.get(id)?.name ?? id} next on-calls`, `/v2/schedules/${encodeURIComponent(id)}/next-on-calls`, {
      scheduleIdentifierType: 'id',
      flat: true,
      date,
    });
    const list = Array.isArray(d.exactNextOnCallRecipients) ? d.exactNextOnCallRecipients : d.nextOnCallRecipients;
    return Array.isArray(list) ? (list as string[]) : [];
  };
  // Opsgenie has no "previous on-call" endpoint: the timeline of the 8 weeks before now (and a week past it) says who it was.
  const onCallPrevious = async (id: string): Promise<string[]> => {
    const resource = `schedule ${L.scheduleById.get(id)?.name ?? id} timeline`;
    const d = await getData(client, resource, `/v2/schedules/${encodeURIComponent(id)}/timeline`, {
      identifierType: 'id',
      date: new Date(at - 8 * WEEK).toISOString(),
      interval: 9,
      intervalUnit: 'weeks',
    });
    const rots = (d.finalTimeline as { rotations?: { periods?: { startDate: string; endDate: string; recipient: OgRecipient }[] }[] } | undefined)?.rotations ?? [];
    const periods = rots.flatMap((r) => r.periods ?? []).map((p) => ({ start: Date.parse(p.startDate), end: Date.parse(p.endDate), emails: recipientEmails(p.recipient, L) }));
    const cuts = [...new Set(periods.flatMap((p) => [p.start, p.end]))].filter((t) => t < at).sort((x, y) => y - x);
    const who = (t: number) => sorted(periods.filter((p) => p.start <= t && t < p.end).flatMap((p) => p.emails));
    const now = who(at).join();
    for (const c of cuts) {
      const set = who(c);
      if (set.length && set.join() !== now) return set;
    }
    return [];
  };

  const resolve = async (rule: OgEscalationRule, esc: OgEscalation, depth = 0): Promise<string[]> => {
    const r = rule.recipient;
    if (r.type === 'user') return [L.email(r) ?? ''].filter(Boolean);
    if (r.type === 'schedule' && r.id) {
      if (rule.notifyType === 'default') return onCallNow(r.id);
      if (rule.notifyType === 'next') return onCallNext(r.id);
      if (rule.notifyType === 'previous') return onCallPrevious(r.id);
      if (rule.notifyType === 'all' || rule.notifyType === 'users') {
        const s = L.scheduleById.get(r.id);
        return (s?.rotations ?? [])
          .flatMap((x) => x.participants.flatMap((p) => (p.type === 'user' ? [L.email(p) ?? ''] : p.type === 'team' && p.id ? (L.teamEmails(p.id) ?? []) : [])))
          .filter(Boolean);
      }
      return [];
    }
    if (r.type === 'team' && r.id) {
      const t = L.teamById.get(r.id);
      const members = t?.members ?? [];
      if (rule.notifyType === 'users' || rule.notifyType === 'all' || rule.notifyType === 'random') return members.map((m) => L.email(m.user) ?? '').filter(Boolean);
      if (rule.notifyType === 'admins')
        return members
          .filter((m) => m.role === 'admin')
          .map((m) => L.email(m.user) ?? '')
          .filter(Boolean);
      const routed = L.teamRouting(r.id);
      if (!routed || routed.kind === 'none') return [];
      if (routed.kind === 'schedule') {
        const s = schedules.find((x) => x.name === routed.scheduleName);
        return s ? onCallNow(s.id) : [];
      }
      if (depth > 0 || routed.escalation.id === esc.id) return [];
      const first = planLevels(routed.escalation).levels[0];
      const out: string[] = [];
      for (const fr of first?.rules ?? []) out.push(...(await resolve(fr, routed.escalation, depth + 1)));
      return out;
    }
    return [];
  };

  const quietItems: ReportItem[] = [];
  const levelsOf = async (teamId: string | undefined): Promise<{ emails: string[] }[]> => {
    if (!teamId) return [];
    const routed = L.teamRouting(teamId);
    if (routed?.kind === 'schedule') {
      const s = schedules.find((x) => x.name === routed.scheduleName);
      return [{ emails: sorted(s ? await onCallNow(s.id) : []) }];
    }
    if (routed?.kind !== 'escalation') return [];
    const mapped = policyLevels(routed.escalation, L.names, quietItems);
    const out: { emails: string[] }[] = [];
    for (const l of mapped.levels.slice(0, 20)) {
      const emails: string[] = [];
      for (const r of l.plan.rules) emails.push(...(await resolve(r, routed.escalation)));
      out.push({ emails: sorted(emails) });
    }
    return out;
  };

  return each(progress, 'service escalation', services, async (s) => ({ service: s.name.slice(0, 200), source: { name: s.name, id: s.id }, levels: await levelsOf(s.teamId) }));
}

export const opsgenie: SourceAdapter = {
  name: 'opsgenie',
  credential: { flag: '--api-key <key>', env: 'OPSGENIE_API_KEY', describe: 'an Opsgenie API key with read access (Settings > API key management)' },
  defaultUrl: 'https://api.opsgenie.com',
  client: ({ url, credential, maxRate, maxTries }) =>
    new SourceClient({
      baseUrl: url,
      auth: { header: 'authorization', value: `GenieKey ${credential}` },
      ...pace(maxRate, maxTries),
    }),
  import: importOpsgenie,
  onCall: onCallOpsgenie,
  paging: pagingOpsgenie,
};
