import { lookup } from '../types.js';
/*
 * Opsgenie objects -> klaxon.yaml entries. Pure: everything read from the source comes in as
 * arguments, and every mapping that is not exact adds a ReportItem (source name and id, why, what
 * Klaxon did instead). docs/migrate.md (## Opsgenie) says the same in prose.
 */
import { localDateTime } from '../../schedule/portable.js';
import type { ScheduleLayerSpec, TargetSpec } from '../../config/schema.js';
import type { ReportItem } from '../types.js';
import type { OgEscalation, OgEscalationRule, OgParticipant, OgRotation, OgTimeRestriction } from './api.js';
import { minutesOf } from './api.js';
import { must } from '../../lib/must.js';

type Restriction = NonNullable<ScheduleLayerSpec['restrictions']>[number];
type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

const DAYS: Record<string, Weekday> = { monday: 'mon', tuesday: 'tue', wednesday: 'wed', thursday: 'thu', friday: 'fri', saturday: 'sat', sunday: 'sun' };
const ALL_DAYS: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

const hhmm = (h: number, m: number) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;

function validClock(h: unknown, m: unknown): boolean {
  return Number.isInteger(h) && Number.isInteger(m) && (h as number) >= 0 && (h as number) <= 23 && (m as number) >= 0 && (m as number) <= 59;
}

/**
 * An Opsgenie time restriction as Klaxon restrictions. time-of-day: one window every day (an end
 * before the start runs past midnight); weekday-and-time-of-day: one weekly window per entry (an end
 * before the start wraps past Sunday). A window that ends where it starts covers the whole day (or
 * week): no restriction. Undefined: unrestricted.
 */
export function restrictionsOf(tr: OgTimeRestriction | null | undefined, where: { kind: string; name: string; id: string }, items: ReportItem[]): Restriction[] | undefined {
  if (!tr) return undefined;
  if (typeof tr !== 'object') {
    items.push({ severity: 'not-imported', ...where, why: `time restriction ${JSON.stringify(tr)} is malformed`, instead: 'imported without a restriction: on call at all times' });
    return undefined;
  }
  if (tr.type === 'time-of-day') {
    const r = tr.restriction;
    if (!r || !validClock(r.startHour, r.startMin) || !validClock(r.endHour, r.endMin)) {
      items.push({ severity: 'not-imported', ...where, why: `time restriction ${JSON.stringify(tr)} is malformed`, instead: 'imported without a restriction: on call at all times' });
      return undefined;
    }
    if (r.startHour === r.endHour && r.startMin === r.endMin) return undefined;
    return [{ kind: 'daily', days: ALL_DAYS, start: hhmm(r.startHour, r.startMin), end: hhmm(r.endHour, r.endMin) }];
  }
  if (tr.type === 'weekday-and-time-of-day') {
    const out: Restriction[] = [];
    for (const r of Array.isArray(tr.restrictions) ? tr.restrictions : []) {
      if (typeof r !== 'object' || r === null) {
        items.push({ severity: 'not-imported', ...where, why: `time restriction window ${JSON.stringify(r)} is malformed`, instead: 'that window is left out' });
        continue;
      }
      const sd = lookup(DAYS, String(r.startDay).toLowerCase());
      const ed = lookup(DAYS, String(r.endDay).toLowerCase());
      if (!sd || !ed || !validClock(r.startHour, r.startMin) || !validClock(r.endHour, r.endMin)) {
        items.push({ severity: 'not-imported', ...where, why: `time restriction window ${JSON.stringify(r)} is malformed`, instead: 'that window is left out' });
        continue;
      }
      if (sd === ed && r.startHour === r.endHour && r.startMin === r.endMin) return undefined; // the whole week
      out.push({ kind: 'weekly', startDay: sd, startTime: hhmm(r.startHour, r.startMin), endDay: ed, endTime: hhmm(r.endHour, r.endMin) });
    }
    return out.length ? out : undefined;
  }
  items.push({ severity: 'not-imported', ...where, why: `unknown time restriction type ${JSON.stringify((tr as { type?: unknown }).type)}`, instead: 'imported without a restriction' });
  return undefined;
}

