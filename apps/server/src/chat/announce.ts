/**
 * Chat channels where incidents are announced. A service, and a team as the default for its
 * services, names channels on the configured chat platforms; when an incident opens on the service
 * Klaxon posts its page card there (with the platform's buttons), and then what happens to it
 * (acknowledged, resolved, reopened, escalated, declared major) as a reply in the card's thread where
 * the platform threads easily (Slack, Mattermost) or as a new message otherwise. Microsoft Teams
 * announces through its bot (a channel conversation id), Google Chat through the Chat API (a space);
 * their incoming-webhook URLs stay a person's contact method.
 *
 * A service's own channels REPLACE its team's: a team's channels are a default for services that
 * name none. Replacing is the more expressive rule: a service that wants both lists both, while with
 * adding, a service could never keep a noisy team channel out.
 *
 * How it flows: `appendTimeline` reports every timeline event to {@link announceReaction} (wired in
 * app/klaxon.ts), which queues the ones to announce in the same transaction (`chat_announcements`,
 * only for incidents whose service or team has channels). The engine's chat-announce module turns
 * each queued row into outbox messages (kind `announce`) and deletes it, in one transaction: the
 * outbox then delivers them at least once, with retries, through the platform's provider (and so the
 * egress policy). A post that fails for good is on the incident's timeline (`chat.announce_failed`,
 * engine/modules/delivery.ts).
 */
import { requirePermission, requirePermissionSomewhere, type Actor, type Via } from '../auth/actor.js';
import { audit } from '../audit.js';
import { inTransaction, type Ctx, type Tx } from '../context.js';
import { inBatch } from '../engine/batch.js';
import type { EngineModule } from '../engine/engine.js';
import { invalid, notFound, type FieldError } from '../lib/errors.js';
import { parse } from '../lib/validate.js';
import { buildPage } from '../notify/page.js';
import { enqueueMessage } from '../notify/outbox.js';
import type { Channel, Message } from '../notify/types.js';
import { findService } from '../service/service.js';
import { findTeam } from '../team/store.js';
import { ChatChannelsInput, ChatChannelTestInput, type ChatChannel, type ChatChannelsAnswer } from '@klaxon/contract';
import { GOOGLE_CHAT_ANNOUNCE, TEAMS_ANNOUNCE } from './channel-ids.js';
import type { ChatPlatform } from './platform.js';
import { allChatChannels, announcedCardId, announcedIncident, chatChannelsOf, queueAnnouncement, queuedAnnouncements, replaceChatChannels, takeAnnouncement, type ChannelOwner } from './store.js';

/** What to configure for a platform that is not configured, where it needs more than its name (the platforms that also take webhook URLs). */
const TO_CONFIGURE: Record<string, string> = {
  teams: TEAMS_ANNOUNCE,
  googlechat: GOOGLE_CHAT_ANNOUNCE,
};

/**
 * The platforms channels may name, with how each checks a channel id (`announceProblem`, else
 * `channelProblem`) and, when it cannot announce as configured, why (`cannotAnnounce`): the
 * configured ones (the API), or every platform's id rule (`klaxon apply`, chat/channel-ids.ts).
 */
export type Platforms = ReadonlyMap<
  string,
  { name: string; label: string; channelProblem(channel: string): string | null; announceProblem?(channel: string): string | null; readonly cannotAnnounce?: string }
>;

/** The timeline events a channel hears. */
const ANNOUNCED = new Set(['incident.opened', 'incident.acknowledged', 'incident.resolved', 'incident.reopened', 'incident.escalated', 'escalation.level', 'major.declared']);

/** Which timeline events are announced: the ones above, escalation levels only after the first step (the card says the first). */
export function isAnnounced(type: string, data?: Record<string, unknown>): boolean {
  if (!ANNOUNCED.has(type)) return false;
  if (type === 'escalation.level') return typeof data?.step === 'number' && data.step >= 1;
  return true;
}

