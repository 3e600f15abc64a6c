/**
 * `klaxon apply`: makes the database match a klaxon.yaml document through the domain service verbs.
 *
 * The change is planned from one read of the database: every change line a person reads and every
 * step (a service verb) that makes it. References by name are resolved while planning, so every
 * unresolvable one is reported at once. Then the steps run, and the verbs check everything else
 * themselves. Plan and steps run in one transaction (`withTransaction`): all or nothing, and a dry
 * run is the same transaction rolled back.
 */
import { requirePermission, type Actor } from '../auth/actor.js';
import { withTransaction, type Ctx } from '../context.js';
import { createPolicy, deletePolicy, listPolicies, updatePolicy } from '../escalation/service.js';
import type { Target } from '../escalation/types.js';
import { AppError, type FieldError } from '../lib/errors.js';
import { sha256 } from '../lib/ids.js';
import { addOverride, allSchedules, createSchedule, deleteSchedule, localDateTime, parseInstant, spanProblem, updateSchedule, type Schedule } from '../schedule/index.js';
import { overrideSpans } from '../schedule/store.js';
import { createIntegration, createService, deleteIntegration, deleteService, listServices, openIntegrationSettings, updateIntegration, updateService } from '../service/service.js';
import type { Grouping, IntegrationSettings, SupportHours, UrgencyRule } from '../service/types.js';
import { integrationIdByServiceName, integrationRows } from '../service/store.js';
import { createTeam, deleteTeam, listTeams, updateTeam } from '../team/service.js';
import {
  addContactMethod,
  addNotificationRule,
  createUser,
  deleteContactMethod,
  deleteNotificationRule,
  deleteUser,
  listUsers,
  normalizeAddress,
  selfDeletionProblem,
  updateUser,
} from '../user/service.js';
import { allHeartbeats, createHeartbeat, deleteHeartbeat, updateHeartbeat } from '../heartbeat/service.js';
import type { Heartbeat } from '../heartbeat/types.js';
import { allHotlines, createHotline, deleteHotline, updateHotline } from '../hotline/service.js';
import type { Hotline } from '../hotline/types.js';
import { normalizePhone, parseAllowList } from '../hotline/phone.js';
import { listAllChatChannels, setServiceChatChannels, setTeamChatChannels, type Platforms } from '../chat/announce.js';
import { CHANNEL_ID_RULES } from '../chat/channel-ids.js';
import * as userStore from '../user/store.js';
import type { ContactMethod } from '../user/types.js';
import { ConfigFileError, configFileName, didYouMean, isParsedConfig, problemAt, validateConfig, type ConfigProblem, type DocPath } from './load.js';
import { planRuleSets, type ManagedSet } from '../rules/config.js';
import type { ConfigDocument, GroupingSpec, HeartbeatSpec, HotlineSpec, IntegrationSpec, ScheduleLayerSpec, ScheduleSpec, TargetSpec } from './schema.js';
import { must } from '../lib/must.js';

/** How to apply: `dryRun` only reports; `prune` also deletes top-level entities the file does not list. */
export interface ApplyOptions {
  dryRun: boolean;
  /** The file name used in messages when the document was not read by parseConfigFile. */
  file?: string;
  /** Delete users, teams, policies and services missing from the file (only for the kinds the file lists). */
  prune?: boolean;
  /**
   * Contact methods this apply creates are marked verified without a code (`klaxon import
   * --trust-contacts`: they were in use at the source). Recorded on the audit trail.
   */
  trustContacts?: boolean;
  /** The platforms chat channels may name; default every platform's channel-id rule (chat/channel-ids.ts), configured on this server or not. */
  chatPlatforms?: Platforms;
}

/** What apply did (or, in a dry run, would do). */
export interface ApplyResult {
  /** One human line per change: `+ user a@example.com`, `~ policy "X": levels changed`, `- integration svc/old`. */
  changes: string[];
  /** Keys generated for new integrations the file gave no key for; they are stored hashed, so shown once. */
  createdKeys: { service: string; integration: string; key: string }[];
  /** Check-in URLs of heartbeats this apply created; they hold a token stored hashed, so shown once. */
  createdHeartbeats?: { service: string; heartbeat: string; checkinUrl: string }[];
}

interface Step {
  /** Where in the document this step comes from, to point at when a verb refuses it. */
  path: DocPath;
  /** What the step is about, when its path does not say (pruning points at a whole section). */
  what?: string;
  run(): Promise<void>;
}

/** A name as it appears in a change line: bare when simple, quoted otherwise. */
function q(name: string): string {
  return /^[A-Za-z0-9@._+-]+$/.test(name) ? name : JSON.stringify(name);
}

