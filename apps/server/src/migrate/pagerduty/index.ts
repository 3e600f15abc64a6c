/*
 * The PagerDuty importer (docs/migrate.md, PagerDuty): reads the REST API v2 (read-only, classic
 * pagination, 960 requests a minute per token, 429 honoured) and maps users, contact methods,
 * notification rules, teams, schedules, escalation policies, services, integrations and future
 * overrides onto klaxon.yaml; compare reads /schedules/{id} final_schedule and /oncalls.
 */
import type { ConfigDocument, PolicySpec, ScheduleSpec, ServiceSpec, TeamSpec, UserSpec } from '../../config/schema.js';
import { pace, SourceClient } from '../source-client.js';
import {
  MigrateError,
  type ImportedMaintenance,
  type ImportOptions,
  type ImportResult,
  type Progress,
  type ReportItem,
  type SenderChange,
  type SourceAdapter,
  type SourceOnCall,
  type SourcePaging,
} from '../types.js';
import { ianaZone, instant, isoUtc, mapLayer, mapUrgency, mergeRules, uniqueNames, type PdLayer } from './map.js';
import { confirmOrder, type RenderedEntry } from './precedence.js';
import { MAX_OVERRIDES, overrideSpecs, splitNote } from '../overrides.js';
import { toImported } from '../maintenance.js';
import { normalizeAddress } from '../../user/service.js';
import { must } from '../../lib/must.js';

const WEEK = 7 * 24 * 3600_000;
/** How far ahead an import reads schedules to confirm layer precedence, and future overrides. */
const RENDER_WEEKS = 9;
const OVERRIDE_DAYS = 366;

type Q = Record<string, string | number | boolean | undefined | (string | number)[]>;
interface Ref {
  id: string;
  type?: string;
  summary?: string;
}

interface PdUser {
  id: string;
  name: string;
  email: string;
  time_zone?: string | null;
  role?: string;
  contact_methods?: { id: string; type: string; label?: string; address: string; country_code?: number }[];
  notification_rules?: { id: string; start_delay_in_minutes: number; urgency: 'high' | 'low'; contact_method: Ref }[];
}
interface PdTeam {
  id: string;
  name: string;
  description?: string | null;
}
interface PdScheduleListed {
  id: string;
  name: string;
}
interface PdSchedule {
  id: string;
  name: string;
  description?: string | null;
  time_zone: string;
  teams?: Ref[];
  schedule_layers: (PdLayer & { rendered_schedule_entries?: { start: string; end: string; user?: Ref }[] })[];
  final_schedule?: { rendered_schedule_entries?: { start: string; end: string; user?: Ref }[] };
  overrides_subschedule?: { rendered_schedule_entries?: { start: string; end: string; user?: Ref }[] };
}
interface PdPolicy {
  id: string;
  name: string;
  description?: string | null;
  num_loops?: number;
  on_call_handoff_notifications?: string;
  teams?: Ref[];
  escalation_rules: { id: string; escalation_delay_in_minutes: number; targets: Ref[]; escalation_rule_assignment_strategy?: string }[];
}
interface PdService {
  id: string;
  name: string;
  description?: string | null;
  escalation_policy?: Ref | null;
  teams?: Ref[];
  auto_resolve_timeout?: number | null;
  acknowledgement_timeout?: number | null;
  incident_urgency_rule?: Parameters<typeof mapUrgency>[0]['incident_urgency_rule'];
  support_hours?: Parameters<typeof mapUrgency>[0]['support_hours'];
  scheduled_actions?: { type?: string; at?: { name?: string }; to_urgency?: string }[];
  integrations?: { id: string; type: string; name?: string; summary?: string; vendor?: Ref | null }[];
}

