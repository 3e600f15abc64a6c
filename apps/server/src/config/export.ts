/**
 * `klaxon export`: the database as a klaxon.yaml document, such that applying it changes nothing.
 * Integration keys are stored hashed and signing secrets are secrets, so neither is exported; apply
 * keeps an integration's key and secret when the file leaves them out.
 */
import { fileURLToPath } from 'node:url';
import { Document, isMap, isScalar, isSeq, visit } from 'yaml';
import { requirePermission, type Actor } from '../auth/actor.js';
import type { Ctx } from '../context.js';
import { listPolicies } from '../escalation/service.js';
import { allSchedules, scheduleToInput } from '../schedule/index.js';
import { allHeartbeats } from '../heartbeat/service.js';
import { allHotlines } from '../hotline/service.js';
import { listAllChatChannels } from '../chat/announce.js';
import { listIntegrations, listServices } from '../service/service.js';
import { rulesBySet, ruleToSpec } from '../rules/config.js';
import { listTeams } from '../team/service.js';
import { listUsers } from '../user/service.js';
import * as userStore from '../user/store.js';
import { CONFIG_VERSION, type ConfigDocument, type ScheduleLayerSpec, type ScheduleSpec, type ServiceSpec, type TargetSpec, type TeamSpec, type UserSpec } from './schema.js';
import { must } from '../lib/must.js';

type ExportedChannel = UserSpec extends { contactMethods?: (infer C)[] } ? (C extends { type: infer T } ? T : never) : never;
const EXPORTED_CHANNELS: readonly string[] = ['email', 'sms', 'voice', 'slack', 'webhook', 'mattermost', 'discord', 'matrix', 'ntfy', 'pushover', 'telegram', 'whatsapp'] satisfies ExportedChannel[];

/** Reads users, teams, schedules (without overrides, leave and swaps), escalation policies and services (with integrations, without keys) as a document. Admins only. */
export async function exportConfig(ctx: Ctx, actor: Actor): Promise<ConfigDocument> {
  requirePermission(actor, 'admin');
  const db = ctx.db.kysely;
  const users = await listUsers(ctx, actor);
  const emailById = new Map(users.map((u) => [u.id, u.email]));

  const userSpecs: UserSpec[] = [];
  for (const u of users) {
    // Browser push subscriptions belong to browsers, not to files.
    const methods = (await userStore.listContactMethods(db, u.id)).filter((m) => EXPORTED_CHANNELS.includes(m.type));
    const order = new Map(methods.map((m, i) => [m.id, i]));
    const rules = (await userStore.listRules(db, u.id))
      .filter((r) => order.has(r.contactMethodId))
      .sort((a, b) => a.delayMinutes - b.delayMinutes || must(order.get(a.contactMethodId), 'the order of a contact method') - must(order.get(b.contactMethodId), 'the order of a contact method'));
    const nameOf = new Map(methods.map((m) => [m.id, m.name]));
    userSpecs.push({
      email: u.email,
      name: u.name,
      timeZone: u.timeZone,
      role: u.role,
      contactMethods: methods.map((m) => ({ name: m.name, type: m.type as ExportedChannel, address: m.address })),
      notificationRules: rules.map((r) => ({
        contactMethod: must(nameOf.get(r.contactMethodId), 'the name of a contact method'),
        delayMinutes: r.delayMinutes,
        ...(r.urgency !== 'any' && { urgency: r.urgency }),
      })),
    });
  }

  const teams = await listTeams(ctx, actor);
  const teamNameById = new Map(teams.map((t) => [t.id, t.name]));
  // Chat channels: only teams and services that have some list them (a list is managed exactly, an absent one left alone).
  const chatChannels = await listAllChatChannels(ctx, actor);
  const channelsOf = (ownerType: 'service' | 'team', ownerId: string) => {
    const list = chatChannels.filter((c) => c.ownerType === ownerType && c.ownerId === ownerId).map((c) => ({ platform: c.platform, channel: c.channel }));
    return list.length ? { chatChannels: list } : {};
  };
  const teamSpecs: TeamSpec[] = teams.map((t) => ({
    name: t.name,
    ...(t.description && { description: t.description }),
    members: t.members.map((m) => ({ user: emailById.get(m.userId) ?? m.userId, role: m.role, ...(m.access && { access: m.access }) })),
    ...channelsOf('team', t.id),
  }));

  const schedules = await allSchedules(db);
  const scheduleNameById = new Map(schedules.map((x) => [x.id, x.name]));
  const scheduleSpecs: ScheduleSpec[] = [];
  for (const x of schedules) {
    // Emails, the team by name and local date-times: applying it gives back exactly these layers.
    const { teamId, layers, ...rest } = await scheduleToInput(db, x);
    scheduleSpecs.push({
      name: rest.name,
      ...(rest.description && { description: rest.description }),
      ...(teamId && { team: teamId }),
      timeZone: rest.timeZone,
      ...(rest.layering !== undefined && { layering: rest.layering }),
      ...(rest.handoffNoticeMinutes !== undefined && { handoffNoticeMinutes: rest.handoffNoticeMinutes }),
      ...(rest.gapNoticeDays !== undefined && { gapNoticeDays: rest.gapNoticeDays }),
      layers: layers as ScheduleLayerSpec[],
    });
  }
  const policies = await listPolicies(ctx, actor);
  const policyNameById = new Map(policies.map((p) => [p.id, p.name]));
  const policySpecs = policies.map((p) => ({
    name: p.name,
    ...(p.description && { description: p.description }),
    repeat: p.repeat,
    ...(p.initialDelayMinutes && { initialDelayMinutes: p.initialDelayMinutes }),
    ...(p.teamId && { team: teamNameById.get(p.teamId) ?? p.teamId }),
    levels: p.levels.map((l) => ({
      delayMinutes: l.delayMinutes,
      targets: l.targets.map((t): TargetSpec => {
        if (t.type === 'user') return { user: emailById.get(t.id) ?? t.id };
        if (t.type === 'team') return { team: teamNameById.get(t.id) ?? t.id };
        if (t.type === 'team_managers') return { teamManagers: teamNameById.get(t.id) ?? t.id };
        if (t.type === 'team_random') return { teamRandom: teamNameById.get(t.id) ?? t.id };
        const schedule = scheduleNameById.get(t.id) ?? t.id;
        return t.type === 'schedule' ? { schedule } : t.type === 'schedule_previous' ? { schedulePrevious: schedule } : { scheduleNext: schedule };
      }),
      ...(l.until === 'resolved' && { until: 'resolved' as const }),
      ...(l.condition && { condition: l.condition }),
      ...(l.roundRobin && { roundRobin: true }),
    })),
  }));

  const ruleSets = await rulesBySet(ctx);
  const serviceSpecs: ServiceSpec[] = [];
  const heartbeats = await allHeartbeats(ctx, actor);
  const hotlines = await allHotlines(ctx, actor);
  for (const x of await listServices(ctx, actor)) {
    const integrations = await listIntegrations(ctx, actor, x.id);
    serviceSpecs.push({
      name: x.name,
      ...(x.description && { description: x.description }),
      ...(x.teamId !== null && { team: teamNameById.get(x.teamId) ?? x.teamId }),
      ...(x.escalationPolicyId !== null && { escalationPolicy: policyNameById.get(x.escalationPolicyId) ?? x.escalationPolicyId }),
      grouping: x.grouping,
      ...(x.urgencyRule.type !== 'severity' && { urgencyRule: x.urgencyRule }),
      ...(x.supportHours && { supportHours: x.supportHours }),
      integrations: integrations.map((i) => {
        const rules = ruleSets.get(i.id);
        return {
          name: i.name,
          kind: i.kind,
          ...(i.settings.rateLimitPerMinute !== undefined && { rateLimitPerMinute: i.settings.rateLimitPerMinute }),
          ...(rules && { rules: rules.map(ruleToSpec) }),
        };
      }),
      // Only services that have heartbeats list them: a list is managed exactly, an absent one is left alone.
      ...(heartbeats.some((h) => h.serviceId === x.id) && {
        heartbeats: heartbeats
          .filter((h) => h.serviceId === x.id)
          .map((h) => ({ name: h.name, intervalMinutes: h.intervalMinutes, graceMinutes: h.graceMinutes, enabled: h.enabled, ...(h.watchdogAlert !== null && { watchdogAlert: h.watchdogAlert }) })),
      }),
      // Likewise hotlines: only services that have some list them.
      ...(hotlines.some((h) => h.serviceId === x.id) && {
        hotlines: hotlines
          .filter((h) => h.serviceId === x.id)
          .map((h) => ({ name: h.name, provider: h.provider, number: h.number, ringSeconds: h.ringSeconds, allowedCallers: h.allowedCallers, enabled: h.enabled })),
      }),
      ...channelsOf('service', x.id),
    });
  }

  const eventRules = ruleSets.get('');
  return {
    version: CONFIG_VERSION,
    users: userSpecs,
    teams: teamSpecs,
    schedules: scheduleSpecs,
    escalationPolicies: policySpecs,
    services: serviceSpecs,
    ...(eventRules && { eventRules: eventRules.map(ruleToSpec) }),
  };
}