const TURN: Record<string, ScheduleLayerSpec['turn']['unit']> = { hourly: 'hour', daily: 'day', weekly: 'week' };

/** What the schedule mapping needs to know about people, teams and escalations, by Opsgenie id. */
export interface People {
  /** The email (Opsgenie username) of a user by id, or the username given. */
  email(p: { id?: string; username?: string }): string | undefined;
  /** Emails of a team's members, in the team's order. */
  teamEmails(teamId: string): string[] | undefined;
  /** Emails of the users an escalation notifies first (its rules of the smallest delay that name users). */
  escalationEmails(escalationId: string): string[] | undefined;
}

/** The emails a rotation participant stands for: one user, a team's members, an escalation's first users, or nobody ("none"). */
export function participantEmails(p: OgParticipant, people: People): string[] | undefined {
  if (p.type === 'user') {
    const e = people.email(p);
    return e ? [e] : undefined;
  }
  if (p.type === 'team') return p.id ? people.teamEmails(p.id) : undefined;
  if (p.type === 'escalation') return p.id ? people.escalationEmails(p.id) : undefined;
  if (p.type === 'none') return [];
  return undefined;
}

/**
 * One rotation as a Klaxon layer (under the schedule's union layering): the same turn type and
 * length, the same start (participant 0's first turn) and end, participants in order (a team: its
 * members together; an escalation: the users it notifies first; "none": a turn nobody covers), and
 * its time restriction. Undefined when nothing of it can be imported (said in `items`).
 */
export function rotationToLayer(rot: OgRotation, schedule: { id: string; name: string; timezone: string }, people: People, items: ReportItem[]): ScheduleLayerSpec | undefined {
  const where = { kind: 'schedule rotation', name: `${schedule.name} / ${rot.name ?? rot.id}`, id: rot.id };
  const unit = lookup(TURN, String(rot.type));
  const length = rot.length ?? 1;
  const start = Date.parse(rot.startDate);
  if (!unit || !Number.isInteger(length) || length < 1 || Number.isNaN(start)) {
    items.push({
      ...where,
      severity: 'not-imported',
      why: `rotation type ${JSON.stringify(rot.type)}, length ${JSON.stringify(rot.length)} or start ${JSON.stringify(rot.startDate)} is not one Klaxon reads`,
      instead: 'not imported',
    });
    return undefined;
  }
  const end = rot.endDate ? Date.parse(rot.endDate) : undefined;
  const participants: ScheduleLayerSpec['participants'] = [];
  for (const p of rot.participants ?? []) {
    const emails = participantEmails(p, people);
    const label = p.type === 'user' ? (p.username ?? p.id) : `${p.type} ${p.name ?? p.id ?? ''}`.trim();
    if (!emails) {
      items.push({
        ...where,
        severity: 'changed',
        why: `participant ${label} is unknown to the import (not in the users, teams or escalations read)`,
        instead: 'its turns have nobody on call from this rotation',
      });
      participants.push([]);
      continue;
    }
    if (p.type === 'team') {
      items.push({
        ...where,
        severity: 'changed',
        why: `participant ${label}: Opsgenie notifies the team through its routing rules`,
        instead: `every member of the team (${emails.length}) is on call together in its turns`,
      });
    }
    if (p.type === 'escalation') {
      items.push({
        ...where,
        severity: 'changed',
        why: `participant ${label}: Opsgenie runs the whole escalation in its turns`,
        instead: `the users its first rules (smallest delay) notify (${emails.join(', ') || 'nobody'}) are on call together in its turns`,
      });
    }
    if (emails.length > 20) {
      items.push({
        ...where,
        severity: 'changed',
        why: `participant ${label} stands for ${emails.length} people; a Klaxon group holds at most 20`,
        instead: 'the first 20 in the team order are on call together',
      });
    }
    participants.push(p.type === 'user' ? must(emails[0], 'emails[0]') : emails.slice(0, 20));
  }
  if (!participants.length) {
    items.push({ ...where, severity: 'not-imported', why: 'the rotation has no participants', instead: 'not imported (it puts nobody on call)' });
    return undefined;
  }
  if (participants.length > 100) {
    items.push({ ...where, severity: 'not-imported', why: `${participants.length} participants; a Klaxon layer holds at most 100`, instead: 'not imported' });
    return undefined;
  }
  const restrictions = restrictionsOf(rot.timeRestriction, where, items);
  const layer: ScheduleLayerSpec = {
    ...(rot.name && { name: rot.name.slice(0, 100) }),
    participants,
    turn: { unit, count: length },
    start: localDateTime(start, schedule.timezone),
    ...(end !== undefined && !Number.isNaN(end) && { end: localDateTime(end, schedule.timezone) }),
    ...(restrictions && { restrictions }),
  };
  return layer;
}