/** Reaction to every timeline event (wired in app/klaxon.ts): queues the ones to announce, in the same transaction. */
export async function announceReaction(trx: Tx, e: { incidentId: string; at: number; type: string; message: string; data?: Record<string, unknown> }): Promise<void> {
  if (!isAnnounced(e.type, e.data)) return;
  await queueAnnouncement(trx, { incident_id: e.incidentId, type: e.type, message: e.message.slice(0, 2000), at: e.at });
}

/** Where a platform's provider posts to a channel: Slack takes its C.../G... id and Google Chat its space (`spaces/<id>`, a new message with the card's buttons), the others `#<channel id>`. */
export function channelDestination(platform: string, channel: string): string {
  return platform === 'slack' || platform === 'googlechat' ? channel : `#${channel}`;
}

/**
 * Checks a list of channels against the configured platforms (pure): each platform must be
 * configured and able to post to a channel, each channel an id the platform accepts
 * (`channelProblem`), each listed once. Channel ids are trimmed. Returns the channels or the problems.
 */
export function checkChatChannels(channels: readonly ChatChannel[], platforms: Platforms): { ok: true; channels: ChatChannel[] } | { ok: false; problems: FieldError[] } {
  const problems: FieldError[] = [];
  const out: ChatChannel[] = [];
  const seen = new Set<string>();
  channels.forEach((c, i) => {
    const at = `channels/${i}`;
    const channel = c.channel.trim();
    const p = platforms.get(c.platform);
    if (!p) problems.push({ path: `${at}/platform`, message: TO_CONFIGURE[c.platform] ?? `${c.platform} is not configured on this server` });
    else if (p.cannotAnnounce) problems.push({ path: `${at}/platform`, message: p.cannotAnnounce });
    else {
      const problem = channel ? (p.announceProblem ? p.announceProblem(channel) : p.channelProblem(channel)) : 'a channel id is required';
      if (problem) problems.push({ path: `${at}/channel`, message: `${p.label}: ${problem}` });
      else if (seen.has(`${c.platform} ${channel}`)) problems.push({ path: `${at}/channel`, message: `${p.label} channel ${channel} is listed twice` });
    }
    seen.add(`${c.platform} ${channel}`);
    out.push({ platform: c.platform, channel });
  });
  return problems.length ? { ok: false, problems } : { ok: true, channels: out };
}

function platformList(platforms: Platforms): { name: string; label: string }[] {
  return [...platforms.values()].filter((p) => !p.cannotAnnounce).map((p) => ({ name: p.name, label: p.label }));
}

const asChannels = (rows: { platform: string; channel: string }[]): ChatChannel[] => rows.map((r) => ({ platform: r.platform as ChatChannel['platform'], channel: r.channel }));

async function serviceAnswer(db: Tx, platforms: Platforms, service: { id: string; teamId: string | null }): Promise<ChatChannelsAnswer> {
  const channels = asChannels(await chatChannelsOf(db, 'service', service.id));
  const team = service.teamId ? await findTeam(db, service.teamId) : undefined;
  const teamChannels = team ? asChannels(await chatChannelsOf(db, 'team', team.id)) : [];
  return {
    channels,
    team: team ? { id: team.id, name: team.name, channels: teamChannels } : null,
    announcedIn: channels.length ? channels : teamChannels,
    platforms: platformList(platforms),
  };
}

async function serviceOrThrow(db: Tx, id: string) {
  const s = await findService(db, id);
  if (!s) throw notFound('Service');
  return s;
}

async function teamOrThrow(db: Tx, id: string) {
  const t = await findTeam(db, id);
  if (!t) throw notFound('Team');
  return t;
}

/** A service's chat channels, its team's, and where its incidents are announced (anyone who may read). */
export async function getServiceChatChannels(ctx: Ctx, actor: Actor, id: string, platforms: Platforms): Promise<ChatChannelsAnswer> {
  requirePermission(actor, 'read');
  const s = await serviceOrThrow(ctx.db.kysely, id);
  return serviceAnswer(ctx.db.kysely, platforms, s);
}