/** Reads every page of a classic-paginated list (offset, limit 100, more), checking each answer's shape. */
async function list<T>(client: SourceClient, progress: Progress, label: string, path: string, key: string, query: Q = {}): Promise<T[]> {
  const out: T[] = [];
  progress.start(label);
  for (let offset = 0; ;) {
    const page = await client.getJson<Record<string, unknown>>(label, path, { ...query, limit: 100, offset, total: true });
    const items = page?.[key];
    if (!Array.isArray(items)) throw new MigrateError(label, `the answer from ${path} at offset ${offset} has no "${key}" list: it is not a PagerDuty answer or it was cut short; nothing was applied`);
    out.push(...(items as T[]));
    progress.advance(label, items.length, typeof page.total === 'number' ? page.total : undefined);
    if (page.more !== true) break;
    if (!items.length) throw new MigrateError(label, `the page of ${path} at offset ${offset} was empty but said there were more; nothing was applied`);
    offset += items.length;
  }
  progress.done(label);
  return out;
}

function entries(list: { start: string; end: string; user?: Ref }[] | undefined, emailOf: (id: string) => string | undefined): RenderedEntry[] {
  return (list ?? []).flatMap((e) => (e.user ? [{ start: instant(e.start), end: instant(e.end), user: emailOf(e.user.id) ?? e.user.id }] : []));
}

/** Everything import, compare and paging need, read once. */
async function readUsers(client: SourceClient, progress: Progress): Promise<PdUser[]> {
  return list<PdUser>(client, progress, 'users', '/users', 'users', { 'include[]': ['contact_methods', 'notification_rules'] });
}

async function readSchedule(client: SourceClient, s: { id: string; name: string }, from: number, to: number): Promise<PdSchedule> {
  const label = `schedule "${s.name}" (${s.id})`;
  const r = await client.getJson<{ schedule?: PdSchedule }>(label, `/schedules/${encodeURIComponent(s.id)}`, { since: isoUtc(from), until: isoUtc(to), time_zone: 'UTC' });
  if (!r?.schedule || !Array.isArray(r.schedule.schedule_layers))
    throw new MigrateError(label, 'the answer has no schedule with schedule_layers: it is not a PagerDuty answer or it was cut short; nothing was applied');
  return r.schedule;
}

/** A schedule's layers in confirmed precedence order (lowest first), and what the check found. */
function layersByPrecedence(s: PdSchedule, emailOf: (id: string) => string | undefined, from: number, to: number): { layers: PdSchedule['schedule_layers']; note?: string; doubt?: string } {
  const listed = s.schedule_layers;
  if (listed.length < 2) return { layers: listed };
  const c = confirmOrder(
    listed.map((l) => entries(l.rendered_schedule_entries, emailOf)),
    entries(s.overrides_subschedule?.rendered_schedule_entries, emailOf),
    entries(s.final_schedule?.rendered_schedule_entries, emailOf),
    from,
    to,
  );
  const layers = c.order.map((i) => must(listed[i], 'listed[i]'));
  const names = layers
    .map((l) => l.name ?? l.id)
    .reverse()
    .join(' over ');
  if (c.verdict === 'reversed')
    return {
      layers,
      note: `PagerDuty listed the layers in the reverse of their precedence (the order of its GET answers disagreed with final_schedule); imported by final_schedule's precedence: ${names}`,
    };
  if (c.verdict === 'undecided')
    return {
      layers,
      note: `the layers never overlap from ${isoUtc(from)} to ${isoUtc(to)}, so final_schedule cannot confirm their precedence; imported in the order PagerDuty listed them, the last winning (${names})`,
    };
  if (c.verdict === 'neither') {
    return {
      layers,
      doubt: `final_schedule matches neither order of the layers (${Math.round(c.mismatchMs.asListed / 60_000)} min differ as listed, ${Math.round(c.mismatchMs.reversed / 60_000)} min reversed); imported ${names}; klaxon compare shows where`,
    };
  }
  return { layers };
}

function pdClient(opts: { url: string; credential: string; maxRate: number; maxTries: number }): SourceClient {
  return new SourceClient({
    baseUrl: opts.url,
    auth: { header: 'authorization', value: `Token token=${opts.credential}` },
    headers: { accept: 'application/vnd.pagerduty+json;version=2' },
    ...pace(opts.maxRate, opts.maxTries),
  });
}

function item(severity: ReportItem['severity'], kind: string, name: string, id: string, why: string, instead: string): ReportItem {
  return { severity, kind, name, id, why, instead };
}