/** One Klaxon level from Opsgenie rules: the rules of one delay and one condition. */
export interface LevelPlan {
  /** Minutes after alert creation (Opsgenie's delay). */
  at: number;
  until: 'acknowledged' | 'resolved';
  rules: OgEscalationRule[];
}

/**
 * An escalation's rules as Klaxon levels: ordered by delay (rules of the same delay and condition
 * share a level; a different condition at the same delay is a level of its own, 0 minutes after).
 * Opsgenie counts every delay from alert creation; Klaxon waits per level, so the waits are the
 * differences (exact, including 0), the first delay becomes the policy's initialDelayMinutes, and
 * the last level waits the repeat's waitInterval plus the first delay (the next round starts over).
 */
export function planLevels(esc: OgEscalation): { initialDelayMinutes: number; levels: (LevelPlan & { delayMinutes: number })[] } {
  const groups: LevelPlan[] = [];
  const sorted = esc.rules.map((r, i) => ({ r, i, at: minutesOf(r.delay) })).sort((a, b) => a.at - b.at || a.i - b.i);
  for (const { r, at } of sorted) {
    const until = r.condition === 'if-not-closed' ? 'resolved' : 'acknowledged';
    const g = groups.find((x) => x.at === at && x.until === until);
    if (g) g.rules.push(r);
    else groups.push({ at, until, rules: [r] });
  }
  groups.sort((a, b) => a.at - b.at);
  const first = groups[0]?.at ?? 0;
  const wait = esc.repeat?.count ? (esc.repeat.waitInterval ?? 0) : 0;
  return {
    initialDelayMinutes: first,
    levels: groups.map((g, i) => ({ ...g, delayMinutes: i + 1 < groups.length ? must(groups[i + 1], 'groups[i + 1]').at - g.at : esc.repeat?.count ? wait + first : 0 })),
  };
}

/** Who a team recipient with notifyType default pages: the target the team's default routing rule names. */
export type TeamRouting = { kind: 'schedule'; scheduleName: string } | { kind: 'escalation'; escalation: OgEscalation } | { kind: 'none' } | undefined;

/** What the escalation mapping needs: names of imported schedules and teams, and team routing. */
export interface Names {
  schedule(id: string): string | undefined;
  team(id: string): string | undefined;
  user(r: { id?: string; username?: string }): string | undefined;
  teamRouting(teamId: string): TeamRouting;
  /** User emails that are participants of a schedule's rotations (for notifyType all/users on a schedule). */
  scheduleParticipants(scheduleId: string): TargetSpec[] | undefined;
}