/** A team's chat channels: the default of its services that name none (anyone who may read). */
export async function getTeamChatChannels(ctx: Ctx, actor: Actor, id: string, platforms: Platforms): Promise<ChatChannelsAnswer> {
  requirePermission(actor, 'read');
  const t = await teamOrThrow(ctx.db.kysely, id);
  return teamAnswer(ctx.db.kysely, platforms, t.id);
}

async function teamAnswer(db: Tx, platforms: Platforms, teamId: string): Promise<ChatChannelsAnswer> {
  const channels = asChannels(await chatChannelsOf(db, 'team', teamId));
  return { channels, announcedIn: channels, platforms: platformList(platforms) };
}

function checked(input: unknown, platforms: Platforms): ChatChannel[] {
  const v = parse(ChatChannelsInput, input, 'chat channels');
  const r = checkChatChannels(v.channels, platforms);
  if (!r.ok) throw invalid(r.problems.map((p) => `${p.path}: ${p.message}`).join('; '), r.problems);
  return r.channels;
}

async function replace(ctx: Ctx, actor: Actor, owner: ChannelOwner, ownerId: string, channels: ChatChannel[], via: Via): Promise<void> {
  const now = ctx.clock.now();
  await inTransaction(ctx, async (trx, live) => {
    const before = await chatChannelsOf(trx, owner, ownerId);
    await replaceChatChannels(trx, owner, ownerId, channels, now);
    await audit(trx, now, actor, `${owner}.chat_channels`, ownerId, { channels }, { subjectType: owner, before: { channels: before }, after: { channels }, via });
    live.push({ type: 'config', data: { [owner]: ownerId } });
  });
}

/** Every service's and team's chat channels (config as code export), in order. */
export async function listAllChatChannels(ctx: Ctx, actor: Actor): Promise<{ ownerType: ChannelOwner; ownerId: string; platform: ChatChannel['platform']; channel: string }[]> {
  requirePermission(actor, 'read');
  return (await allChatChannels(ctx.db.kysely)).map((r) => ({ ownerType: r.owner_type as ChannelOwner, ownerId: r.owner_id, platform: r.platform as ChatChannel['platform'], channel: r.channel }));
}

/** Replaces a service's chat channels (global admins and admins of the service's team). */
export async function setServiceChatChannels(ctx: Ctx, actor: Actor, id: string, input: unknown, platforms: Platforms, via: Via = 'api'): Promise<ChatChannelsAnswer> {
  requirePermissionSomewhere(actor, 'admin');
  const s = await serviceOrThrow(ctx.db.kysely, id);
  requirePermission(actor, 'admin', s.teamId);
  await replace(ctx, actor, 'service', s.id, checked(input, platforms), via);
  return serviceAnswer(ctx.db.kysely, platforms, s);
}

/** Replaces a team's chat channels (global admins and the team's admins). */
export async function setTeamChatChannels(ctx: Ctx, actor: Actor, id: string, input: unknown, platforms: Platforms, via: Via = 'api'): Promise<ChatChannelsAnswer> {
  requirePermissionSomewhere(actor, 'admin');
  const t = await teamOrThrow(ctx.db.kysely, id);
  requirePermission(actor, 'admin', t.id);
  await replace(ctx, actor, 'team', t.id, checked(input, platforms), via);
  return teamAnswer(ctx.db.kysely, platforms, t.id);
}

async function sendTest(ctx: Ctx, what: string, input: unknown, platforms: Platforms): Promise<{ queued: boolean }> {
  const v = parse(ChatChannelTestInput, input, 'chat channel');
  const r = checkChatChannels([v], platforms);
  if (!r.ok) throw invalid(r.problems.map((p) => `${p.path}: ${p.message}`).join('; '), r.problems);
  const [c] = r.channels;
  if (!c) throw invalid('channel: required');
  const now = ctx.clock.now();
  await inTransaction(ctx, (trx) =>
    enqueue(trx, now, {
      platform: c.platform,
      channel: c.channel,
      incidentId: null,
      message: { kind: 'reply', text: `Klaxon test: the incidents of ${what} will be announced in this channel.`, announce: true },
    }),
  );
  ctx.wake();
  return { queued: true };
}