async function importAccount(client: SourceClient, progress: Progress, opts: ImportOptions): Promise<ImportResult> {
  const items: ReportItem[] = [];
  const senders: SenderChange[] = [];
  const counts: Record<string, number> = {};
  const now = opts.now;

  // ---- users, contact methods, notification rules ----
  const pdUsers = await readUsers(client, progress);
  counts.users = pdUsers.length;
  const emailById = new Map(pdUsers.filter((u) => u.email).map((u) => [u.id, u.email.trim().toLowerCase()]));
  const emailOf = (id: string) => emailById.get(id);
  const users: UserSpec[] = [];
  for (const u of pdUsers) {
    const email = emailOf(u.id);
    if (!email) {
      items.push(item('not-imported', 'user', u.name, u.id, 'it has no email address (Klaxon identifies people by email)', 'not imported'));
      continue;
    }
    const zone = ianaZone(u.time_zone);
    if (u.time_zone && !zone) items.push(item('changed', 'user time zone', u.name, u.id, `time zone "${u.time_zone}" is not an IANA zone Klaxon knows`, 'time zone left as is (new users: UTC)'));
    if (u.role && u.role !== 'user')
      items.push(item('note', 'user role', u.name, u.id, `PagerDuty role ${u.role}; Klaxon roles are not taken from PagerDuty`, 'role left as is (new users are responders): set it in Klaxon'));
    const names = new Set<string>();
    const cmName = new Map<string, string>();
    const contactMethods: NonNullable<UserSpec['contactMethods']> = [];
    for (const c of u.contact_methods ?? []) {
      const type = c.type === 'email_contact_method' ? 'email' : c.type === 'sms_contact_method' ? 'sms' : c.type === 'phone_contact_method' ? 'voice' : undefined;
      const label = `${u.name}: ${c.label ?? c.type}`;
      if (!type) {
        const push = c.type === 'push_notification_contact_method';
        items.push(
          item(
            'not-imported',
            'contact method',
            label,
            c.id,
            push ? 'push to the PagerDuty mobile app cannot be carried over' : `${c.type} has no Klaxon equivalent`,
            push ? `not imported: ${u.name} installs Klaxon's web app on the phone and allows notifications (push is a contact method there)` : 'not imported',
          ),
        );
        continue;
      }
      const normal = normalizeAddress(type, type === 'email' ? c.address : `+${c.country_code ?? ''}${c.address.replace(/\D/g, '')}`);
      if ('error' in normal) {
        items.push(item('not-imported', 'contact method', label, c.id, `"${c.address}"${c.country_code ? ` (country code ${c.country_code})` : ''} ${normal.error}`, 'not imported'));
        continue;
      }
      const address = normal.value;
      let name = `${(c.label || type).slice(0, 90)}${type === 'email' ? '' : ` ${type}`}`.trim();
      for (let n = 2; names.has(name.toLowerCase()); n++) name = `${(c.label || type).slice(0, 80)} ${type} ${n}`;
      names.add(name.toLowerCase());
      cmName.set(c.id, name);
      contactMethods.push({ name, type, address });
    }
    const rules: { contactMethod: string; delayMinutes: number; urgency: 'high' | 'low' }[] = [];
    for (const r of u.notification_rules ?? []) {
      const name = cmName.get(r.contact_method.id);
      if (!name) {
        items.push(
          item('not-imported', 'notification rule', `${u.name}: ${r.urgency} urgency after ${r.start_delay_in_minutes} min`, r.id, 'its contact method was not imported (see above)', 'not imported'),
        );
        continue;
      }
      let delay = r.start_delay_in_minutes;
      if (delay > 1440) {
        items.push(item('changed', 'notification rule', `${u.name}: ${name} after ${delay} min`, r.id, 'Klaxon rules wait at most 1440 minutes', 'after 1440 minutes'));
        delay = 1440;
      }
      rules.push({ contactMethod: name, delayMinutes: delay, urgency: r.urgency === 'low' ? 'low' : 'high' });
    }
    users.push({ email, name: u.name.slice(0, 200) || email, ...(zone && { timeZone: zone }), contactMethods, notificationRules: mergeRules(rules) });
  }

  // ---- teams ----
  const pdTeams = await list<PdTeam>(client, progress, 'teams', '/teams', 'teams');
  counts.teams = pdTeams.length;
  const teamName = uniqueNames(
    pdTeams,
    (t) => t.name,
    (t) => t.id,
    100,
  );
  const teams: TeamSpec[] = [];
  for (const t of pdTeams) {
    const members = await list<{ user: Ref; role?: string }>(client, silentNested(progress), `team "${t.name}" members`, `/teams/${encodeURIComponent(t.id)}/members`, 'members');
    teams.push({
      name: must(teamName.get(t.id), 'teamName.get(t.id)'),
      ...(t.description && { description: t.description.slice(0, 2000) }),
      members: members.flatMap((m) => {
        const user = emailOf(m.user.id);
        return user ? [{ user, role: m.role === 'manager' ? ('manager' as const) : ('member' as const) }] : [];
      }),
    });
    for (const m of members)
      if (m.role === 'observer')
        items.push(item('note', 'team member', `${t.name}: ${m.user.summary ?? m.user.id}`, m.user.id, 'PagerDuty team role observer; Klaxon team members are members or managers', 'member'));
  }

  // ---- schedules ----
  const listed = await list<PdScheduleListed>(client, progress, 'schedules', '/schedules', 'schedules');
  counts.schedules = listed.length;
  const scheduleName = uniqueNames(
    listed,
    (s) => s.name,
    (s) => s.id,
    200,
  );
  const schedules: ScheduleSpec[] = [];
  let overrideCount = 0;
  const from = now;
  const to = now + RENDER_WEEKS * WEEK;
  progress.start('schedule layers', listed.length);
  for (const ls of listed) {
    const s = await readSchedule(client, ls, from, to);
    const name = must(scheduleName.get(s.id), 'scheduleName.get(s.id)');
    const zone = ianaZone(s.time_zone);
    if (!zone) {
      items.push(item('not-imported', 'schedule', s.name, s.id, `time zone "${s.time_zone}" is not an IANA zone Klaxon knows`, 'not imported'));
      progress.advance('schedule layers', 1);
      continue;
    }
    const ordered = layersByPrecedence(s, emailOf, from, to);
    if (ordered.note) items.push(item('note', 'schedule layer order', s.name, s.id, ordered.note, 'layers imported in that precedence (the last wins)'));
    if (ordered.doubt) items.push(item('changed', 'schedule layer order', s.name, s.id, ordered.doubt, 'layers imported in the closer order'));
    const layers: ScheduleSpec['layers'] = [];
    for (const l of ordered.layers) {
      const m = mapLayer(l, zone, emailOf);
      const label = `${s.name}: ${l.name ?? l.id}`;
      if (m.problem || !m.layer) {
        items.push(item('not-imported', 'schedule layer', label, l.id, m.problem ?? 'unreadable', 'not imported'));
        continue;
      }
      if (l.end && instant(l.end) <= now) {
        items.push(item('note', 'schedule layer', label, l.id, `it ended at ${l.end}`, 'not imported (past)'));
        continue;
      }
      for (const why of m.inexact) items.push(item('changed', 'schedule layer', label, l.id, why, 'imported as described'));
      layers.push(m.layer);
    }
    if (layers.length > 20)
      items.push(item('not-imported', 'schedule layer', s.name, s.id, `${layers.length} layers; Klaxon schedules have at most 20`, 'the 20 with the highest precedence were imported'));
    if (s.teams && s.teams.length > 1)
      items.push(
        item('changed', 'schedule team', s.name, s.id, `it belongs to ${s.teams.length} teams; a Klaxon schedule has one owner team`, `owned by ${must(s.teams[0], 'the first team').summary}`),
      );
    const team = s.teams?.[0] ? teamName.get(s.teams[0].id) : undefined;
    const spec: ScheduleSpec = { name, ...(s.description && { description: s.description.slice(0, 2000) }), ...(team && { team }), timeZone: zone, layers: layers.slice(-20) };
    schedules.push(spec);

    // Future overrides (those still running or to come): a PagerDuty override puts its user on call
    // instead of whoever the layers have, which is a Klaxon override exactly (schedule `overrides`).
    const label = `schedule "${s.name}" (${s.id}) overrides`;
    const ov = await client.getJson<{ overrides?: { id: string; start: string; end: string; user?: Ref }[] }>(label, `/schedules/${encodeURIComponent(s.id)}/overrides`, {
      since: isoUtc(now),
      until: isoUtc(now + OVERRIDE_DAYS * 24 * 3600_000),
    });
    if (!Array.isArray(ov?.overrides)) throw new MigrateError(label, 'the answer has no "overrides" list: it is not a PagerDuty answer or it was cut short; nothing was applied');
    for (const o of ov.overrides) {
      const email = o.user && emailOf(o.user.id);
      const start = instant(o.start);
      const end = instant(o.end);
      if (!email || !(end > now) || !(end > start)) {
        items.push(item('not-imported', 'schedule override', `${s.name}: ${o.start} – ${o.end}`, o.id, email ? 'it is over or empty' : 'its user was not imported', 'not imported'));
        continue;
      }
      const specs = overrideSpecs([email], start, end, zone, `PagerDuty override ${o.id}`);
      if ((spec.overrides?.length ?? 0) + specs.length > MAX_OVERRIDES) {
        items.push(
          item(
            'not-imported',
            'schedule override',
            `${s.name}: ${o.start} – ${o.end}`,
            o.id,
            `the schedule has more than ${MAX_OVERRIDES} future overrides; klaxon.yaml takes ${MAX_OVERRIDES} per schedule`,
            'not imported: add it in Klaxon after the import',
          ),
        );
        continue;
      }
      (spec.overrides ??= []).push(...specs);
      if (specs.length > 1)
        items.push(item('note', 'schedule override', `${s.name}: ${o.start} – ${o.end}`, o.id, 'it lasts longer than 366 days, the longest Klaxon override', splitNote(specs.length)));
      overrideCount++;
    }
    progress.advance('schedule layers', 1);
  }
  progress.done('schedule layers');
  counts.overrides = overrideCount;

  // ---- escalation policies ----
  const pdPolicies = await list<PdPolicy>(client, progress, 'escalation policies', '/escalation_policies', 'escalation_policies');
  counts['escalation policies'] = pdPolicies.length;
  const policyName = uniqueNames(
    pdPolicies,
    (p) => p.name,
    (p) => p.id,
    200,
  );
  const policies: PolicySpec[] = [];
  for (const p of pdPolicies) {
    const levels: PolicySpec['levels'] = [];
    for (const [ri, r] of p.escalation_rules.entries()) {
      const label = `${p.name}: rule ${ri + 1}`;
      const targets: PolicySpec['levels'][number]['targets'] = [];
      for (const t of r.targets) {
        const type = t.type?.replace(/_reference$/, '');
        const user = type === 'user' ? emailOf(t.id) : undefined;
        const schedule = type === 'schedule' ? scheduleName.get(t.id) : undefined;
        if (user) targets.push({ user });
        else if (schedule !== undefined && schedules.some((s) => s.name === schedule)) targets.push({ schedule });
        else items.push(item('not-imported', 'escalation target', `${label}: ${t.summary ?? t.id}`, t.id, `target ${t.type} is not an imported user or schedule`, 'not imported'));
      }
      if (r.escalation_rule_assignment_strategy === 'round_robin')
        items.push(item('changed', 'escalation rule', label, r.id, 'round robin assignment (one target per incident in turn) has no Klaxon equivalent', 'every target of the level is paged'));
      // PagerDuty's delay is whole minutes before the incident escalates away from this rule: a Klaxon
      // level's delayMinutes exactly (0 included). Only what Klaxon cannot hold is changed, and said.
      let delay = r.escalation_delay_in_minutes;
      if (!(Number.isInteger(delay) && delay >= 0 && delay <= 1440)) {
        const to = Math.min(1440, Math.max(0, Math.ceil(Number(delay)) || 0));
        items.push(item('changed', 'escalation rule', label, r.id, `a delay of ${delay} minutes; Klaxon levels wait a whole number of minutes from 0 to 1440`, `${to} minutes`));
        delay = to;
      }
      if (!targets.length) {
        items.push(item('not-imported', 'escalation rule', label, r.id, 'none of its targets was imported', 'level left out'));
        continue;
      }
      levels.push({ delayMinutes: delay, targets });
    }
    if (!levels.length) {
      items.push(item('not-imported', 'escalation policy', p.name, p.id, 'none of its rules could be imported', 'not imported'));
      continue;
    }
    let repeat = p.num_loops ?? 0;
    if (repeat > 9) {
      items.push(item('changed', 'escalation policy', p.name, p.id, `num_loops ${repeat}; Klaxon repeats a policy at most 9 times`, 'repeat 9'));
      repeat = 9;
    }
    if (p.on_call_handoff_notifications === 'always') {
      items.push(
        item(
          'note',
          'escalation policy',
          p.name,
          p.id,
          'on-call hand-off notifications "always" (also for people on policies without services)',
          'Klaxon sends hand-off notices per schedule (handoffNoticeMinutes, 60 by default) to everyone on its schedules',
        ),
      );
    }
    if (p.teams && p.teams.length > 0)
      items.push(
        item(
          'note',
          'escalation policy',
          p.name,
          p.id,
          `it belongs to team ${p.teams.map((t) => t.summary ?? t.id).join(', ')}; Klaxon escalation policies have no team`,
          'imported without a team (its services keep theirs)',
        ),
      );
    policies.push({ name: must(policyName.get(p.id), 'policyName.get(p.id)'), ...(p.description && { description: p.description.slice(0, 2000) }), repeat, levels });
  }

  // ---- services and integrations ----
  const pdServices = await list<PdService>(client, progress, 'services', '/services', 'services', { 'include[]': ['integrations'] });
  counts.services = pdServices.length;
  counts.integrations = 0;
  const serviceName = uniqueNames(
    pdServices,
    (s) => s.name,
    (s) => s.id,
    200,
  );
  const services: ServiceSpec[] = [];
  const klaxon = opts.klaxonUrl.replace(/\/+$/, '');
  for (const s of pdServices) {
    const name = must(serviceName.get(s.id), 'serviceName.get(s.id)');
    const u = mapUrgency(s);
    for (const why of u.inexact) items.push(item('changed', 'service urgency', s.name, s.id, why, 'as described'));
    for (const a of s.scheduled_actions ?? []) {
      items.push(
        item(
          'not-imported',
          'service scheduled action',
          s.name,
          s.id,
          `${a.type ?? 'action'} to ${a.to_urgency ?? '?'} at ${a.at?.name ?? '?'}: Klaxon does not raise open low-urgency incidents when support hours start`,
          'not imported: such incidents stay low urgency',
        ),
      );
    }
    if (s.acknowledgement_timeout)
      items.push(
        item(
          'not-imported',
          'service setting',
          s.name,
          s.id,
          `acknowledgement_timeout ${s.acknowledgement_timeout} s (an acknowledged incident triggers again) has no Klaxon equivalent`,
          'not imported',
        ),
      );
    if (s.auto_resolve_timeout)
      items.push(
        item(
          'not-imported',
          'service setting',
          s.name,
          s.id,
          `auto_resolve_timeout ${s.auto_resolve_timeout} s (incidents resolve by themselves) has no Klaxon equivalent`,
          'not imported: incidents stay open until resolved',
        ),
      );
    const policy = s.escalation_policy ? policyName.get(s.escalation_policy.id) : undefined;
    const team = s.teams?.[0] ? teamName.get(s.teams[0].id) : undefined;
    const integrations: NonNullable<ServiceSpec['integrations']> = [];
    const integNames = new Set<string>();
    for (const i of s.integrations ?? []) {
      counts.integrations++;
      const iname0 = (i.name ?? i.summary ?? i.type).slice(0, 90);
      let iname = iname0;
      for (let n = 2; integNames.has(iname.toLowerCase()); n++) iname = `${iname0} ${n}`;
      const label = `${s.name}: ${i.name ?? i.summary ?? i.id}`;
      if (i.type === 'generic_email_inbound_integration') {
        items.push(
          item(
            'not-imported',
            'integration',
            label,
            i.id,
            'Klaxon has no inbound email yet',
            "not imported: keep sending that mail to PagerDuty, or move the sender to Klaxon's generic webhook or Events API v2",
          ),
        );
        continue;
      }
      if (i.type !== 'events_api_v2_inbound_integration' && i.type !== 'generic_events_api_inbound_integration') {
        items.push(
          item(
            'not-imported',
            'integration',
            label,
            i.id,
            `integration type ${i.type} has no Klaxon equivalent`,
            'not imported: send these alerts through Events API v2, Alertmanager or the generic webhook',
          ),
        );
        continue;
      }
      integNames.add(iname.toLowerCase());
      integrations.push({ name: iname, kind: 'pagerduty' });
      const vendor = i.vendor?.summary ?? '';
      let instruction: string;
      if (i.type === 'generic_events_api_inbound_integration') {
        items.push(
          item('changed', 'integration', label, i.id, 'Events API v1 (generic/2010-04-15/create_event.json) is not taken by Klaxon', 'an Events API v2 integration: move the sender to Events API v2'),
        );
        instruction = `Events API v1 sender: switch it to Events API v2, posting to ${klaxon}/v2/enqueue with routing_key set to the new key (Klaxon does not take the v1 create_event.json format).`;
      } else if (/prometheus|alertmanager/i.test(vendor) || /prometheus|alertmanager/i.test(iname)) {
        instruction = `Alertmanager: in the receiver's pagerduty_configs, set url: ${klaxon}/v2/enqueue and routing_key: to the new key.`;
      } else {
        instruction = `Events API v2 sender${vendor ? ` (${vendor})` : ''}: change the events base URL from https://events.pagerduty.com to ${klaxon} (PagerDuty SDKs and agents post to ${klaxon}/v2/enqueue) and the routing key to the new key.`;
      }
      senders.push({ source: { name: label, id: i.id, type: i.type }, service: name, integration: iname, instruction });
    }
    services.push({
      name,
      ...(s.description && { description: s.description.slice(0, 2000) }),
      team: team ?? null,
      escalationPolicy: policy ?? null,
      urgencyRule: u.urgencyRule,
      supportHours: u.supportHours ?? null,
      integrations,
    });
    if (s.teams && s.teams.length > 1)
      items.push(item('changed', 'service team', s.name, s.id, `it belongs to ${s.teams.length} teams; a Klaxon service has one`, `owned by ${must(s.teams[0], 'the first team').summary}`));
    if (s.escalation_policy && !policy) items.push(item('changed', 'service', s.name, s.id, 'its escalation policy was not imported', 'no escalation policy'));
  }

  // ---- maintenance windows: created by --apply with the configuration (not part of klaxon.yaml) ----
  const windows = await list<{ id: string; description?: string; start_time: string; end_time: string; services?: Ref[] }>(
    client,
    progress,
    'maintenance windows',
    '/maintenance_windows',
    'maintenance_windows',
    { filter: 'open' },
  );
  counts['maintenance windows'] = windows.length;
  const imported = new Set(services.map((s) => s.name));
  const maintenance: ImportedMaintenance[] = [];
  for (const w of windows) {
    const covered = (w.services ?? []).map((x) => ({ ref: x, name: serviceName.get(x.id) }));
    const m = toImported(
      {
        kind: 'maintenance window',
        vendor: 'PagerDuty',
        source: { name: `${w.description ?? ''} ${w.start_time} – ${w.end_time}`.trim(), id: w.id },
        title: w.description ?? '',
        services: covered.flatMap((c) => (c.name && imported.has(c.name) ? [c.name] : [])),
        uncovered: covered.filter((c) => !c.name || !imported.has(c.name)).map((c) => c.ref.summary ?? c.ref.id),
        startsAt: Date.parse(w.start_time),
        endsAt: Date.parse(w.end_time),
        differs: 'PagerDuty opens no incidents on its services during the window; Klaxon opens them and pages nobody',
      },
      opts.now,
      items,
    );
    if (m) maintenance.push(m);
  }

  const config: ConfigDocument = { version: 1, users, teams, schedules, escalationPolicies: policies, services };
  return { source: 'pagerduty', url: client.baseUrl, config, counts, items, senders, maintenance };
}