function s(value: unknown): string {
  return value === null || value === undefined ? 'none' : typeof value === 'string' ? q(value) : String(value);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function describeGrouping(g: Grouping | GroupingSpec): string {
  return g.mode === 'window' ? `window ${g.minutes} min` : g.mode === 'field' ? `field ${g.field}` : 'none';
}

function canonicalGrouping(g: Grouping | GroupingSpec): string {
  return JSON.stringify(g.mode === 'window' ? { mode: g.mode, minutes: g.minutes } : g.mode === 'field' ? { mode: g.mode, field: g.field } : { mode: 'none' });
}

/** `+a@x, -b@x` or `order or roles` for two lists of members. */
function describeListChange(before: string[], after: string[], what: string): string {
  const added = after.filter((x) => !before.includes(x));
  const removed = before.filter((x) => !after.includes(x));
  const parts = [...added.map((x) => `+${x}`), ...removed.map((x) => `-${x}`)];
  return parts.length ? `${what} ${parts.join(', ')}` : `${what} order or roles changed`;
}

function describeUrgencyRule(r: UrgencyRule): string {
  if (r.type === 'constant') return `constant ${r.urgency}`;
  if (r.type === 'support-hours') return `support-hours (during ${r.during}, outside ${r.outside})`;
  return 'severity';
}

function describeSupportHours(h: SupportHours | null): string {
  return h ? `${h.days.join(',')} ${h.start}-${h.end} ${h.timeZone}` : 'none';
}

function canonicalTarget(t: TargetSpec): string {
  if ('user' in t) return JSON.stringify({ user: t.user.toLowerCase() });
  return JSON.stringify(t);
}

/** A JSON string with object keys sorted, so equal values compare equal whatever order their keys came in. */
function stable(v: unknown): string {
  return JSON.stringify(v, (_, x: unknown) =>
    x !== null && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : x,
  );
}

const WEEK_ORDER = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** A layer with every default filled in and times as instants: file and database layers compare equal when they mean the same. */
interface CanonicalLayer {
  name: string | null;
  participants: (string | string[])[];
  turn: string;
  handoffTime: string | null;
  timeZone: string;
  start: number | null;
  rotationStart: number | null;
  end: number | null;
  restrictions: string;
  priority: number;
}

function canonicalLayer(
  l: {
    name?: string;
    participants: readonly (string | readonly string[])[];
    turn: { unit: string; count: number; weekdays?: readonly string[]; onCallMinutes?: number };
    handoffTime?: string;
    timeZone?: string;
    start: number | null;
    rotationStart?: number | null;
    end?: number | null;
    restrictions?: readonly unknown[];
    priority?: number;
  },
  scheduleZone: string,
  email: (ref: string) => string,
): CanonicalLayer {
  const zone = l.timeZone ?? scheduleZone;
  const daily = l.turn.unit === 'day' || l.turn.unit === 'week';
  // Day and week hand-offs default to the local time of the rotation start; hour and minute turns ignore the field.
  const anchor = l.rotationStart ?? l.start;
  const handoffTime = !daily ? null : (l.handoffTime ?? (anchor === null ? null : localDateTime(anchor, zone).slice(11, 16)));
  const weekdays = l.turn.weekdays ?? [];
  return {
    name: l.name ?? null,
    participants: l.participants.map((p) => (typeof p === 'string' ? email(p) : p.map(email))),
    turn: `${l.turn.count} ${l.turn.unit}${l.turn.count === 1 ? '' : 's'}${weekdays.length ? ` counting ${WEEK_ORDER.filter((d) => weekdays.includes(d)).join(',')}` : ''}${l.turn.onCallMinutes ? `, on call the first ${l.turn.onCallMinutes} min` : ''}`,
    handoffTime,
    timeZone: zone,
    start: l.start,
    // A rotation start equal to start is the default.
    rotationStart: l.rotationStart === undefined || l.rotationStart === l.start ? null : l.rotationStart,
    end: l.end ?? null,
    restrictions: stable(l.restrictions ?? []),
    priority: l.priority ?? 0,
  };
}

/** What differs between two versions of a layer, for a change line: `turn 1 week -> 2 weeks; participants +a@x`. */
function describeLayerChange(before: CanonicalLayer, after: CanonicalLayer, zoneOf: (l: CanonicalLayer) => string): string {
  const parts: string[] = [];
  const who = (p: string | string[]) => (typeof p === 'string' ? p : `[${p.join(', ')}]`);
  // Both sides in the new zone, so a moved zone shows how far the instant moved.
  const when = (t: number | null) => (t === null ? 'none' : localDateTime(t, zoneOf(after)));
  if (before.name !== after.name) parts.push(`name ${s(before.name)} -> ${s(after.name)}`);
  if (stable(before.participants) !== stable(after.participants)) parts.push(describeListChange(before.participants.map(who), after.participants.map(who), 'participants'));
  if (before.turn !== after.turn) parts.push(`turn ${before.turn} -> ${after.turn}`);
  if (before.handoffTime !== after.handoffTime) parts.push(`handoffTime ${before.handoffTime ?? 'none'} -> ${after.handoffTime ?? 'none'}`);
  if (before.timeZone !== after.timeZone) parts.push(`timeZone ${before.timeZone} -> ${after.timeZone}`);
  if (before.start !== after.start) parts.push(`start ${when(before.start)} -> ${when(after.start)}`);
  if (before.rotationStart !== after.rotationStart) parts.push(`rotationStart ${when(before.rotationStart)} -> ${when(after.rotationStart)}`);
  if (before.end !== after.end) parts.push(`end ${when(before.end)} -> ${when(after.end)}`);
  if (before.restrictions !== after.restrictions) parts.push('restrictions changed');
  if (before.priority !== after.priority) parts.push(`priority ${before.priority} -> ${after.priority}`);
  return parts.join(', ');
}

/**
 * A service's heartbeats, replaced to match the file: new ones are created (their check-in URL
 * printed once), changed ones updated (their token kept), missing ones deleted.
 */
function planHeartbeats(
  ctx: Ctx,
  actor: Actor,
  service: string,
  specs: HeartbeatSpec[],
  existing: Heartbeat[],
  serviceId: () => string,
  spath: DocPath,
  changes: string[],
  steps: Step[],
  created: NonNullable<ApplyResult['createdHeartbeats']>,
): void {
  const label = (name: string) => `${q(service)}/${q(name)}`;
  const fileNames = new Set(specs.map((h) => h.name));
  for (const h of existing) {
    if (fileNames.has(h.name)) continue;
    changes.push(`- heartbeat ${label(h.name)}`);
    steps.push({ path: spath, run: () => deleteHeartbeat(ctx, actor, h.serviceId, h.id) });
  }
  const byName = new Map(existing.map((h) => [h.name, h]));
  for (const [hi, h] of specs.entries()) {
    const path = [...spath, 'heartbeats', hi] as DocPath;
    const want = { intervalMinutes: h.intervalMinutes, graceMinutes: h.graceMinutes ?? 0, enabled: h.enabled ?? true, watchdogAlert: h.watchdogAlert ?? null };
    const have = byName.get(h.name);
    if (!have) {
      changes.push(`+ heartbeat ${label(h.name)} (every ${h.intervalMinutes} min, grace ${want.graceMinutes} min)`);
      steps.push({
        path,
        run: async () => {
          const made = await createHeartbeat(ctx, actor, serviceId(), { name: h.name, ...want });
          created.push({ service, heartbeat: h.name, checkinUrl: must(made.checkinUrl, 'the check-in URL of the new heartbeat') });
        },
      });
      continue;
    }
    const diffs: string[] = [];
    if (have.intervalMinutes !== want.intervalMinutes) diffs.push(`intervalMinutes ${have.intervalMinutes} -> ${want.intervalMinutes}`);
    if (have.graceMinutes !== want.graceMinutes) diffs.push(`graceMinutes ${have.graceMinutes} -> ${want.graceMinutes}`);
    if (have.enabled !== want.enabled) diffs.push(want.enabled ? 'enabled' : 'disabled');
    if (have.watchdogAlert !== want.watchdogAlert) diffs.push(`watchdogAlert ${s(have.watchdogAlert)} -> ${s(want.watchdogAlert)}`);
    if (!diffs.length) continue;
    changes.push(`~ heartbeat ${label(h.name)}: ${diffs.join('; ')}`);
    steps.push({ path, run: async () => void (await updateHeartbeat(ctx, actor, have.serviceId, have.id, want)) });
  }
}

/**
 * A service's hotlines, replaced to match the file: new ones created, changed ones updated, missing
 * ones deleted. Numbers are compared as normalised (E.164), so "+1 (500) 555-0100" in the file
 * matches +15005550100 in the database; a number that is not one is a 400 from the verb.
 */
function planHotlines(ctx: Ctx, actor: Actor, service: string, specs: HotlineSpec[], existing: Hotline[], serviceId: () => string, spath: DocPath, changes: string[], steps: Step[]): void {
  const label = (name: string) => `${q(service)}/${q(name)}`;
  const fileNames = new Set(specs.map((h) => h.name));
  for (const h of existing) {
    if (fileNames.has(h.name)) continue;
    changes.push(`- hotline ${label(h.name)} (${h.number})`);
    steps.push({ path: spath, run: () => deleteHotline(ctx, actor, h.serviceId, h.id) });
  }
  const byName = new Map(existing.map((h) => [h.name, h]));
  for (const [hi, h] of specs.entries()) {
    const path = [...spath, 'hotlines', hi] as DocPath;
    const want = { provider: h.provider ?? 'twilio', number: h.number, ringSeconds: h.ringSeconds ?? 20, allowedCallers: h.allowedCallers ?? [], enabled: h.enabled ?? true };
    const have = byName.get(h.name);
    if (!have) {
      changes.push(`+ hotline ${label(h.name)} (${h.number}, ${want.provider})`);
      steps.push({ path, run: async () => void (await createHotline(ctx, actor, serviceId(), { name: h.name, ...want })) });
      continue;
    }
    const diffs: string[] = [];
    const number = normalizePhone(want.number) ?? want.number;
    const allowed = parseAllowList(want.allowedCallers).numbers;
    if (have.provider !== want.provider) diffs.push(`provider ${have.provider} -> ${want.provider}`);
    if (have.number !== number) diffs.push(`number ${have.number} -> ${want.number}`);
    if (have.ringSeconds !== want.ringSeconds) diffs.push(`ringSeconds ${have.ringSeconds} -> ${want.ringSeconds}`);
    if (JSON.stringify(have.allowedCallers) !== JSON.stringify(allowed)) diffs.push(`allowedCallers ${have.allowedCallers.length} -> ${allowed.length} numbers`);
    if (have.enabled !== want.enabled) diffs.push(want.enabled ? 'enabled' : 'disabled');
    if (!diffs.length) continue;
    changes.push(`~ hotline ${label(h.name)}: ${diffs.join('; ')}`);
    steps.push({ path, run: async () => void (await updateHotline(ctx, actor, have.serviceId, have.id, want)) });
  }
}

/** Builds the change list and the steps that make it, from one read of the database. */
async function plan(ctx: Ctx, actor: Actor, doc: ConfigDocument, opts: ApplyOptions) {
  const prune = opts.prune === true;
  const verifyWord = opts.trustContacts ? 'verified: trusted import' : 'to be verified';
  const changes: string[] = [];
  const pruneChanges: string[] = [];
  const problems: ConfigProblem[] = [];
  const createdKeys: ApplyResult['createdKeys'] = [];
  const createdHeartbeats: NonNullable<ApplyResult['createdHeartbeats']> = [];
  const phase = {
    users: [] as Step[],
    teams: [] as Step[],
    schedules: [] as Step[],
    policies: [] as Step[],
    services: [] as Step[],
    pruneServices: [] as Step[],
    integrationDeletes: [] as Step[],
    integrationUpdates: [] as Step[],
    integrationCreates: [] as Step[],
    heartbeats: [] as Step[],
    hotlines: [] as Step[],
    chatChannels: [] as Step[],
    prunePolicies: [] as Step[],
    pruneSchedules: [] as Step[],
    pruneTeams: [] as Step[],
    pruneUsers: [] as Step[],
  };
  const problem = (path: DocPath, message: string) => problems.push(problemAt(doc, path, message));

  // ---- one read of everything the file can touch ----
  const db = ctx.db.kysely;
  const dbUsers = await listUsers(ctx, actor);
  const dbTeams = await listTeams(ctx, actor);
  const dbPolicies = await listPolicies(ctx, actor);
  const dbServices = await listServices(ctx, actor);
  const dbSchedules = await allSchedules(db);
  const dbIntegrations = await integrationRows(db);
  const dbHeartbeats = await allHeartbeats(ctx, actor);
  const dbHotlines = await allHotlines(ctx, actor);
  const dbChatChannels = await listAllChatChannels(ctx, actor);
  const chatPlatforms = opts.chatPlatforms ?? CHANNEL_ID_RULES;
  // A team's or service's chat channels, replaced to match the file (in order) when they differ.
  const planChatChannels = (ownerType: 'service' | 'team', name: string, want: { platform: string; channel: string }[], currentId: string | undefined, ownerId: () => string, path: DocPath) => {
    const have = dbChatChannels.filter((c) => c.ownerType === ownerType && c.ownerId === currentId).map((c) => `${c.platform}:${c.channel}`);
    const wanted = want.map((c) => `${c.platform}:${c.channel}`);
    if (JSON.stringify(have) === JSON.stringify(wanted)) return;
    changes.push(`~ ${ownerType} ${q(name)}: chatChannels ${have.join(', ') || 'none'} -> ${wanted.join(', ') || 'none'}`);
    const set = ownerType === 'service' ? setServiceChatChannels : setTeamChatChannels;
    phase.chatChannels.push({ path: [...path, 'chatChannels'] as DocPath, run: async () => void (await set(ctx, actor, ownerId(), { channels: want }, chatPlatforms)) });
  };

  const userByEmail = new Map(dbUsers.map((u) => [u.email.toLowerCase(), u]));
  const emailById = new Map(dbUsers.map((u) => [u.id, u.email.toLowerCase()]));
  const teamByName = new Map(dbTeams.map((t) => [t.name, t]));
  const teamNameById = new Map(dbTeams.map((t) => [t.id, t.name]));
  const policyByName = new Map(dbPolicies.map((p) => [p.name, p]));
  const policyNameById = new Map(dbPolicies.map((p) => [p.id, p.name]));
  const serviceByName = new Map(dbServices.map((x) => [x.name, x]));
  const scheduleByName = new Map(dbSchedules.map((x) => [x.name, x]));
  const scheduleNameById = new Map(dbSchedules.map((x) => [x.id, x.name]));

  // Ids by identity, filled in as steps create things, read by later steps.
  const ids = {
    users: new Map(dbUsers.map((u) => [u.email.toLowerCase(), u.id])),
    teams: new Map(dbTeams.map((t) => [t.name, t.id])),
    schedules: new Map(dbSchedules.map((x) => [x.name, x.id])),
    policies: new Map(dbPolicies.map((p) => [p.name, p.id])),
    services: new Map(dbServices.map((x) => [x.name, x.id])),
  };
  const idOf = (map: Map<string, string>, key: string, what: string): string => {
    const id = map.get(key);
    if (id === undefined) throw new Error(`config apply: ${what} ${key} has no id (planning bug)`);
    return id;
  };

  // A reference resolves in the file, or in the database unless pruning will delete it.
  const fileUsers = new Set((doc.users ?? []).map((u) => u.email.toLowerCase()));
  const fileTeams = new Set((doc.teams ?? []).map((t) => t.name));
  const fileSchedules = new Set((doc.schedules ?? []).map((x) => x.name));
  const filePolicies = new Set((doc.escalationPolicies ?? []).map((p) => p.name));
  const fileServices = new Set((doc.services ?? []).map((x) => x.name));
  const known = {
    user: (email: string) => fileUsers.has(email.toLowerCase()) || (userByEmail.has(email.toLowerCase()) && !(prune && doc.users)),
    team: (name: string) => fileTeams.has(name) || (teamByName.has(name) && !(prune && doc.teams)),
    schedule: (name: string) => fileSchedules.has(name) || (scheduleByName.has(name) && !(prune && doc.schedules)),
    policy: (name: string) => filePolicies.has(name) || (policyByName.has(name) && !(prune && doc.escalationPolicies)),
  };
  const unknown = (what: string, name: string, options: Iterable<string>, inDb = false) =>
    `unknown ${what} "${name}": ${inDb ? 'not in the file, and pruning deletes what the file does not list' : 'not in the file or the database'}${didYouMean(
      name,
      [...options].filter((c) => c.toLowerCase() !== name.toLowerCase()),
    )}`;
  // Names a reference could have meant: the ones that would resolve.
  const candidates = {
    users: () => [...fileUsers, ...(prune && doc.users ? [] : userByEmail.keys())],
    teams: () => [...fileTeams, ...(prune && doc.teams ? [] : teamByName.keys())],
    schedules: () => [...fileSchedules, ...(prune && doc.schedules ? [] : scheduleByName.keys())],
    policies: () => [...filePolicies, ...(prune && doc.escalationPolicies ? [] : policyByName.keys())],
  };

  // ---- users, contact methods, notification rules ----
  for (const [ui, u] of (doc.users ?? []).entries()) {
    const email = u.email.toLowerCase();
    const upath = ['users', ui] as const;
    const current = userByEmail.get(email);
    if (!current) {
      const counts = [u.contactMethods?.length && plural(u.contactMethods.length, 'contact method'), u.notificationRules?.length && plural(u.notificationRules.length, 'notification rule')].filter(
        Boolean,
      );
      changes.push(`+ user ${email}${counts.length ? ` (${counts.join(', ')})` : ''}`);
      phase.users.push({
        path: upath,
        run: async () => {
          const created = await createUser(ctx, actor, { email, name: u.name, ...(u.timeZone !== undefined && { timeZone: u.timeZone }), ...(u.role !== undefined && { role: u.role }) });
          ids.users.set(email, created.id);
        },
      });
    } else {
      const diffs: string[] = [];
      const patch: { name?: string; timeZone?: string; role?: string } = {};
      if (u.name !== current.name) {
        diffs.push(`name ${JSON.stringify(current.name)} -> ${JSON.stringify(u.name)}`);
        patch.name = u.name;
      }
      if (u.timeZone !== undefined && u.timeZone !== current.timeZone) {
        diffs.push(`timeZone ${current.timeZone} -> ${u.timeZone}`);
        patch.timeZone = u.timeZone;
      }
      if (u.role !== undefined && u.role !== current.role) {
        diffs.push(`role ${current.role} -> ${u.role}`);
        patch.role = u.role;
      }
      if (diffs.length) {
        changes.push(`~ user ${email}: ${diffs.join('; ')}`);
        phase.users.push({ path: upath, run: async () => void (await updateUser(ctx, actor, current.id, patch)) });
      }
    }

    const methods: ContactMethod[] = current ? await userStore.listContactMethods(db, current.id) : [];
    const rules = current ? await userStore.listRules(db, current.id) : [];
    const methodById = new Map(methods.map((m) => [m.id, m]));
    const methodByName = new Map(methods.map((m) => [m.name, m]));
    const cmIds = new Map(methods.map((m) => [m.name, m.id]));
    const fileMethodNames = new Set((u.contactMethods ?? []).map((c) => c.name));
    const fileRuleMethodNames = new Set((u.notificationRules ?? []).map((r) => r.contactMethod));
    // Browser push subscriptions are made by browsers, not files: left alone unless the file names them.
    const managedMethod = (m: ContactMethod) => m.type !== 'push' || fileMethodNames.has(m.name) || fileRuleMethodNames.has(m.name);
    const gone = new Set<string>(); // contact method ids this apply deletes (their rules go with them)
    const recreated = new Set<string>();
    const userId = () => idOf(ids.users, email, 'user');
    const label = `${email}/`;

    if (u.contactMethods) {
      const removed = methods.filter((m) => managedMethod(m) && !fileMethodNames.has(m.name));
      for (const m of removed) {
        gone.add(m.id);
        changes.push(`- contact method ${label}${q(m.name)}`);
        phase.users.push({ path: upath, run: () => deleteContactMethod(ctx, actor, m.id) });
      }
      const adds: { index: number; name: string; type: string; address: string }[] = [];
      for (const [ci, c] of u.contactMethods.entries()) {
        const normal = normalizeAddress(c.type, c.address);
        const address = 'value' in normal ? normal.value : c.address;
        const existing = methodByName.get(c.name);
        if (!existing) {
          if (current) changes.push(`+ contact method ${label}${q(c.name)} (${c.type} ${address}, ${verifyWord})`);
          adds.push({ index: ci, name: c.name, type: c.type, address: c.address });
        } else if (existing.type !== c.type || existing.address !== address) {
          const what = existing.type !== c.type ? `type ${existing.type} -> ${c.type}, address ${existing.address} -> ${address}` : `address ${existing.address} -> ${address}`;
          changes.push(`~ contact method ${label}${q(c.name)}: ${what} (re-created, ${verifyWord})`);
          gone.add(existing.id);
          recreated.add(existing.id);
          phase.users.push({ path: ['users', ui, 'contactMethods', ci], run: () => deleteContactMethod(ctx, actor, existing.id) });
          adds.push({ index: ci, name: c.name, type: c.type, address: c.address });
        }
      }
      for (const a of adds) {
        phase.users.push({
          path: ['users', ui, 'contactMethods', a.index],
          run: async () => {
            const created = await addContactMethod(ctx, actor, userId(), { name: a.name, type: a.type, address: a.address }, opts.trustContacts ? { trustedBy: 'import (--trust-contacts)' } : {});
            cmIds.set(a.name, created.id);
          },
        });
      }
    }

    // Rules are compared by (contact method name, delay, urgency); rules of deleted methods go with them.
    const ruleKey = (name: string, delay: number, urgency: string = 'any') => `${name}\u0000${delay}\u0000${urgency}`;
    const urgencyWord = (u: string | undefined) => (u && u !== 'any' ? ` (${u} urgency)` : '');
    const managedRules = rules.filter((r) => {
      const m = methodById.get(r.contactMethodId);
      return m !== undefined && managedMethod(m);
    });
    const survivingRules = managedRules.filter((r) => !gone.has(r.contactMethodId));
    const survivingKeys = new Set(survivingRules.map((r) => ruleKey(must(methodById.get(r.contactMethodId), 'the contact method of a rule').name, r.delayMinutes, r.urgency)));
    const ruleAdds: { path: DocPath; name: string; delay: number; urgency: string }[] = [];
    if (u.notificationRules) {
      const currentKeys = new Set(managedRules.map((r) => ruleKey(must(methodById.get(r.contactMethodId), 'the contact method of a rule').name, r.delayMinutes, r.urgency)));
      const desired = new Set(u.notificationRules.map((r) => ruleKey(r.contactMethod, r.delayMinutes, r.urgency)));
      for (const r of managedRules) {
        const name = must(methodById.get(r.contactMethodId), 'the contact method of a rule').name;
        // A deleted method's rules go with it (its `-` line says so); a re-created one's are listed.
        if (desired.has(ruleKey(name, r.delayMinutes, r.urgency)) || (gone.has(r.contactMethodId) && !recreated.has(r.contactMethodId))) continue;
        changes.push(`- notification rule ${email}: ${q(name)} after ${r.delayMinutes} min${urgencyWord(r.urgency)}`);
        if (!gone.has(r.contactMethodId)) phase.users.push({ path: upath, run: () => deleteNotificationRule(ctx, actor, r.id) });
      }
      for (const [ri, r] of u.notificationRules.entries()) {
        const resolvable = fileMethodNames.has(r.contactMethod) || (!u.contactMethods && methodByName.has(r.contactMethod));
        if (!resolvable) {
          const names = [...fileMethodNames, ...(u.contactMethods ? [] : methodByName.keys())];
          problem(['users', ui, 'notificationRules', ri, 'contactMethod'], unknown('contact method', r.contactMethod, names));
          continue;
        }
        const key = ruleKey(r.contactMethod, r.delayMinutes, r.urgency);
        if (current && !currentKeys.has(key)) changes.push(`+ notification rule ${email}: ${q(r.contactMethod)} after ${r.delayMinutes} min${urgencyWord(r.urgency)}`);
        if (!survivingKeys.has(key)) ruleAdds.push({ path: ['users', ui, 'notificationRules', ri], name: r.contactMethod, delay: r.delayMinutes, urgency: r.urgency ?? 'any' });
      }
    } else {
      // Rules are not managed here, but re-creating a method drops its rules: put them back.
      for (const r of managedRules) {
        const m = must(methodById.get(r.contactMethodId), 'the contact method of a rule');
        if (recreated.has(m.id)) ruleAdds.push({ path: upath, name: m.name, delay: r.delayMinutes, urgency: r.urgency });
      }
    }
    for (const r of ruleAdds) {
      phase.users.push({
        path: r.path,
        run: async () =>
          void (await addNotificationRule(ctx, actor, userId(), {
            contactMethodId: idOf(cmIds, r.name, `contact method of ${email}`),
            delayMinutes: r.delay,
            urgency: r.urgency as 'high' | 'low' | 'any',
          })),
      });
    }
  }

  // ---- teams ----
  for (const [ti, t] of (doc.teams ?? []).entries()) {
    const tpath = ['teams', ti] as const;
    const current = teamByName.get(t.name);
    // A member's team role: as the file says, else (left out) as it is now.
    const accessNow = (email: string) => current?.members.find((m) => (emailById.get(m.userId) ?? m.userId).toLowerCase() === email)?.access ?? null;
    const members = t.members?.map((m) => {
      const email = m.user.toLowerCase();
      const access = m.access === undefined ? accessNow(email) : m.access === 'none' ? null : m.access;
      return { email, role: m.role ?? 'member', access };
    });
    for (const [mi, m] of (t.members ?? []).entries())
      if (!known.user(m.user)) problem(['teams', ti, 'members', mi, 'user'], unknown('user', m.user, candidates.users(), userByEmail.has(m.user.toLowerCase())));
    const resolveMembers = () => members?.map((m) => ({ userId: idOf(ids.users, m.email, 'user'), role: m.role, ...(m.access && { access: m.access }) }));
    const teamChannels = () => t.chatChannels && planChatChannels('team', t.name, t.chatChannels, current?.id, () => idOf(ids.teams, t.name, 'team'), tpath);
    if (!current) {
      changes.push(`+ team ${q(t.name)}${members ? ` (${plural(members.length, 'member')})` : ''}`);
      phase.teams.push({
        path: tpath,
        run: async () => {
          const created = await createTeam(ctx, actor, { name: t.name, ...(t.description !== undefined && { description: t.description }), ...(members && { members: resolveMembers() }) });
          ids.teams.set(t.name, created.id);
        },
      });
      teamChannels();
      continue;
    }
    const diffs: string[] = [];
    if (t.description !== undefined && t.description !== current.description) diffs.push('description changed');
    if (members) {
      const before = current.members.map((m) => ({ email: emailById.get(m.userId) ?? m.userId, role: m.role, access: m.access ?? null }));
      const accessChanged = members.filter((m) => before.some((b) => b.email.toLowerCase() === m.email && b.access !== m.access));
      if (accessChanged.length) diffs.push(`team roles of ${accessChanged.map((m) => `${m.email} → ${m.access ?? 'none'}`).join(', ')}`);
      if (JSON.stringify(before.map((b) => ({ email: b.email, role: b.role }))) !== JSON.stringify(members.map((m) => ({ email: m.email, role: m.role })))) {
        diffs.push(
          describeListChange(
            before.map((m) => m.email),
            members.map((m) => m.email),
            'members',
          ),
        );
      }
    }
    if (diffs.length) {
      changes.push(`~ team ${q(t.name)}: ${diffs.join('; ')}`);
      phase.teams.push({
        path: tpath,
        run: async () => void (await updateTeam(ctx, actor, current.id, { name: current.name, description: t.description ?? current.description, ...(members && { members: resolveMembers() }) })),
      });
    }
    teamChannels();
  }

  // ---- schedules (their overrides, leave and swaps are day-to-day data: never in the file, always kept) ----
  const fileEmail = (ref: string) => ref.toLowerCase();
  const dbEmail = (id: string) => emailById.get(id) ?? id;
  for (const [si, x] of (doc.schedules ?? []).entries()) {
    const spath = ['schedules', si] as const;
    if (typeof x.team === 'string' && !known.team(x.team)) problem([...spath, 'team'], unknown('team', x.team, candidates.teams(), teamByName.has(x.team)));
    for (const [li, l] of x.layers.entries()) {
      for (const [pi, p] of l.participants.entries()) {
        const refs =
          typeof p === 'string' ? [[p, ['schedules', si, 'layers', li, 'participants', pi]] as const] : p.map((e, gi) => [e, ['schedules', si, 'layers', li, 'participants', pi, gi]] as const);
        for (const [email, path] of refs) if (!known.user(email)) problem(path, unknown('user', email, candidates.users(), userByEmail.has(email.toLowerCase())));
      }
    }
    const zoneOf = (s: string) => s; // overrides are read in the schedule zone
    const wantedOverrides: { path: DocPath; users: string[]; start: number; end: number; note?: string; key: string }[] = [];
    for (const [oi, o] of (x.overrides ?? []).entries()) {
      const opath = ['schedules', si, 'overrides', oi] as const;
      for (const [ui, e] of o.users.entries()) if (!known.user(e)) problem([...opath, 'users', ui], unknown('user', e, candidates.users(), userByEmail.has(e.toLowerCase())));
      const start = parseInstant(o.start, zoneOf(x.timeZone));
      const end = parseInstant(o.end, zoneOf(x.timeZone));
      const span = start !== null && end !== null ? spanProblem(start, end) : undefined;
      if (start === null) problem([...opath, 'start'], `not a date-time: ${o.start}`);
      else if (end === null) problem([...opath, 'end'], `not a date-time: ${o.end}`);
      else if (span)
        problem([...opath, span.path], span.message); // addOverride's own rule
      else {
        const users = [...new Set(o.users.map((e) => e.toLowerCase()))].sort();
        wantedOverrides.push({ path: opath, users, start, end, ...(o.note !== undefined && { note: o.note }), key: `${users.join(',')}\n${start}\n${end}` });
      }
    }
    const current = scheduleByName.get(x.name);
    const existingOverrides = new Set(
      current
        ? (await overrideSpans(ctx.db.kysely, current.id)).map(
            (r) => `${[...new Set((JSON.parse(r.user_ids) as string[]).map((id) => dbEmail(id).toLowerCase()))].sort().join(',')}\n${Number(r.start_at)}\n${Number(r.end_at)}`,
          )
        : [],
    );
    const addOverrides = () => {
      for (const o of wantedOverrides) {
        if (existingOverrides.has(o.key)) continue;
        existingOverrides.add(o.key);
        changes.push(`+ override ${q(x.name)}: ${o.users.join(', ')} ${localDateTime(o.start, x.timeZone)} – ${localDateTime(o.end, x.timeZone)}`);
        phase.schedules.push({
          path: o.path,
          run: async () => void (await addOverride(ctx, actor, x.name, { userIds: o.users, start: o.start, end: o.end, ...(o.note !== undefined && { note: o.note }) })),
        });
      }
    };
    const layersInput = () => x.layers.map((l) => ({ ...l, participants: l.participants.map((p) => (typeof p === 'string' ? fileEmail(p) : p.map(fileEmail))) }));
    if (!current) {
      changes.push(`+ schedule ${q(x.name)} (${plural(x.layers.length, 'layer')})`);
      phase.schedules.push({
        path: spath,
        run: async () => {
          const created = await createSchedule(ctx, actor, {
            name: x.name,
            ...(x.description !== undefined && { description: x.description }),
            ...(typeof x.team === 'string' && { teamId: idOf(ids.teams, x.team, 'team') }),
            timeZone: x.timeZone,
            ...(x.layering !== undefined && { layering: x.layering }),
            layers: layersInput(),
            ...(x.handoffNoticeMinutes !== undefined && { handoffNoticeMinutes: x.handoffNoticeMinutes }),
            ...(x.gapNoticeDays !== undefined && { gapNoticeDays: x.gapNoticeDays }),
          });
          ids.schedules.set(x.name, created.id);
        },
      });
      addOverrides();
      continue;
    }
    const diffs = scheduleDiffs(x, current, teamNameById, dbEmail);
    if (diffs.length) {
      changes.push(`~ schedule ${q(x.name)}: ${diffs.join('; ')}`);
      phase.schedules.push({
        path: spath,
        run: async () =>
          void (await updateSchedule(ctx, actor, current.id, {
            name: current.name,
            description: x.description ?? current.description,
            teamId: x.team === undefined ? current.teamId : x.team === null ? null : idOf(ids.teams, x.team, 'team'),
            timeZone: x.timeZone,
            layering: x.layering ?? current.layering,
            layers: layersInput(),
            handoffNoticeMinutes: x.handoffNoticeMinutes ?? current.handoffNoticeMinutes,
            gapNoticeDays: x.gapNoticeDays ?? current.gapNoticeDays,
          })),
      });
    }
    addOverrides();
  }

  // ---- escalation policies ----
  const fileTarget = (t: Target): TargetSpec => {
    if (t.type === 'user') return { user: emailById.get(t.id) ?? t.id };
    if (t.type === 'team') return { team: teamNameById.get(t.id) ?? t.id };
    if (t.type === 'team_managers') return { teamManagers: teamNameById.get(t.id) ?? t.id };
    if (t.type === 'team_random') return { teamRandom: teamNameById.get(t.id) ?? t.id };
    const schedule = scheduleNameById.get(t.id) ?? t.id;
    return t.type === 'schedule' ? { schedule } : t.type === 'schedule_previous' ? { schedulePrevious: schedule } : { scheduleNext: schedule };
  };
  for (const [pi, p] of (doc.escalationPolicies ?? []).entries()) {
    const ppath = ['escalationPolicies', pi] as const;
    if (typeof p.team === 'string' && !known.team(p.team)) problem([...ppath, 'team'], unknown('team', p.team, candidates.teams(), teamByName.has(p.team)));
    for (const [li, level] of p.levels.entries()) {
      for (const [xi, t] of level.targets.entries()) {
        const tp = ['escalationPolicies', pi, 'levels', li, 'targets', xi];
        if ('user' in t && !known.user(t.user)) problem([...tp, 'user'], unknown('user', t.user, candidates.users(), userByEmail.has(t.user.toLowerCase())));
        const team = 'team' in t ? t.team : 'teamManagers' in t ? t.teamManagers : 'teamRandom' in t ? t.teamRandom : undefined;
        if (team !== undefined && !known.team(team)) problem([...tp, must(Object.keys(t)[0], 'the target kind')], unknown('team', team, candidates.teams(), teamByName.has(team)));
        const schedule = 'schedule' in t ? t.schedule : 'scheduleNext' in t ? t.scheduleNext : 'schedulePrevious' in t ? t.schedulePrevious : undefined;
        if (schedule !== undefined && !known.schedule(schedule)) {
          problem([...tp, must(Object.keys(t)[0], 'the target kind')], unknown('schedule', schedule, candidates.schedules(), scheduleByName.has(schedule)));
        }
      }
    }
    const levels = () =>
      p.levels.map((l) => ({
        delayMinutes: l.delayMinutes,
        targets: l.targets.map((t): Target => {
          if ('user' in t) return { type: 'user', id: idOf(ids.users, t.user.toLowerCase(), 'user') };
          if ('team' in t) return { type: 'team', id: idOf(ids.teams, t.team, 'team') };
          if ('teamManagers' in t) return { type: 'team_managers', id: idOf(ids.teams, t.teamManagers, 'team') };
          if ('teamRandom' in t) return { type: 'team_random', id: idOf(ids.teams, t.teamRandom, 'team') };
          if ('schedule' in t) return { type: 'schedule', id: idOf(ids.schedules, t.schedule, 'schedule') };
          if ('schedulePrevious' in t) return { type: 'schedule_previous', id: idOf(ids.schedules, t.schedulePrevious, 'schedule') };
          return { type: 'schedule_next', id: idOf(ids.schedules, t.scheduleNext, 'schedule') };
        }),
        ...(l.until === 'resolved' && { until: 'resolved' as const }),
        ...(l.condition && { condition: l.condition }),
        ...(l.roundRobin && { roundRobin: true }),
      }));
    const current = policyByName.get(p.name);
    if (!current) {
      changes.push(`+ policy ${q(p.name)} (${plural(p.levels.length, 'level')}${p.repeat ? `, repeat ${p.repeat}` : ''})`);
      phase.policies.push({
        path: ppath,
        run: async () => {
          const created = await createPolicy(ctx, actor, {
            name: p.name,
            ...(p.description !== undefined && { description: p.description }),
            ...(p.repeat !== undefined && { repeat: p.repeat }),
            ...(p.initialDelayMinutes !== undefined && { initialDelayMinutes: p.initialDelayMinutes }),
            levels: levels(),
            ...(typeof p.team === 'string' && { teamId: idOf(ids.teams, p.team, 'team') }),
          });
          ids.policies.set(p.name, created.id);
        },
      });
      continue;
    }
    const diffs: string[] = [];
    if (p.description !== undefined && p.description !== current.description) diffs.push('description changed');
    if (p.repeat !== undefined && p.repeat !== current.repeat) diffs.push(`repeat ${current.repeat} -> ${p.repeat}`);
    const initialNow = current.initialDelayMinutes ?? 0;
    const policyTeamNow = current.teamId ? (teamNameById.get(current.teamId) ?? current.teamId) : null;
    if (p.team !== undefined && p.team !== policyTeamNow) diffs.push(`team ${policyTeamNow ?? 'none'} -> ${p.team ?? 'none'}`);
    if (p.initialDelayMinutes !== undefined && p.initialDelayMinutes !== initialNow) diffs.push(`initialDelayMinutes ${initialNow} -> ${p.initialDelayMinutes}`);
    const canon = (ls: { delayMinutes: number; targets: TargetSpec[]; until?: string; condition?: unknown; roundRobin?: boolean }[]) =>
      JSON.stringify(ls.map((l) => [l.delayMinutes, l.targets.map(canonicalTarget), l.until ?? 'acknowledged', stable(l.condition ?? null), l.roundRobin ?? false]));
    if (
      canon(p.levels) !==
      canon(
        current.levels.map((l) => ({
          delayMinutes: l.delayMinutes,
          targets: l.targets.map(fileTarget),
          ...(l.until && { until: l.until }),
          ...(l.condition && { condition: l.condition }),
          ...(l.roundRobin && { roundRobin: true }),
        })),
      )
    )
      diffs.push('levels changed');
    if (diffs.length) {
      changes.push(`~ policy ${q(p.name)}: ${diffs.join('; ')}`);
      phase.policies.push({
        path: ppath,
        run: async () =>
          void (await updatePolicy(ctx, actor, current.id, {
            name: current.name,
            description: p.description ?? current.description,
            repeat: p.repeat ?? current.repeat,
            initialDelayMinutes: p.initialDelayMinutes ?? initialNow,
            levels: levels(),
            // Left out: the policy keeps its team.
            ...(p.team === undefined ? current.teamId && { teamId: current.teamId } : p.team !== null && { teamId: idOf(ids.teams, p.team, 'team') }),
          })),
      });
    }
  }

  // ---- services and integrations ----
  const integrationsByService = new Map<string, typeof dbIntegrations>();
  for (const i of dbIntegrations) integrationsByService.set(i.service_id, [...(integrationsByService.get(i.service_id) ?? []), i]);

  for (const [si, x] of (doc.services ?? []).entries()) {
    const spath = ['services', si] as const;
    if (typeof x.team === 'string' && !known.team(x.team)) problem([...spath, 'team'], unknown('team', x.team, candidates.teams(), teamByName.has(x.team)));
    if (typeof x.escalationPolicy === 'string' && !known.policy(x.escalationPolicy)) {
      problem([...spath, 'escalationPolicy'], unknown('escalation policy', x.escalationPolicy, candidates.policies(), policyByName.has(x.escalationPolicy)));
    }
    const ref = (value: string | null | undefined, map: Map<string, string>, what: string, keep: string | null): string | null =>
      value === undefined ? keep : value === null ? null : idOf(map, value, what);
    const current = serviceByName.get(x.name);
    const serviceId = () => idOf(ids.services, x.name, 'service');
    if (!current) {
      changes.push(`+ service ${q(x.name)}${x.integrations ? ` (${plural(x.integrations.length, 'integration')})` : ''}`);
      phase.services.push({
        path: spath,
        run: async () => {
          const created = await createService(ctx, actor, {
            name: x.name,
            ...(x.description !== undefined && { description: x.description }),
            teamId: ref(x.team, ids.teams, 'team', null),
            escalationPolicyId: ref(x.escalationPolicy, ids.policies, 'escalation policy', null),
            ...(x.grouping && { grouping: x.grouping }),
            ...(x.urgencyRule && { urgencyRule: x.urgencyRule }),
            ...(x.supportHours !== undefined && { supportHours: x.supportHours }),
          });
          ids.services.set(x.name, created.id);
        },
      });
    } else {
      const diffs: string[] = [];
      if (x.description !== undefined && x.description !== current.description) diffs.push('description changed');
      const teamNow = current.teamId === null ? null : (teamNameById.get(current.teamId) ?? current.teamId);
      if (x.team !== undefined && x.team !== teamNow) diffs.push(`team ${s(teamNow)} -> ${s(x.team)}`);
      const policyNow = current.escalationPolicyId === null ? null : (policyNameById.get(current.escalationPolicyId) ?? current.escalationPolicyId);
      if (x.escalationPolicy !== undefined && x.escalationPolicy !== policyNow) diffs.push(`escalationPolicy ${s(policyNow)} -> ${s(x.escalationPolicy)}`);
      if (x.grouping && canonicalGrouping(x.grouping) !== canonicalGrouping(current.grouping)) diffs.push(`grouping ${describeGrouping(current.grouping)} -> ${describeGrouping(x.grouping)}`);
      if (x.urgencyRule && stable(x.urgencyRule) !== stable(current.urgencyRule)) diffs.push(`urgencyRule ${describeUrgencyRule(current.urgencyRule)} -> ${describeUrgencyRule(x.urgencyRule)}`);
      if (x.supportHours !== undefined && stable(x.supportHours) !== stable(current.supportHours))
        diffs.push(`supportHours ${describeSupportHours(current.supportHours)} -> ${describeSupportHours(x.supportHours)}`);
      if (diffs.length) {
        changes.push(`~ service ${q(x.name)}: ${diffs.join('; ')}`);
        phase.services.push({
          path: spath,
          run: async () =>
            void (await updateService(ctx, actor, current.id, {
              name: current.name,
              description: x.description ?? current.description,
              teamId: ref(x.team, ids.teams, 'team', current.teamId),
              escalationPolicyId: ref(x.escalationPolicy, ids.policies, 'escalation policy', current.escalationPolicyId),
              grouping: x.grouping ?? current.grouping,
              urgencyRule: x.urgencyRule ?? current.urgencyRule,
              supportHours: x.supportHours === undefined ? current.supportHours : x.supportHours,
            })),
        });
      }
    }

    if (x.heartbeats)
      planHeartbeats(ctx, actor, x.name, x.heartbeats, current ? dbHeartbeats.filter((h) => h.serviceId === current.id) : [], serviceId, spath, changes, phase.heartbeats, createdHeartbeats);

    if (x.chatChannels) planChatChannels('service', x.name, x.chatChannels, current?.id, serviceId, spath);

    if (x.hotlines) planHotlines(ctx, actor, x.name, x.hotlines, current ? dbHotlines.filter((h) => h.serviceId === current.id) : [], serviceId, spath, changes, phase.hotlines);

    if (!x.integrations) continue;
    const existing = current ? (integrationsByService.get(current.id) ?? []) : [];
    const existingByName = new Map(existing.map((i) => [i.name, i]));
    const fileNames = new Set(x.integrations.map((i) => i.name));
    const label = (name: string) => `${q(x.name)}/${q(name)}`;
    const create = (i: IntegrationSpec, path: DocPath, keep: IntegrationSettings = {}) => {
      const signingSecret = i.signingSecret === undefined ? keep.signingSecret : (i.signingSecret ?? undefined);
      const rateLimitPerMinute = i.rateLimitPerMinute === undefined ? keep.rateLimitPerMinute : (i.rateLimitPerMinute ?? undefined);
      phase.integrationCreates.push({
        path,
        run: async () => {
          const created = await createIntegration(ctx, actor, serviceId(), {
            name: i.name,
            kind: i.kind,
            ...(i.key !== undefined && { key: i.key }),
            ...(signingSecret !== undefined && { signingSecret }),
            ...(rateLimitPerMinute !== undefined && { rateLimitPerMinute }),
          });
          if (i.key === undefined && created.key) createdKeys.push({ service: x.name, integration: i.name, key: created.key });
        },
      });
    };
    for (const i of existing) {
      if (fileNames.has(i.name)) continue;
      changes.push(`- integration ${label(i.name)}`);
      phase.integrationDeletes.push({ path: spath, run: () => deleteIntegration(ctx, actor, i.id) });
    }
    for (const [ii, i] of x.integrations.entries()) {
      const ipath = ['services', si, 'integrations', ii] as const;
      const have = existingByName.get(i.name);
      if (!have) {
        if (current) changes.push(`+ integration ${label(i.name)} (${i.kind}${i.key === undefined ? ', key generated' : ''})`);
        create(i, ipath);
        continue;
      }
      const settings = openIntegrationSettings(ctx, JSON.parse(have.settings) as IntegrationSettings, true);
      if (have.kind !== i.kind) {
        changes.push(`~ integration ${label(i.name)}: kind ${have.kind} -> ${i.kind} (re-created${i.key === undefined ? ' with a generated key' : ''})`);
        phase.integrationDeletes.push({ path: ipath, run: () => deleteIntegration(ctx, actor, have.id) });
        create(i, ipath, settings);
        continue;
      }
      const diffs: string[] = [];
      const patch: { key?: string; signingSecret?: string | null; rateLimitPerMinute?: number | null } = {};
      if (i.key !== undefined && sha256(i.key) !== have.key_hash) {
        diffs.push('key changed');
        patch.key = i.key;
      }
      if (i.signingSecret !== undefined && i.signingSecret !== (settings.signingSecret ?? null)) {
        diffs.push(i.signingSecret === null ? 'signing secret removed' : settings.signingSecret === undefined ? 'signing secret set' : 'signing secret changed');
        patch.signingSecret = i.signingSecret;
      }
      if (i.rateLimitPerMinute !== undefined && i.rateLimitPerMinute !== (settings.rateLimitPerMinute ?? null)) {
        diffs.push(`rateLimitPerMinute ${s(settings.rateLimitPerMinute)} -> ${s(i.rateLimitPerMinute)}`);
        patch.rateLimitPerMinute = i.rateLimitPerMinute;
      }
      if (diffs.length) {
        changes.push(`~ integration ${label(i.name)}: ${diffs.join('; ')}`);
        phase.integrationUpdates.push({ path: ipath, run: async () => void (await updateIntegration(ctx, actor, have.id, patch)) });
      }
    }
  }

  // ---- pruning: only for the kinds the file lists ----
  if (prune) {
    if (doc.services) {
      for (const x of dbServices) {
        if (fileServices.has(x.name)) continue;
        pruneChanges.push(`- service ${q(x.name)}`);
        phase.pruneServices.push({ path: ['services'], what: `deleting service ${q(x.name)}`, run: () => deleteService(ctx, actor, x.id) });
      }
    }
    if (doc.escalationPolicies) {
      for (const p of dbPolicies) {
        if (filePolicies.has(p.name)) continue;
        pruneChanges.push(`- policy ${q(p.name)}`);
        phase.prunePolicies.push({ path: ['escalationPolicies'], what: `deleting policy ${q(p.name)}`, run: () => deletePolicy(ctx, actor, p.id) });
      }
    }
    if (doc.schedules) {
      for (const x of dbSchedules) {
        if (fileSchedules.has(x.name)) continue;
        // A targeted schedule cannot be deleted: the policies that target it must stop first, by the
        // file's levels (which cannot name a pruned schedule) or by being pruned themselves.
        const stillTargeting = dbPolicies.filter(
          (p) =>
            !filePolicies.has(p.name) &&
            !(prune && doc.escalationPolicies) &&
            p.levels.some((l) => l.targets.some((t) => (t.type === 'schedule' || t.type === 'schedule_next' || t.type === 'schedule_previous') && t.id === x.id)),
        );
        if (stillTargeting.length) {
          problem(
            ['schedules'],
            `--prune would delete schedule ${q(x.name)}, but escalation polic${stillTargeting.length === 1 ? 'y' : 'ies'} ${stillTargeting.map((p) => q(p.name)).join(', ')} not in this file target${stillTargeting.length === 1 ? 's' : ''} it: add ${stillTargeting.length === 1 ? 'it' : 'them'} to the file, or the schedule`,
          );
          continue;
        }
        pruneChanges.push(`- schedule ${q(x.name)}`);
        phase.pruneSchedules.push({ path: ['schedules'], what: `deleting schedule ${q(x.name)}`, run: () => deleteSchedule(ctx, actor, x.id) });
      }
    }
    if (doc.teams) {
      for (const t of dbTeams) {
        if (fileTeams.has(t.name)) continue;
        pruneChanges.push(`- team ${q(t.name)}`);
        phase.pruneTeams.push({ path: ['teams'], what: `deleting team ${q(t.name)}`, run: () => deleteTeam(ctx, actor, t.id) });
      }
    }
    if (doc.users) {
      for (const u of dbUsers) {
        if (fileUsers.has(u.email.toLowerCase())) continue;
        if (selfDeletionProblem(actor, u.id)) {
          // deleteUser's own rule, said in the file's terms.
          problem(['users'], `--prune would delete ${u.email}, the user applying this file: add them to the file`);
          continue;
        }
        pruneChanges.push(`- user ${u.email}`);
        phase.pruneUsers.push({ path: ['users'], what: `deleting user ${u.email}`, run: () => deleteUser(ctx, actor, u.id) });
      }
    }
  }

  // Integration keys are unique across every service: createIntegration and updateIntegration
  // check that, after this apply's deletes (integration deletes and service prunes run first).

  // ---- event rules (rules/config.ts): replaced per set, after the integrations they belong to exist ----
  const ruleSets: ManagedSet[] = [];
  if (doc.eventRules) ruleSets.push({ integration: null, rules: doc.eventRules, path: ['eventRules'] });
  for (const [si, x] of (doc.services ?? []).entries())
    for (const [ii, i] of (x.integrations ?? []).entries())
      if (i.rules) ruleSets.push({ integration: { service: x.name, name: i.name }, rules: i.rules, path: ['services', si, 'integrations', ii, 'rules'] });
  const serviceIdByName = new Map(dbServices.map((x) => [x.name, x.id]));
  const planned = await planRuleSets(
    ctx,
    ruleSets,
    (service, name) => integrationIdByServiceName(db, service, name),
    (service, name) => {
      const kind = doc.services?.find((x) => x.name === service)?.integrations?.find((i) => i.name === name)?.kind;
      return dbIntegrations.find((i) => i.service_id === serviceIdByName.get(service) && i.name === name && i.kind === kind)?.id;
    },
    (path, message) => problem(path as DocPath, message),
  );
  changes.push(...planned.changes);

  const steps = [
    ...phase.users,
    ...phase.teams,
    ...phase.schedules,
    ...phase.policies,
    ...phase.services,
    ...phase.pruneServices,
    ...phase.integrationDeletes,
    ...phase.integrationUpdates,
    ...phase.integrationCreates,
    ...phase.heartbeats,
    ...phase.hotlines,
    ...phase.chatChannels,
    ...planned.steps.map((x): Step => ({ path: x.path, run: x.run })),
    ...phase.prunePolicies,
    ...phase.pruneSchedules,
    ...phase.pruneTeams,
    ...phase.pruneUsers,
  ];
  return { changes: [...changes, ...pruneChanges], steps, problems, createdKeys, createdHeartbeats };
}

/** What differs between a schedule in the file and in the database, as change-line parts (none: nothing to do). */
function scheduleDiffs(x: ScheduleSpec, current: Schedule, teamNameById: Map<string, string>, dbEmail: (id: string) => string): string[] {
  const diffs: string[] = [];
  if (x.description !== undefined && x.description !== current.description) diffs.push('description changed');
  const teamNow = current.teamId === null ? null : (teamNameById.get(current.teamId) ?? current.teamId);
  if (x.team !== undefined && x.team !== teamNow) diffs.push(`team ${s(teamNow)} -> ${s(x.team)}`);
  if (x.timeZone !== current.timeZone) diffs.push(`timeZone ${current.timeZone} -> ${x.timeZone}`);
  if (x.layering !== undefined && x.layering !== current.layering) diffs.push(`layering ${current.layering} -> ${x.layering}`);
  if (x.handoffNoticeMinutes !== undefined && x.handoffNoticeMinutes !== current.handoffNoticeMinutes) diffs.push(`handoffNoticeMinutes ${current.handoffNoticeMinutes} -> ${x.handoffNoticeMinutes}`);
  if (x.gapNoticeDays !== undefined && x.gapNoticeDays !== current.gapNoticeDays) diffs.push(`gapNoticeDays ${current.gapNoticeDays} -> ${x.gapNoticeDays}`);
  const fileLayer = (l: ScheduleLayerSpec) => {
    const zone = l.timeZone ?? x.timeZone;
    return canonicalLayer(
      {
        ...l,
        start: parseInstant(l.start, zone),
        rotationStart: l.rotationStart === undefined ? undefined : parseInstant(l.rotationStart, zone),
        end: l.end === undefined ? null : parseInstant(l.end, zone),
      },
      x.timeZone,
      (e) => e.toLowerCase(),
    );
  };
  const after = x.layers.map(fileLayer);
  const before = current.layers.map((l) => canonicalLayer(l, current.timeZone, (id) => dbEmail(id).toLowerCase()));
  const label = (l: CanonicalLayer, i: number) => (l.name !== null ? `layer ${q(l.name)}` : `layer ${i + 1}`);
  const zoneOf = (l: CanonicalLayer) => l.timeZone;
  for (let i = 0; i < Math.max(before.length, after.length); i++) {
    const b = before[i];
    const a = after[i];
    if (b && !a) diffs.push(`-${label(b, i)}`);
    else if (a && !b) diffs.push(`+${label(a, i)}`);
    else if (a && b && stable(a) !== stable(b)) diffs.push(`${label(a, i)}: ${describeLayerChange(b, a, zoneOf)}`);
  }
  return diffs;
}

/** The document path a verb's field error points at, when the document has it (e.g. levels.0.targets.1). */
function detailPath(doc: ConfigDocument, base: DocPath, field: string): DocPath {
  const path: (string | number)[] = [...base];
  let node: unknown = base.reduce<unknown>((n, t) => (n as Record<string | number, unknown> | undefined)?.[t], doc);
  for (const raw of field.split('.')) {
    const token = Array.isArray(node) ? Number(raw) : raw;
    const next = node !== null && typeof node === 'object' ? (node as Record<string | number, unknown>)[token] : undefined;
    if (next === undefined) return base;
    path.push(token);
    node = next;
  }
  return path;
}

/**
 * Makes the database match `doc` through the domain service verbs; returns one line per change.
 * Entities are identified by name (users by email). Collections inside an entity the file gives are
 * replaced to match; fields and collections it leaves out are kept. Entities missing from the file
 * are kept unless `prune`.
 *
 * Everything runs in one transaction: a problem anywhere changes nothing. A dry run is the same
 * transaction rolled back at the end, so it reports exactly what a real apply does, and stops at
 * exactly the problems a real apply would stop at (the verbs' own checks included).
 */
export async function applyConfig(ctx: Ctx, actor: Actor, doc: ConfigDocument, opts: ApplyOptions): Promise<ApplyResult> {
  requirePermission(actor, 'admin');
  const file = configFileName(doc, opts.file);
  if (!isParsedConfig(doc)) validateConfig(doc, file);
  return withTransaction(
    ctx,
    async (tctx) => {
      const planned = await plan(tctx, actor, doc, opts);
      if (planned.problems.length) {
        throw new ConfigFileError(
          file,
          planned.problems.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity) || (a.col ?? 0) - (b.col ?? 0)),
          'Nothing was changed.',
        );
      }
      for (const step of planned.steps) {
        try {
          await step.run();
        } catch (e) {
          if (!(e instanceof AppError)) throw e;
          const details = Array.isArray(e.details) ? (e.details as FieldError[]) : [];
          const problems = details.length
            ? details.map((d) => problemAt(doc, detailPath(doc, step.path, d.path), d.message))
            : [problemAt(doc, step.path, step.what ? `${step.what}: ${e.message}` : e.message)];
          throw new ConfigFileError(file, problems, 'Nothing was changed.');
        }
      }
      // A dry run's generated keys are rolled back with everything else: none to show.
      return {
        changes: planned.changes,
        createdKeys: opts.dryRun ? [] : planned.createdKeys,
        ...(!opts.dryRun && planned.createdHeartbeats.length && { createdHeartbeats: planned.createdHeartbeats }),
      };
    },
    { rollback: opts.dryRun },
  );
}
