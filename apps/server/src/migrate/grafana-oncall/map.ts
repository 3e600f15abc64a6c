import { lookup } from '../types.js';
/*
 * A Grafana OnCall account -> klaxon.yaml. Pure: the account as read (api.ts) in, the document and
 * the report out. onCall() and paging() (index.ts) use the same names and levels through the
 * helpers exported here, so the comparison lines up with what was imported.
 */
import type { ConfigDocument, PolicySpec, ScheduleSpec, ServiceSpec, TargetSpec, TeamSpec, UserSpec } from '../../config/schema.js';
import type { ImportedMaintenance, ImportResult, ReportItem, SenderChange } from '../types.js';
import { toImported } from '../maintenance.js';
import type { GChain, GEscalationPolicy, GIntegration, GrafanaAccount, GSchedule, GShift, GUser } from './api.js';
import { MAX_OVERRIDES, overrideSpecs, splitNote } from '../overrides.js';
import { mapShift } from './shifts.js';
import { must } from '../../lib/must.js';

/** Klaxon names must be unique where Grafana's need not be: a repeated name gets its id appended. */
export function uniqueNames<T extends { id: string; name: string }>(list: readonly T[], max: number): Map<string, string> {
  const count = new Map<string, number>();
  for (const x of list) count.set(x.name.trim(), (count.get(x.name.trim()) ?? 0) + 1);
  const out = new Map<string, string>();
  for (const x of list) {
    const base = x.name.trim() || x.id;
    const n = (count.get(x.name.trim()) ?? 0) > 1 || !x.name.trim() ? `${base.slice(0, max - x.id.length - 3)} (${x.id})` : base.slice(0, max);
    out.set(x.id, n);
  }
  return out;
}

/** The schedules the import turns into Klaxon schedules (web and calendar schedules; iCal-only ones are not imported). */
export function importableSchedules(schedules: readonly GSchedule[]): GSchedule[] {
  return schedules.filter((s) => s.type === 'web' || s.type === 'calendar');
}

/** Shifts belonging to a schedule: a web schedule's own, or those a calendar schedule lists. */
export function shiftsOf(s: GSchedule, shifts: readonly GShift[]): GShift[] {
  const listed = new Set(s.shifts ?? []);
  return shifts.filter((x) => x.schedule === s.id || listed.has(x.id));
}

/**
 * A schedule's one-off overrides -> Klaxon schedule overrides. Grafana: where overrides have anyone,
 * exactly the users of every override covering the instant are on call, replacing all levels. A
 * Klaxon override replaces everyone too, but of two overlapping ones the later wins; so overlapping
 * overrides are cut where they overlap, each piece naming everyone of the overrides covering it.
 */