/** Progress for lists read per parent (team members): shown as one line per team would be noise. */
function silentNested(_p: Progress): Progress {
  return { start() {}, advance() {}, done() {} };
}

async function onCall(client: SourceClient, progress: Progress, span: { from: number; to: number }): Promise<SourceOnCall[]> {
  const users = await readUsers(client, progress);
  const emailById = new Map(users.filter((u) => u.email).map((u) => [u.id, u.email.trim().toLowerCase()]));
  const emailOf = (id: string) => emailById.get(id);
  const listed = await list<PdScheduleListed>(client, progress, 'schedules', '/schedules', 'schedules');
  const names = uniqueNames(
    listed,
    (s) => s.name,
    (s) => s.id,
    200,
  );
  const out: SourceOnCall[] = [];
  progress.start('final schedules', listed.length);
  for (const ls of listed) {
    const s = await readSchedule(client, ls, span.from, span.to);
    const final = entries(s.final_schedule?.rendered_schedule_entries, emailOf);
    const ordered = layersByPrecedence(s, emailOf, span.from, span.to);
    out.push({
      schedule: must(names.get(s.id), 'names.get(s.id)'),
      source: { name: s.name, id: s.id },
      intervals: final.map((e) => ({ start: Math.max(e.start, span.from), end: Math.min(e.end, span.to), emails: [e.user] })).filter((e) => e.end > e.start),
      ...((ordered.note ?? ordered.doubt) && { notes: [ordered.doubt ?? must(ordered.note, 'the note')] }),
    });
    progress.advance('final schedules', 1);
  }
  progress.done('final schedules');
  return out;
}