/** The Klaxon targets of one Opsgenie escalation rule (possibly none), with report items for inexact ones. */
export function ruleTargets(rule: OgEscalationRule, esc: OgEscalation, names: Names, items: ReportItem[], depth = 0): TargetSpec[] {
  const r = rule.recipient;
  const where = { kind: 'escalation rule', name: `${esc.name}: ${rule.notifyType} ${r.type} ${r.name ?? r.username ?? r.id ?? ''}`.trim(), id: esc.id };
  const missing = (what: string): TargetSpec[] => {
    items.push({ ...where, severity: 'not-imported', why: `${what} was not found among the objects read`, instead: 'this rule pages nobody in Klaxon' });
    return [];
  };
  if (r.type === 'user') {
    const email = names.user(r);
    return email ? [{ user: email }] : missing(`user ${r.username ?? r.id}`);
  }
  if (r.type === 'schedule') {
    const name = r.id ? names.schedule(r.id) : undefined;
    if (!name) return missing(`schedule ${r.name ?? r.id}`);
    if (rule.notifyType === 'default') return [{ schedule: name }];
    if (rule.notifyType === 'next') return [{ scheduleNext: name }];
    if (rule.notifyType === 'previous') return [{ schedulePrevious: name }];
    if (rule.notifyType === 'all' || rule.notifyType === 'users') {
      const all = names.scheduleParticipants(must(r.id, 'the schedule id'));
      if (!all) return missing(`participants of schedule ${name}`);
      items.push({
        ...where,
        severity: 'note',
        why: `notifyType ${rule.notifyType} on a schedule notifies every participant of its rotations`,
        instead: `each participant as read now is a target (${all.length}); a participant added later in Klaxon is not`,
      });
      return all;
    }
    items.push({ ...where, severity: 'not-imported', why: `notifyType ${rule.notifyType} has no meaning for a schedule recipient in Klaxon`, instead: 'this rule pages nobody in Klaxon' });
    return [];
  }
  if (r.type === 'team') {
    const team = r.id ? names.team(r.id) : undefined;
    if (!team) return missing(`team ${r.name ?? r.id}`);
    if (rule.notifyType === 'users' || rule.notifyType === 'all') return [{ team }];
    if (rule.notifyType === 'admins') return [{ teamManagers: team }];
    if (rule.notifyType === 'random') return [{ teamRandom: team }];
    // default: the team's routing rules decide; Klaxon follows the default routing rule.
    const routing = names.teamRouting(must(r.id, 'the team id'));
    if (!routing || routing.kind === 'none') {
      items.push({
        ...where,
        severity: 'not-imported',
        why: `team ${team} has ${routing ? 'a default routing rule that notifies nobody' : 'no default routing rule read'}`,
        instead: 'this rule pages nobody in Klaxon',
      });
      return [];
    }
    if (routing.kind === 'schedule') return [{ schedule: routing.scheduleName }];
    if (depth > 0 || routing.escalation.id === esc.id) {
      items.push({
        ...where,
        severity: 'not-imported',
        why: `team ${team} routes to escalation ${routing.escalation.name}, nested inside another team escalation`,
        instead: 'this rule pages nobody in Klaxon',
      });
      return [];
    }
    const plan = planLevels(routing.escalation);
    const firstLevel = plan.levels[0];
    const out: TargetSpec[] = [];
    for (const fr of firstLevel?.rules ?? []) out.push(...ruleTargets(fr, routing.escalation, names, items, depth + 1));
    items.push({
      ...where,
      severity: 'changed',
      why: `team ${team} routes its alerts to escalation ${routing.escalation.name}; Klaxon levels cannot run another policy`,
      instead: `this level pages that escalation's first rule${(firstLevel?.rules.length ?? 0) === 1 ? '' : 's'} (delay ${firstLevel?.at ?? 0} min) at once; its later rules are not run from here`,
    });
    return out;
  }
  items.push({ ...where, severity: 'not-imported', why: `recipient type ${r.type} is not one Klaxon can page`, instead: 'this rule pages nobody in Klaxon' });
  return [];
}

/** A canonical key for a target, to drop repeats within a level. */
export const targetKey = (t: TargetSpec) => JSON.stringify(t);