export function scheduleOverrides(
  list: readonly { users: string[]; start: number; end: number; id: string; name: string }[],
  zone: string,
  s: { name: string; id: string },
  items: ReportItem[],
): NonNullable<ScheduleSpec['overrides']> {
  const cuts = [...new Set(list.flatMap((o) => [o.start, o.end]))].sort((a, b) => a - b);
  const pieces: { start: number; end: number; users: string[]; from: string[] }[] = [];
  for (let i = 0; i + 1 < cuts.length; i++) {
    const [a, b] = [must(cuts[i], 'cuts[i]'), must(cuts[i + 1], 'cuts[i + 1]')];
    const covering = list.filter((o) => o.start <= a && o.end >= b);
    if (!covering.length) continue;
    const users = [...new Set(covering.flatMap((o) => o.users))].sort();
    const from = covering.map((o) => o.id).sort();
    const prev = pieces[pieces.length - 1];
    if (prev && prev.end === a && prev.users.join() === users.join() && prev.from.join() === from.join()) prev.end = b;
    else pieces.push({ start: a, end: b, users, from });
  }
  const out: NonNullable<ScheduleSpec['overrides']> = [];
  for (const p of pieces) {
    const names = p.from.map(
      (id) =>
        must(
          list.find((o) => o.id === id),
          'list.find((o) => o.id === id)',
        ).name,
    );
    const specs = overrideSpecs(p.users, p.start, p.end, zone, `Grafana OnCall override ${p.from.join(', ')}`);
    if (p.users.length > 20 || out.length + specs.length > MAX_OVERRIDES) {
      for (const id of p.from)
        items.push({
          severity: 'not-imported',
          kind: 'on-call shift (override)',
          name: must(
            list.find((o) => o.id === id),
            'list.find((o) => o.id === id)',
          ).name,
          id,
          why:
            p.users.length > 20
              ? `with the overrides overlapping it, ${p.users.length} people are on call; a Klaxon override has at most 20`
              : `schedule "${s.name}" has more than ${MAX_OVERRIDES} overrides ahead; klaxon.yaml takes ${MAX_OVERRIDES} per schedule`,
          instead: `not imported for ${new Date(p.start).toISOString()} – ${new Date(p.end).toISOString()}`,
        });
      continue;
    }
    out.push(...specs);
    if (specs.length > 1)
      items.push({
        severity: 'note',
        kind: 'on-call shift (override)',
        name: names.join(' + '),
        id: p.from.join(', '),
        why: 'it lasts longer than 366 days, the longest Klaxon override',
        instead: splitNote(specs.length),
      });
    if (p.from.length > 1)
      items.push({
        severity: 'note',
        kind: 'on-call shift (override)',
        name: names.join(' + '),
        id: p.from.join(', '),
        why: 'overlapping overrides: Grafana puts the users of all of them on call together',
        instead: `one Klaxon override for ${new Date(p.start).toISOString()} – ${new Date(p.end).toISOString()} naming all of them`,
      });
  }
  return out;
}

/** Who one level of an escalation chain notifies, in Grafana's terms. */
export type SourceTarget = { kind: 'user'; id: string } | { kind: 'schedule'; id: string } | { kind: 'team'; id: string };

export interface ChainLevel {
  targets: SourceTarget[];
  /** Minutes of the wait that follows this level (0 when no wait follows). */
  waitMinutes: number;
}

export interface ChainMapping {
  /** Minutes of the waits before the first notify step (the policy's initialDelayMinutes). */
  initialWaitMinutes: number;
  levels: ChainLevel[];
  repeat: number;
  items: ReportItem[];
}

const STEP_KIND = 'escalation step';

/**
 * An escalation chain's steps in order -> levels: consecutive notify steps with no wait between
 * them are one level; a wait is that level's delay (several waits in a row add up).
 */
