/*
 * What a new installation still lacks before it pages anybody: which channels can send, who can be
 * reached, who is on call now, which services page someone. Read-only; every answer is computed
 * from the database and the configured providers at the moment of asking. No secrets are read.
 */
import { requirePermission, type Actor } from '../auth/actor.js';
import type { Ctx } from '../context.js';
import { policySummaryRows } from '../escalation/store.js';
import { resolveTargets } from '../escalation/targets.js';
import { servicePolicyRows } from '../service/store.js';
import { reachableUserIds, userNamesByName } from '../user/store.js';
import type { Policy } from '../escalation/types.js';
import type { Channel } from '../notify/types.js';
import { allSchedules, whoIsOnCall } from '../schedule/index.js';

// The answers' types live in the API contract (packages/contract).
export type { ChannelStatus, Checklist, ChecklistStep, StepId } from '@klaxon/contract';
import type { ChannelStatus, Checklist, ChecklistStep } from '@klaxon/contract';

const SETTINGS: Record<ChannelStatus['channel'], string[]> = {
  email: ['KLAXON_SMTP_URL', 'KLAXON_EMAIL_FROM'],
  sms: ['KLAXON_TWILIO_ACCOUNT_SID', 'KLAXON_TWILIO_AUTH_TOKEN', 'KLAXON_TWILIO_FROM'],
  voice: ['KLAXON_TWILIO_ACCOUNT_SID', 'KLAXON_TWILIO_AUTH_TOKEN', 'KLAXON_TWILIO_FROM'],
  slack: ['KLAXON_SLACK_BOT_TOKEN', 'KLAXON_SLACK_SIGNING_SECRET'],
  push: ['KLAXON_VAPID_PUBLIC_KEY', 'KLAXON_VAPID_PRIVATE_KEY'],
  mattermost: ['KLAXON_MATTERMOST_URL', 'KLAXON_MATTERMOST_BOT_TOKEN'],
  discord: ['KLAXON_DISCORD_BOT_TOKEN', 'KLAXON_DISCORD_PUBLIC_KEY'],
  matrix: ['KLAXON_MATRIX_HOMESERVER_URL', 'KLAXON_MATRIX_ACCESS_TOKEN'],
  ntfy: ['KLAXON_NTFY_BASE_URL'],
  pushover: ['KLAXON_PUSHOVER_TOKEN'],
  telegram: ['KLAXON_TELEGRAM_BOT_TOKEN', 'KLAXON_TELEGRAM_WEBHOOK_SECRET'],
  whatsapp: ['KLAXON_TWILIO_ACCOUNT_SID', 'KLAXON_TWILIO_AUTH_TOKEN', 'KLAXON_TWILIO_WHATSAPP_FROM'],
};

/** The paging channels and whether each can send here, from the providers this process registered. */
export function channelStatus(configured: readonly Channel[]): ChannelStatus[] {
  return (Object.keys(SETTINGS) as ChannelStatus['channel'][]).map((channel) => ({ channel, configured: configured.includes(channel), settings: SETTINGS[channel] }));
}

/** Which channels are configured (any signed-in user: the web app says so where it asks for a contact method). */
export function getChannels(actor: Actor, configured: readonly Channel[]): ChannelStatus[] {
  requirePermission(actor, 'read');
  return channelStatus(configured);
}

const list = (names: string[], max = 5) => (names.length > max ? `${names.slice(0, max).join(', ')} and ${names.length - max} more` : names.join(', '));