/** The absolute path of the JSON Schema shipped with this Klaxon (docs/klaxon.schema.json). */
export const INSTALLED_SCHEMA_PATH = fileURLToPath(new URL('../../../../docs/klaxon.schema.json', import.meta.url));

/**
 * Writes a document as YAML, headed by a yaml-language-server schema line (the installed schema
 * unless `opts.schema` names another path or URL) and a note on what export leaves out.
 */
export function stringifyConfig(doc: ConfigDocument, opts: { schema?: string } = {}): string {
  const yaml = new Document(doc);
  yaml.commentBefore = [
    ` yaml-language-server: $schema=${opts.schema ?? INSTALLED_SCHEMA_PATH}`,
    ' Klaxon configuration (format version 1). Apply with: klaxon apply -f <this file>',
    ' Format: docs/configuration-file.md',
    ' Integration keys (stored hashed) and signing secrets are not exported: an integration that has',
    ' no key here keeps its current key and secret when applied; a heartbeat keeps its check-in URL.',
    ' Browser push subscriptions are not exported either, nor are schedule overrides, leave and swaps',
    ' (day-to-day data, kept on apply).',
  ].join('\n');
  // Small leaf mappings (contact methods, rules, members, targets, grouping) on one line each.
  visit(yaml, {
    Map(_, node) {
      if (node.items.length <= 3 && node.items.every((p) => isScalar(p.value))) node.flow = true;
    },
  });
  // A blank line between sections and between the entries of each, for people reading diffs.
  if (isMap(yaml.contents)) {
    for (const [i, pair] of yaml.contents.items.entries()) {
      if (i > 0 && pair.key && typeof pair.key === 'object') (pair.key as { spaceBefore?: boolean }).spaceBefore = true;
      if (isSeq(pair.value)) for (const [j, item] of pair.value.items.entries()) if (j > 0 && item && typeof item === 'object') (item as { spaceBefore?: boolean }).spaceBefore = true;
    }
  }
  return yaml.toString({ lineWidth: 0 });
}