export function mapChain(chain: GChain, steps: readonly GEscalationPolicy[], scheduleIds: ReadonlySet<string>, userIds: ReadonlySet<string>, teamIds: ReadonlySet<string>): ChainMapping {
  const items: ReportItem[] = [];
  const levels: ChainLevel[] = [];
  let initialWaitMinutes = 0;
  let repeat = 0;
  let open = false; // the last level still takes targets (no wait since)
  const add = (t: SourceTarget) => {
    if (!open) {
      levels.push({ targets: [], waitMinutes: 0 });
      open = true;
    }
    const l = must(levels[levels.length - 1], 'levels[levels.length - 1]');
    if (!l.targets.some((x) => x.kind === t.kind && x.id === t.id)) l.targets.push(t);
  };
  const ordered = [...steps].sort((a, b) => a.position - b.position);
  const label = (s: GEscalationPolicy) => `${chain.name} #${s.position + 1} ${s.type}`;
  const report = (s: GEscalationPolicy, severity: ReportItem['severity'], why: string, instead: string) => items.push({ severity, kind: STEP_KIND, name: label(s), id: s.id, why, instead });
  let afterRepeat = false;
  for (const s of ordered) {
    if (afterRepeat) {
      report(s, 'not-imported', 'comes after "repeat escalation": Grafana runs it only after the 5 repeats', 'not imported');
      continue;
    }
    const important = s.important ? ' (important)' : '';
    if (s.important && ['notify_persons', 'notify_person_next_each_time', 'notify_on_call_from_schedule', 'notify_team_members', 'notify_user_group'].includes(s.type))
      report(s, 'changed', 'an "important" step notifies people by their important notification rules; Klaxon has one set of rules per person', "pages by each person's (default) notification rules");
    switch (s.type) {
      case 'wait': {
        const sec = Number(s.duration ?? 0);
        const min = sec / 60;
        if (!Number.isInteger(min)) {
          report(s, 'changed', `waits ${sec} s, not a whole number of minutes`, `waits ${Math.ceil(min)} min`);
        }
        const m = Math.ceil(min);
        // A wait before anyone is notified delays the first level (initialDelayMinutes); else it is
        // the wait after the level before it.
        if (!levels.length) initialWaitMinutes += m;
        else must(levels[levels.length - 1], 'levels[levels.length - 1]').waitMinutes += m;
        open = false;
        break;
      }
      case 'notify_persons':
        for (const id of s.persons_to_notify ?? []) {
          if (userIds.has(id)) add({ kind: 'user', id });
          else report(s, 'not-imported', `names user ${id}, who is not in the users list`, 'that person is not paged');
        }
        break;
      case 'notify_person_next_each_time':
        report(s, 'changed', 'notifies one of its persons in turn (round robin) each time; Klaxon levels have no round robin', 'pages every one of its persons at this level');
        for (const id of s.persons_to_notify_next_each_time ?? []) if (userIds.has(id)) add({ kind: 'user', id });
        break;
      case 'notify_on_call_from_schedule':
        if (s.notify_on_call_from_schedule && scheduleIds.has(s.notify_on_call_from_schedule)) add({ kind: 'schedule', id: s.notify_on_call_from_schedule });
        else report(s, 'not-imported', `notifies schedule ${s.notify_on_call_from_schedule ?? '(none)'}, which is not imported (an iCal schedule, or missing)`, 'nobody is paged for this step');
        break;
      case 'notify_team_members':
        if (s.team_to_notify && teamIds.has(s.team_to_notify)) add({ kind: 'team', id: s.team_to_notify });
        else report(s, 'not-imported', `notifies team ${s.team_to_notify ?? '(none)'}, which is not in the teams list`, 'nobody is paged for this step');
        break;
      case 'notify_user_group':
        report(
          s,
          'not-imported',
          `notifies the Slack user group ${s.group_to_notify ?? ''}${important}; Grafana's API does not list a user group's members`,
          "nobody is paged for this step: add the group's people as a Klaxon team and target it",
        );
        break;
      case 'repeat_escalation':
        repeat = 5;
        afterRepeat = true;
        report(s, 'note', 'repeats the chain from the beginning, at most 5 times', 'the policy repeats 5 times');
        break;
      case 'trigger_webhook':
        report(
          s,
          'not-imported',
          `triggers outgoing webhook ${s.action_to_trigger ?? ''}; Klaxon policies do not call webhooks`,
          'not imported (a Klaxon webhook contact method on a person can stand in)',
        );
        break;
      case 'resolve':
        report(s, 'not-imported', 'resolves the alert group; a Klaxon policy never resolves', 'not imported');
        break;
      case 'notify_whole_channel':
        report(s, 'not-imported', 'notifies a whole Slack channel', 'not imported');
        break;
      case 'notify_if_time_from_to':
        report(
          s,
          'not-imported',
          `continues only between ${s.notify_if_time_from ?? '?'} and ${s.notify_if_time_to ?? '?'} (UTC); Klaxon levels have no time condition`,
          'the following steps always run',
        );
        break;
      default:
        report(s, 'not-imported', `step type "${s.type}" has no Klaxon equivalent`, 'not imported');
    }
  }
  // A level whose targets were all left out still waits: its wait goes to the level before it (or
  // before the first level), so the following levels fire when Grafana's steps would.
  const kept: ChainLevel[] = [];
  for (const l of levels) {
    if (l.targets.length) kept.push({ targets: l.targets, waitMinutes: l.waitMinutes });
    else if (kept.length) must(kept[kept.length - 1], 'kept[kept.length - 1]').waitMinutes += l.waitMinutes;
    else initialWaitMinutes += l.waitMinutes;
  }
  return { initialWaitMinutes, levels: kept, repeat, items };
}