/** The setup checklist as things stand now. */
export async function getChecklist(ctx: Ctx, actor: Actor, configured: readonly Channel[]): Promise<Checklist> {
  requirePermission(actor, 'read');
  const db = ctx.db.kysely;
  const now = ctx.clock.now();
  const channels = channelStatus(configured);
  const steps: ChecklistStep[] = [];

  // Push and ntfy need nothing from the operator (each device or topic is its own contact), so they do not count here.
  const sending = channels.filter((c) => c.configured && c.channel !== 'push' && c.channel !== 'ntfy').map((c) => c.channel);
  steps.push({
    id: 'channels',
    title: 'A channel that can page: email, SMS or voice',
    done: sending.some((c) => c === 'email' || c === 'sms' || c === 'voice'),
    detail: sending.length
      ? `Configured: ${sending.join(', ')}${channels.find((c) => c.channel === 'push')?.configured ? ', push (on devices that enable it)' : ''}.`
      : `Nothing but push (web push, ntfy) is configured: set ${SETTINGS.email.join(' and ')} for email, or an SMS and voice provider (Twilio, Vonage, Plivo or Telnyx), and restart.`,
    link: '/setup#channels',
  });

  const users = await userNamesByName(db);
  const reachableRows = await reachableUserIds(db);
  const reachable = new Set(reachableRows.map((r) => r.user_id));
  const unreachable = users.filter((u) => !reachable.has(u.id)).map((u) => u.name);
  steps.push({
    id: 'people',
    title: 'People with a verified contact method',
    done: reachable.size > 0,
    detail: reachable.size
      ? `${reachable.size} of ${users.length} ${users.length === 1 ? 'person has' : 'people have'} a verified contact method${unreachable.length ? `; not yet: ${list(unreachable)}` : ''}.`
      : `Nobody has a verified contact method yet, so nobody can be paged${users.length ? ` (${list(users.map((u) => u.name))})` : ''}.`,
    link: '/people/users',
  });

  const schedules = await allSchedules(db);
  const covered: string[] = [];
  const gaps: string[] = [];
  for (const s of schedules) {
    const r = await whoIsOnCall(db, s.id, now);
    (r?.onCall?.userIds.length ? covered : gaps).push(s.name);
  }
  steps.push({
    id: 'schedule',
    title: 'A schedule with someone on call now',
    done: covered.length > 0,
    detail: !schedules.length
      ? 'No schedule yet.'
      : covered.length
        ? `On call now: ${list(covered)}${gaps.length ? `; nobody on call now in ${list(gaps)}` : ''}.`
        : `Nobody is on call now in ${list(gaps)} (a new rotation may start later).`,
    link: '/schedules',
  });

  const policyRows = await policySummaryRows(db);
  const policies = new Map<string, Policy>(policyRows.map((p) => [p.id, { id: p.id, name: p.name, description: '', repeat: p.repeat, levels: JSON.parse(p.levels) as Policy['levels'] }]));
  steps.push({
    id: 'policy',
    title: 'An escalation policy',
    done: policies.size > 0,
    detail: policies.size
      ? `${policies.size} escalation ${policies.size === 1 ? 'policy' : 'policies'}: ${list(policyRows.map((p) => p.name))}.`
      : 'No escalation policy yet: it says who is paged, in which order.',
    link: '/escalation-policies',
  });

  const services = await servicePolicyRows(db);
  const paging: string[] = [];
  const silent: string[] = [];
  for (const s of services) {
    const p = s.escalation_policy_id ? policies.get(s.escalation_policy_id) : undefined;
    const who = p
      ? (
          await resolveTargets(
            db,
            p.levels.flatMap((l) => l.targets),
            now,
          )
        ).userIds
      : [];
    (who.some((u) => reachable.has(u)) ? paging : silent).push(s.name);
  }
  steps.push({
    id: 'service',
    title: 'A service that pages someone',
    done: paging.length > 0,
    detail: !services.length
      ? 'No service yet: alerts arrive on a service.'
      : `${paging.length ? `Pages someone now: ${list(paging)}. ` : ''}${silent.length ? `Pages nobody now (no policy, or nobody reachable on it): ${list(silent)}.` : ''}`.trim(),
    link: '/services',
  });

  return { channels, steps, done: steps.every((s) => s.done) };
}