/** Posts a test message to one channel a service could announce in (who may set the service's channels). */
export async function testServiceChatChannel(ctx: Ctx, actor: Actor, id: string, input: unknown, platforms: Platforms): Promise<{ queued: boolean }> {
  requirePermissionSomewhere(actor, 'admin');
  const s = await serviceOrThrow(ctx.db.kysely, id);
  requirePermission(actor, 'admin', s.teamId);
  return sendTest(ctx, `service ${s.name}`, input, platforms);
}

/** Posts a test message to one channel a team could announce in (who may set the team's channels). */
export async function testTeamChatChannel(ctx: Ctx, actor: Actor, id: string, input: unknown, platforms: Platforms): Promise<{ queued: boolean }> {
  requirePermissionSomewhere(actor, 'admin');
  const t = await teamOrThrow(ctx.db.kysely, id);
  requirePermission(actor, 'admin', t.id);
  return sendTest(ctx, `team ${t.name}`, input, platforms);
}

/** Writes one channel post to the outbox (kind `announce`: not a page to a person, so reports do not count it). */
async function enqueue(trx: Tx, now: number, o: { platform: string; channel: string; incidentId: string | null; message: Message }): Promise<void> {
  await enqueueMessage(trx, now, { kind: 'announce', channel: o.platform as Channel, destination: channelDestination(o.platform, o.channel), incidentId: o.incidentId, message: o.message });
}

/** The text of a status post: `#42 Checkout down: Acknowledged by Dana via slack`, DRILL first for drills. */
export function statusText(inc: { number: number; title: string; drill: boolean }, message: string): string {
  const said = message.replace(/^DRILL:\s*/, '');
  return `${inc.drill ? 'DRILL: ' : ''}#${inc.number} ${inc.title}: ${said}`.slice(0, 3000);
}

/** Turns the queued announcements into outbox messages (engine): each row taken once, in the transaction that queues its posts. */
export async function announceQueued(ctx: Ctx, platforms: ReadonlyMap<string, ChatPlatform>): Promise<void> {
  const rows = await queuedAnnouncements(ctx.db.kysely, 200);
  if (!rows.length) return;
  const now = ctx.clock.now();
  let queued = false;
  await inBatch(ctx, 'chat-announce', rows, async (trx, _live, a) => {
    if (!(await takeAnnouncement(trx, a.id))) return;
    const inc = await announcedIncident(trx, a.incident_id);
    if (!inc) return;
    const own = await chatChannelsOf(trx, 'service', inc.service_id);
    const channels = own.length ? own : inc.team_id ? await chatChannelsOf(trx, 'team', inc.team_id) : [];
    for (const c of channels) {
      const p = platforms.get(c.platform);
      if (!p || p.cannotAnnounce) continue;
      let message: Message | null;
      if (a.type === 'incident.opened') {
        const page = await buildPage(ctx, trx, inc.id, 'channel', now, p.name as Channel);
        message = page && { ...page, announce: true };
      } else {
        const thread = await announcedCardId(trx, inc.id, p.name, channelDestination(p.name, c.channel));
        message = { kind: 'reply', text: statusText(inc, a.message), announce: true, ...(inc.drill && { drill: true }), ...(thread && { thread }) };
      }
      if (!message) continue;
      await enqueue(trx, now, { platform: p.name, channel: c.channel, incidentId: inc.id, message });
      queued = true;
    }
  });
  if (queued) ctx.wake();
}

/** The engine module: posts what the queued announcements say to their channels. */
export function chatAnnounceModule(platforms: ReadonlyMap<string, ChatPlatform>): EngineModule {
  return {
    name: 'chat-announce',
    async updateAll(ctx: Ctx): Promise<void> {
      await announceQueued(ctx, platforms);
    },
  };
}