const ROLE: Record<string, UserSpec['role']> = { admin: 'admin', editor: 'responder', viewer: 'viewer' };

/** The whole account -> a klaxon.yaml document and its report. */
export function mapAccount(a: GrafanaAccount, opts: { klaxonUrl: string; now: number }): Omit<ImportResult, 'url'> {
  const items: ReportItem[] = [];
  const senders: SenderChange[] = [];

  // Users, matched by email.
  const byId = new Map<string, GUser>();
  const seenEmail = new Map<string, string>();
  for (const u of a.users) {
    const email = (u.email ?? '').trim().toLowerCase();
    if (!/^[^@\s]+@[^@\s]+$/.test(email)) {
      items.push({
        severity: 'not-imported',
        kind: 'user',
        name: u.username,
        id: u.id,
        why: `no usable email (${JSON.stringify(u.email)}); Klaxon identifies people by email`,
        instead: 'not imported',
      });
      continue;
    }
    if (seenEmail.has(email)) {
      items.push({ severity: 'not-imported', kind: 'user', name: u.username, id: u.id, why: `has the same email as user ${seenEmail.get(email)}`, instead: 'merged into that user' });
      byId.set(u.id, { ...u, email });
      continue;
    }
    seenEmail.set(email, u.id);
    byId.set(u.id, { ...u, email });
  }
  const emailOf = (id: string) => byId.get(id)?.email;

  const users: UserSpec[] = [];
  for (const u of a.users) {
    const m = byId.get(u.id);
    if (!m || seenEmail.get(m.email) !== u.id) continue;
    const spec: UserSpec = { email: m.email, name: (u.username || m.email).slice(0, 200) };
    if (u.timezone) spec.timeZone = u.timezone;
    const role = lookup(ROLE, String(u.role));
    if (role) spec.role = role;
    else
      items.push({
        severity: 'changed',
        kind: 'user',
        name: u.username,
        id: u.id,
        why: `Grafana role "${u.role}" has no Klaxon equivalent`,
        instead: 'a new user is a responder; an existing one keeps their role',
      });
    const methods: NonNullable<UserSpec['contactMethods']> = [{ name: 'email', type: 'email', address: m.email }];
    if (u.slack?.user_id) methods.push({ name: 'slack', type: 'slack', address: u.slack.user_id });
    const rules: NonNullable<UserSpec['notificationRules']> = [];
    const mine = a.rules.filter((r) => r.user_id === u.id).sort((x, y) => x.position - y.position);
    const important = mine.filter((r) => r.important);
    if (important.length)
      items.push({
        severity: 'not-imported',
        kind: 'important notification rules',
        name: u.username,
        id: u.id,
        why: `${important.length} "important" rule step(s) (${important.map((r) => r.type).join(', ')}); Klaxon has one set of notification rules per person`,
        instead: 'not imported: important escalation steps page by the default rules',
      });
    let delay = 0;
    const missing = new Set<string>();
    for (const r of mine.filter((x) => !x.important)) {
      if (r.type === 'wait') {
        const sec = Number(r.duration ?? 0);
        if (sec % 60) items.push({ severity: 'changed', kind: 'notification rule', name: u.username, id: r.id, why: `waits ${sec} s, not whole minutes`, instead: `waits ${Math.ceil(sec / 60)} min` });
        delay += Math.ceil(sec / 60);
        continue;
      }
      const method = r.type === 'notify_by_email' ? 'email' : r.type === 'notify_by_slack' && u.slack?.user_id ? 'slack' : undefined;
      if (method) {
        if (delay > 1440)
          items.push({
            severity: 'changed',
            kind: 'notification rule',
            name: u.username,
            id: r.id,
            why: `notifies ${delay} min after the page; Klaxon rules wait at most 1440 min`,
            instead: 'notifies after 1440 min',
          });
        if (!rules.some((x) => x.contactMethod === method && x.delayMinutes === Math.min(delay, 1440))) rules.push({ contactMethod: method, delayMinutes: Math.min(delay, 1440) });
      } else missing.add(r.type);
    }
    for (const t of missing) {
      const why =
        t === 'notify_by_sms' || t === 'notify_by_phone_call'
          ? `${t}: Grafana's API does not expose phone numbers${u.is_phone_number_verified ? ' (this person has a verified one)' : ''}`
          : t === 'notify_by_mobile_app' || t === 'notify_by_mobile_app_critical'
            ? `${t}: push to the Grafana OnCall app`
            : t === 'notify_by_slack'
              ? 'notify_by_slack: this person has no linked Slack user'
              : `${t} has no Klaxon contact method`;
      const instead =
        t === 'notify_by_sms' || t === 'notify_by_phone_call'
          ? 'not imported: the person adds their phone number in Klaxon (SMS/voice) and their rule'
          : t.startsWith('notify_by_mobile_app')
            ? 'not imported: the person installs the Klaxon web app and allows notifications (push)'
            : 'not imported';
      items.push({ severity: 'not-imported', kind: 'notification rule', name: u.username, id: u.id, why, instead });
    }
    if (!rules.length)
      items.push({
        severity: 'changed',
        kind: 'notification rules',
        name: u.username,
        id: u.id,
        why: mine.some((r) => !r.important && r.type !== 'wait')
          ? "none of this person's notification rules could be imported"
          : 'this person has no notification rules in Grafana OnCall, so Grafana notifies them of nothing',
        instead: 'no notification rules: Klaxon pages a person without rules on every verified contact method at once',
      });
    spec.contactMethods = methods;
    spec.notificationRules = rules;
    users.push(spec);
  }

  // Teams, with members from each user's teams.
  const teamName = uniqueNames(a.teams, 100);
  /** `{ team }` when the source team id names an imported team, else nothing. */
  const ownerTeam = (id: string | null | undefined) => {
    const team = id ? teamName.get(id) : undefined;
    return team !== undefined ? { team } : {};
  };
  const teams: TeamSpec[] = a.teams.map((t) => ({
    name: must(teamName.get(t.id), 'teamName.get(t.id)'),
    members: users.filter((u) => a.users.some((g) => byId.get(g.id)?.email === u.email && (g.teams ?? []).includes(t.id))).map((u) => ({ user: u.email })),
  }));

  // Schedules.
  for (const s of a.schedules.filter((x) => !importableSchedules([x]).length))
    items.push({
      severity: 'not-imported',
      kind: `schedule (${s.type})`,
      name: s.name,
      id: s.id,
      why: s.type === 'ical' ? 'its shifts live in external iCal feeds, not in the API' : `unknown schedule type "${s.type}"`,
      instead: 'not imported: recreate its rotations in Klaxon (escalation steps that use it page nobody there)',
    });
  const importable = importableSchedules(a.schedules);
  const scheduleName = uniqueNames(importable, 200);
  const schedules: ScheduleSpec[] = [];
  const usedShifts = new Set<string>();
  for (const s of importable) {
    if (s.ical_url_overrides)
      items.push({
        severity: 'not-imported',
        kind: 'schedule overrides (iCal)',
        name: s.name,
        id: s.id,
        why: 'its overrides come from an external iCal feed the API does not expose',
        instead: 'not imported',
      });
    const zone = s.time_zone || 'UTC';
    const layers: { layer: NonNullable<ReturnType<typeof mapShift>['layer']>; priority: number }[] = [];
    const overrides: { users: string[]; start: number; end: number; id: string; name: string }[] = [];
    let past = 0;
    for (const sh of shiftsOf(s, a.shifts)) {
      usedShifts.add(sh.id);
      const m = mapShift(sh, zone, emailOf, opts.now);
      items.push(...m.items);
      if (m.past) past++;
      else if (m.override) overrides.push({ ...m.override, id: sh.id, name: sh.name || sh.id });
      else if (m.layer) layers.push({ layer: m.layer, priority: m.priority });
    }
    if (past)
      items.push({
        severity: 'note',
        kind: 'schedule',
        name: s.name,
        id: s.id,
        why: `${past} single event(s), override(s) or rotation(s) ended before the import`,
        instead: 'not imported (they no longer put anyone on call)',
      });
    if (layers.length > 20) {
      for (const l of layers.slice(20))
        items.push({ severity: 'not-imported', kind: 'on-call shift', name: l.layer.name ?? '', id: s.id, why: 'Klaxon schedules have at most 20 layers', instead: 'not imported' });
      layers.length = 20;
    }
    // Grafana: everyone of one level is on call together. One layer per level is Klaxon's precedence
    // exactly; several layers at one level need the schedule's layering: union.
    const perLevel = new Map<number, number>();
    for (const l of layers) perLevel.set(l.priority, (perLevel.get(l.priority) ?? 0) + 1);
    const union = [...perLevel.values()].some((n) => n > 1);
    const spec: ScheduleSpec & { layering?: 'union' } = {
      name: must(scheduleName.get(s.id), 'scheduleName.get(s.id)'),
      timeZone: zone,
      ...ownerTeam(s.team_id),
      ...(union ? { layering: 'union' as const } : {}),
      layers: layers.map((l) => l.layer),
    };
    const o = scheduleOverrides(overrides, zone, s, items);
    if (o.length) spec.overrides = o;
    if (!layers.length && !spec.overrides)
      items.push({ severity: 'note', kind: `schedule (${s.type})`, name: s.name, id: s.id, why: 'has no shift that puts anyone on call from now on', instead: 'imported with no layers' });
    schedules.push(spec);
  }
  for (const sh of a.shifts.filter((x) => !usedShifts.has(x.id)))
    items.push({ severity: 'note', kind: `on-call shift (${sh.type})`, name: sh.name, id: sh.id, why: 'belongs to no imported schedule', instead: 'not imported' });

  // Escalation chains -> policies.
  const scheduleIds = new Set(importable.map((s) => s.id));
  const userIds = new Set([...byId.keys()]);
  const teamIds = new Set(a.teams.map((t) => t.id));
  const chainName = uniqueNames(a.chains, 200);
  const policies: PolicySpec[] = [];
  const chainLevels = new Map<string, ChainMapping>();
  for (const c of a.chains) {
    const m = mapChain(
      c,
      a.policies.filter((p) => p.escalation_chain_id === c.id),
      scheduleIds,
      userIds,
      teamIds,
    );
    chainLevels.set(c.id, m);
    items.push(...m.items);
    if (!m.levels.length) {
      items.push({ severity: 'not-imported', kind: 'escalation chain', name: c.name, id: c.id, why: 'no step pages anyone Klaxon knows', instead: 'not imported (services using it get no policy)' });
      continue;
    }
    // Waits are exact: before the first notify step -> initialDelayMinutes; after a level -> its
    // delayMinutes; no wait after the last level -> 0 (Grafana goes straight on: repeats at once or
    // ends). A repeat runs the chain from its first step again, the first wait included, while Klaxon
    // waits initialDelayMinutes only once: so the last level of a repeating chain also waits that long.
    const cap = (wait: number, where: string) => {
      if (wait > 1440)
        items.push({ severity: 'changed', kind: 'escalation chain', name: c.name, id: c.id, why: `waits ${wait} min ${where}; Klaxon waits at most 1440 min`, instead: 'waits 1440 min' });
      return Math.min(wait, 1440);
    };
    policies.push({
      name: must(chainName.get(c.id), 'chainName.get(c.id)'),
      repeat: m.repeat,
      ...(m.initialWaitMinutes ? { initialDelayMinutes: cap(m.initialWaitMinutes, 'before the first notification') } : {}),
      levels: m.levels.map((l, i) => ({
        delayMinutes: cap(l.waitMinutes + (m.repeat && i === m.levels.length - 1 ? m.initialWaitMinutes : 0), 'after a notify step'),
        targets: l.targets.map((t) => klaxonTarget(t, emailOf, scheduleName, teamName)),
      })),
    });
  }
  const policyNames = new Set(policies.map((p) => p.name));

  // Integrations -> services.
  const serviceName = uniqueNames(a.integrations, 200);
  const services: ServiceSpec[] = [];
  const maintenance: ImportedMaintenance[] = [];
  for (const i of a.integrations) {
    const name = must(serviceName.get(i.id), 'serviceName.get(i.id)');
    const chainId = i.default_route?.escalation_chain_id ?? null;
    const chain = chainId ? chainName.get(chainId) : undefined;
    const policy = chain !== undefined && policyNames.has(chain) ? chain : null;
    if (!chainId) items.push({ severity: 'note', kind: 'integration', name: i.name, id: i.id, why: 'its default route has no escalation chain', instead: 'the service has no escalation policy' });
    const kind = integrationKind(i);
    for (const r of a.routes.filter((r) => r.integration_id === i.id && !r.is_the_last_route))
      items.push({
        severity: 'not-imported',
        kind: 'route',
        name: `${i.name}: ${r.routing_regex ?? r.routing_type ?? ''}`,
        id: r.id,
        why: `routes matching alerts to chain ${r.escalation_chain_id ? (chainName.get(r.escalation_chain_id) ?? r.escalation_chain_id) : '(none)'}; a Klaxon service has one policy`,
        instead: "not imported: alerts follow the default route's policy (make a separate service and sender for them)",
      });
    if (kind.note) items.push({ severity: 'changed', kind: 'integration', name: i.name, id: i.id, why: kind.note, instead: `a Klaxon ${kind.kind} integration` });
    if (i.heartbeat) {
      items.push({
        severity: 'changed',
        kind: 'integration heartbeat',
        name: i.name,
        id: i.id,
        why: `Grafana OnCall's API gives the heartbeat's URL, not its timeout`,
        instead: `imported as heartbeat "heartbeat" of service ${name}, every ${GRAFANA_HEARTBEAT_MINUTES} min and disabled (enabled before its sender moves, it would page): set intervalMinutes to the timeout shown in Grafana OnCall and enable it once the sender calls Klaxon's check-in URL`,
      });
    }
    if (i.maintenance_mode) {
      // Debug and maintenance mode both stop notifications (maintenance mode also gathers the alerts
      // into one group); Klaxon's window records each incident and pages nobody.
      const w = toImported(
        {
          kind: 'integration maintenance',
          vendor: 'Grafana OnCall',
          source: { name: i.name, id: i.id },
          title: `${i.name}: ${i.maintenance_mode} mode`,
          services: [name],
          uncovered: [],
          startsAt: i.maintenance_started_at ? Date.parse(i.maintenance_started_at) : opts.now,
          endsAt: i.maintenance_end_at ? Date.parse(i.maintenance_end_at) : undefined,
          differs: `in ${i.maintenance_mode} mode Grafana OnCall sends no notifications${i.maintenance_mode === 'maintenance' ? ' and gathers the alerts into one alert group' : ''}; Klaxon opens each incident and pages nobody`,
        },
        opts.now,
        items,
      );
      if (w) maintenance.push(w);
    }
    services.push({
      name,
      ...ownerTeam(i.team_id),
      escalationPolicy: policy,
      integrations: [{ name: kind.kind, kind: kind.kind }],
      ...(i.heartbeat && { heartbeats: [{ name: 'heartbeat', intervalMinutes: GRAFANA_HEARTBEAT_MINUTES, graceMinutes: 0, enabled: false }] }),
    });
    if (i.heartbeat) {
      senders.push({
        source: { name: `${i.name} heartbeat`, id: i.id, type: 'heartbeat' },
        service: name,
        integration: kind.kind,
        heartbeat: 'heartbeat',
        instruction: `the heartbeat sender: change the heartbeat URL ${i.heartbeat.link ?? '(the Grafana OnCall heartbeat URL)'} to Klaxon's check-in URL of heartbeat "heartbeat" (GET or POST)`,
      });
    }
    const url = `${opts.klaxonUrl}/integrations/v1/${kind.kind}/<key>`;
    senders.push({
      source: { name: i.name, id: i.id, type: i.type },
      service: name,
      integration: kind.kind,
      instruction:
        kind.kind === 'alertmanager'
          ? `Alertmanager: in the receiver's webhook_configs, change url: ${i.link ?? '(the Grafana OnCall URL)'} to url: ${url}`
          : kind.kind === 'grafana'
            ? `Grafana: in the contact point, change the webhook URL ${i.link ?? '(the Grafana OnCall URL)'} to ${url}`
            : `The sender: change the webhook URL ${i.link ?? '(the Grafana OnCall URL)'} to ${url} (Klaxon's generic JSON format, docs/integrations.md)`,
    });
  }

  const config: ConfigDocument = { version: 1, users, teams, schedules, escalationPolicies: policies, services };
  return {
    source: 'grafana-oncall',
    config,
    counts: {
      users: a.users.length,
      'notification rules': a.rules.length,
      teams: a.teams.length,
      'user groups': a.userGroups.length,
      schedules: a.schedules.length,
      'on-call shifts': a.shifts.length,
      'escalation chains': a.chains.length,
      'escalation steps': a.policies.length,
      integrations: a.integrations.length,
      routes: a.routes.length,
    },
    items,
    senders,
    maintenance,
  };
}