async function paging(client: SourceClient, progress: Progress, at: number): Promise<SourcePaging[]> {
  const users = await readUsers(client, progress);
  const emailById = new Map(users.filter((u) => u.email).map((u) => [u.id, u.email.trim().toLowerCase()]));
  const policies = await list<PdPolicy>(client, progress, 'escalation policies', '/escalation_policies', 'escalation_policies');
  const services = await list<PdService>(client, progress, 'services', '/services', 'services');
  const oncalls = await list<{ escalation_policy: Ref; escalation_level: number; user?: Ref; start?: string | null; end?: string | null }>(client, progress, 'on-calls', '/oncalls', 'oncalls', {
    since: isoUtc(at),
    until: isoUtc(at + 1000),
  });
  const names = uniqueNames(
    services,
    (s) => s.name,
    (s) => s.id,
    200,
  );
  const out: SourcePaging[] = [];
  for (const s of services) {
    const p = policies.find((x) => x.id === s.escalation_policy?.id);
    if (!p) continue;
    const levels = p.escalation_rules.map((_, i) => {
      const emails = oncalls
        .filter((o) => o.escalation_policy.id === p.id && o.escalation_level === i + 1 && o.user)
        .filter((o) => (!o.start || instant(o.start) <= at) && (!o.end || at < instant(o.end)))
        .flatMap((o) => (o.user ? [emailById.get(o.user.id) ?? o.user.id] : []));
      return { emails: [...new Set(emails)].sort() };
    });
    out.push({ service: must(names.get(s.id), 'names.get(s.id)'), source: { name: s.name, id: s.id }, levels });
  }
  return out;
}

export const pagerduty: SourceAdapter = {
  name: 'pagerduty',
  credential: { flag: '--token <token>', env: 'PAGERDUTY_TOKEN', describe: 'a PagerDuty REST API key (read-only is enough)' },
  defaultUrl: 'https://api.pagerduty.com',
  client: pdClient,
  import: importAccount,
  onCall,
  paging,
};