/** The interval given to an imported Grafana OnCall heartbeat: the API does not say its timeout. */
export const GRAFANA_HEARTBEAT_MINUTES = 60;

function klaxonTarget(t: SourceTarget, emailOf: (id: string) => string | undefined, scheduleName: Map<string, string>, teamName: Map<string, string>): TargetSpec {
  if (t.kind === 'user') return { user: must(emailOf(t.id), 'emailOf(t.id)') };
  if (t.kind === 'schedule') return { schedule: must(scheduleName.get(t.id), 'scheduleName.get(t.id)') };
  return { team: must(teamName.get(t.id), 'teamName.get(t.id)') };
}

function integrationKind(i: GIntegration): { kind: 'alertmanager' | 'grafana' | 'generic'; note?: string } {
  switch (i.type) {
    case 'alertmanager':
    case 'legacy_alertmanager':
      return { kind: 'alertmanager' };
    case 'grafana_alerting':
    case 'grafana':
    case 'legacy_grafana_alerting':
      return { kind: 'grafana' };
    case 'webhook':
    case 'formatted_webhook':
      return { kind: 'generic', note: `a Grafana OnCall ${i.type} integration reads any JSON through its templates; Klaxon's generic integration reads its own documented fields` };
    default:
      return { kind: 'generic', note: `Grafana OnCall integration type "${i.type}" has no Klaxon counterpart` };
  }
}
