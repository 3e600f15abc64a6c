/**
 * What a chat platform's inbound requests do, the same for every platform (chat/platform.ts): a
 * button acknowledges or resolves as the linked Klaxon user; a command (`ack 42`, `resolve 42`,
 * `declare ...`, or a war-room command in a bridged channel) runs as that user; a message in a
 * bridged channel goes into the war room's chat (stored once per platform message id; Klaxon's own
 * posts never come back, as every platform drops them before this). Someone whose chat user is not
 * linked (a verified contact method of the platform's type) is told how to link and nothing changes.
 */
import { requirePermission, requirePermissionSomewhere, SYSTEM, type Actor, type Via } from '../auth/actor.js';
import { audit } from '../audit.js';
import { inTransaction, type Ctx } from '../context.js';
import * as incidents from '../incident/service.js';
import { findIncident } from '../incident/service.js';
import { appendTimeline } from '../incident/timeline.js';
import { inBatch } from '../engine/batch.js';
import { AppError, conflict, invalid } from '../lib/errors.js';
import { parse } from '../lib/validate.js';
import { userByContactAddress } from '../user/service.js';
import { writeChat } from '../warroom/chat.js';
import { runCommand } from '../warroom/commands.js';
import { addMember, declareMajor, incidentOrThrow, requireOnIncident, requireWarRoomRole } from '../warroom/service.js';
import {
  bridgedChannelsOf,
  chatBridgesOf,
  chatMessageByExternalId,
  chatMessageFromSlack,
  pendingChatBridges,
  setBridgeCursor,
  settleChatBridge,
  upsertChatBridge,
  warRoomExists,
  warRoomOfChatChannel,
  warRoomOfSlackChannel,
  memberIds,
} from '../warroom/store.js';
import { listContactMethods } from '../user/store.js';
import { ChatBridgeInput, type ChatBridge } from '@klaxon/contract';
import { notLinkedText, type ChatActionName, type ChatInbound, type ChatPlatform } from './platform.js';

/** The Klaxon user linked to a platform user (a verified contact method of the platform's type at that id). */
export async function linkedActor(ctx: Ctx, p: Pick<ChatPlatform, 'name'>, userId: string): Promise<Actor | undefined> {
  return userId ? userByContactAddress(ctx, p.name, userId) : undefined;
}

/** Acknowledges or resolves; a sentence for the person. */
async function act(ctx: Ctx, actor: Actor, incident: string, action: 'ack' | 'resolve', via: Via): Promise<string> {
  try {
    const verb = action === 'ack' ? incidents.acknowledge : incidents.resolve;
    const r = await verb(ctx, actor, incident, via);
    const word = action === 'ack' ? 'acknowledged' : 'resolved';
    return r.changed ? `Incident #${r.incident.number} ${word}.` : `Incident #${r.incident.number} is already ${r.incident.status}.`;
  } catch (e) {
    if (e instanceof AppError) return e.message;
    throw e;
  }
}

/** A button: acknowledge, resolve or join the war room of `incident` (id or number) as the linked user. */
export async function chatAction(ctx: Ctx, p: ChatPlatform, o: { userId: string; incident: string; action: ChatActionName }): Promise<string> {
  const actor = await linkedActor(ctx, p, o.userId);
  if (!actor) return notLinkedText(p.label);
  if (o.action === 'join') return joinWarRoom(ctx, actor, o.incident, p);
  return act(ctx, actor, o.incident, o.action, p.name);
}

/** Joins a major incident's war room as a responder (kept if already a member); a sentence for the person. */
async function joinWarRoom(ctx: Ctx, actor: Actor, incident: string, p: ChatPlatform): Promise<string> {
  try {
    requirePermissionSomewhere(actor, 'incident.respond');
    const inc = await incidentOrThrow(ctx.db.kysely, incident);
    await requireOnIncident(ctx.db.kysely, actor, 'incident.respond', inc);
    if (actor.type !== 'user') return 'Only a person can join a war room.';
    if (!(await warRoomExists(ctx.db.kysely, inc.id))) return `Incident #${inc.number} has no war room.`;
    const now = ctx.clock.now();
    const joined = await inTransaction(ctx, async (trx, live) => {
      const before = (await memberIds(trx, inc.id)).some((m) => m.user_id === actor.id);
      if (before) return false;
      await addMember(trx, inc.id, actor.id, 'responder', now);
      await appendTimeline(
        trx,
        { incidentId: inc.id, at: now, type: 'role.assigned', actor, via: p.name, message: `${actor.name} is a responder (joined from ${p.label})`, data: { role: 'responder', userId: actor.id } },
        live,
      );
      live.push({ type: 'warroom', incidentId: inc.id, data: { member: actor.id } });
      return true;
    });
    const bridged = (await chatBridgesOf(ctx.db.kysely, inc.id)).find((b) => b.platform === p.name && b.channel);
    const where = `${ctx.publicUrl}/incidents/${inc.number}`;
    return `${joined ? 'You joined' : 'You are already in'} the war room of #${inc.number}: ${where}${bridged ? ` (its ${p.label} channel: ${bridged.channel})` : ''}`;
  } catch (e) {
    if (e instanceof AppError) return e.message;
    throw e;
  }
}

/** The war room bridged to a platform's channel (Slack keeps its channel on the war room itself). */
async function bridgedIncident(ctx: Ctx, p: ChatPlatform, channelId: string): Promise<string | undefined> {
  if (!channelId) return undefined;
  const room = p.name === 'slack' ? await warRoomOfSlackChannel(ctx.db.kysely, channelId) : await warRoomOfChatChannel(ctx.db.kysely, p.name, channelId);
  if (room || p.name === 'slack') return room?.incident_id;
  for (const parent of p.channelParents?.(channelId) ?? []) {
    const up = await warRoomOfChatChannel(ctx.db.kysely, p.name, parent);
    if (up) return up.incident_id;
  }
  return undefined;
}

/**
 * A typed command. `ack 42` / `resolve 42` work in any channel; `declare ...` declares a major
 * incident; anything else is a war-room command (`ack`, `sev 2`, `page @pat`, `help`...) and needs
 * a channel bridged to a war room. Runs as the linked user; returns the answer text.
 */
export async function chatCommand(ctx: Ctx, p: ChatPlatform, o: { channelId: string; userId: string; text: string }): Promise<string> {
  const text = o.text.trim().replace(/^!/, '');
  if (/^\/?declare\b/i.test(text)) return declareFromChat(ctx, p, o.userId, text);
  const direct = /^\/?(ack|acknowledge|resolve)\s+#?(\d{1,9})$/i.exec(text);
  const [, verb, number] = direct ?? [];
  if (verb && number) {
    const actor = await linkedActor(ctx, p, o.userId);
    if (!actor) return notLinkedText(p.label);
    return act(ctx, actor, number, verb.toLowerCase() === 'resolve' ? 'resolve' : 'ack', p.name);
  }
  const incidentId = await bridgedIncident(ctx, p, o.channelId);
  if (!incidentId) return 'This channel is not bridged to a Klaxon war room.';
  const actor = await linkedActor(ctx, p, o.userId);
  if (!actor) return notLinkedText(p.label);
  const command = text || 'help';
  const r = await runCommand(ctx, actor, incidentId, command.startsWith('/') ? command : `/${command}`, p.name);
  return r.text;
}

/**
 * `declare #42 [SEV2]` makes incident 42 major; `declare [SEV1] <service> <title...>` declares a
 * fresh one. The chat user must be linked.
 */
async function declareFromChat(ctx: Ctx, p: ChatPlatform, userId: string, text: string): Promise<string> {
  const actor = await linkedActor(ctx, p, userId);
  if (!actor) return notLinkedText(p.label);
  const words = text
    .trim()
    .replace(/^\/?declare\s*/i, '')
    .split(/\s+/)
    .filter(Boolean);
  const sevAt = words.findIndex((w) => /^sev\d+$/i.test(w));
  const sev = sevAt >= 0 ? words.splice(sevAt, 1)[0]?.toUpperCase() : undefined;
  const cmd = `${p.commandPrefix}${p.commandPrefix === '!' ? '' : ' '}declare`;
  const usage = `Usage: ${cmd} #42 [SEV2]  or  ${cmd} [SEV1] <service> <what is broken>`;
  let input: Record<string, unknown>;
  const [only] = words;
  if (words.length === 1 && only && /^#?\d+$/.test(only)) input = { incident: only.replace('#', '') };
  else if (words.length >= 2) input = { service: words[0], title: words.slice(1).join(' ').replace(/^"|"$/g, '') };
  else return usage;
  try {
    const r = await declareMajor(ctx, actor, { ...input, ...(sev && { sev }) }, p.name);
    const im = r.warRoom.members.find((m) => m.role === 'im');
    return `Declared #${r.incident.number} ${r.incident.sev ?? ''} major: war room open${im ? `, incident manager ${im.name}` : ''}.`;
  } catch (e) {
    if (e instanceof AppError) return `${e.message}. ${usage}`;
    throw e;
  }
}

/**
 * A message in a channel into the war room bridged to it, as the linked user (or "<Platform> user
 * <name>" when not linked). A retried delivery of the same platform message is stored once. Never
 * sent back to the platform it came from (writeChat skips the message's source).
 */
export async function chatMessageIn(ctx: Ctx, p: ChatPlatform, o: { channelId: string; userId: string; userName?: string; messageId: string; text: string }): Promise<'stored' | 'ignored'> {
  if (!o.text || !o.messageId || !o.userId) return 'ignored';
  const incidentId = await bridgedIncident(ctx, p, o.channelId);
  if (!incidentId) return 'ignored';
  const inc = await findIncident(ctx.db.kysely, incidentId);
  if (!inc) return 'ignored';
  const externalId = `${p.name}:${o.messageId}`;
  const seen = p.name === 'slack' ? await chatMessageFromSlack(ctx.db.kysely, inc.id, o.messageId) : await chatMessageByExternalId(ctx.db.kysely, inc.id, externalId);
  if (seen) return 'ignored';
  const user = await linkedActor(ctx, p, o.userId);
  const author = user && user.type === 'user' ? { id: user.id, name: user.name } : { id: null, name: `${p.label} user ${o.userName ?? o.userId}` };
  const now = ctx.clock.now();
  const actor: Actor = user ?? SYSTEM;
  await inTransaction(ctx, (trx, live) =>
    writeChat(
      ctx,
      trx,
      now,
      {
        incidentId: inc.id,
        drill: inc.drill,
        number: inc.number,
        author,
        actor,
        via: p.name,
        source: p.name,
        text: o.text.slice(0, 10_000),
        priority: false,
        ...(p.name === 'slack' ? { slackTs: o.messageId } : { externalId }),
      },
      live,
    ),
  );
  return 'stored';
}

/** Runs what a platform parsed from an inbound request; the HTTP answer. */
export async function handleChatInbound(ctx: Ctx, p: ChatPlatform, r: ChatInbound): Promise<{ status: number; body: unknown }> {
  switch (r.kind) {
    case 'refuse':
    case 'reply':
      return { status: r.status, body: r.body };
    case 'action':
      return p.answer('action', await chatAction(ctx, p, r));
    case 'command':
      return p.answer('command', await chatCommand(ctx, p, r));
    case 'message':
      await chatMessageIn(ctx, p, r);
      return p.answer('message', '');
    case 'ignore':
      return p.answer('ignore', '');
  }
}

/** A channel name for an incident: `inc-42-checkout-down` (lower case, at most 64 characters). */
export function chatChannelName(number: number, title: string, drill: boolean): string {
  const slug = title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  return `${drill ? 'drill-' : ''}inc-${number}${slug ? `-${slug}` : ''}`.slice(0, 64);
}

/**
 * Bridges a war room to a platform's channel: `channel` (an existing one) at once, or `create` one
 * (the engine's chat-rooms module does it). Incident manager or communications lead.
 */
export async function bridgeChat(ctx: Ctx, actor: Actor, platforms: ReadonlyMap<string, ChatPlatform>, idOrNumber: string, input: unknown, via: Via = 'api'): Promise<ChatBridge> {
  requirePermission(actor, 'incident.respond');
  const v = parse(ChatBridgeInput, input, 'chat bridge');
  const p = platforms.get(v.platform);
  if (!p) throw invalid(`platform: ${v.platform} is not configured on this server`, [{ path: 'platform', message: 'not configured' }]);
  const inc = await incidentOrThrow(ctx.db.kysely, idOrNumber);
  await requireWarRoomRole(ctx.db.kysely, actor, inc.id, ['im', 'comms'], `bridge the war room to ${p.label}`);
  if (!v.channel && !v.create) throw invalid('Give a channel id, or create: true', [{ path: 'channel', message: 'required without create' }]);
  const problem = v.channel ? p.channelProblem(v.channel) : null;
  if (problem) throw invalid(`channel: ${problem}`, [{ path: 'channel', message: problem }]);
  const name = v.name ?? chatChannelName(inc.number, inc.title, inc.drill);
  if (!/^[a-z0-9_-]{1,64}$/.test(name)) throw invalid('name: lower-case letters, digits, - and _ (at most 64)', [{ path: 'name', message: 'invalid channel name' }]);
  const now = ctx.clock.now();
  const bridge: ChatBridge = { platform: p.name, channel: v.channel ?? null, pending: v.channel ? null : name };
  await inTransaction(ctx, async (trx, live) => {
    if (!(await warRoomExists(trx, inc.id))) throw invalid('This incident has no war room: declare it major first');
    const taken = v.channel ? await warRoomOfChatChannel(trx, p.name, v.channel) : undefined;
    if (taken && taken.incident_id !== inc.id) throw conflict(`channel: already bridged to another war room`);
    await upsertChatBridge(trx, { incident_id: inc.id, platform: p.name, channel: bridge.channel, pending: bridge.pending, created_at: now });
    if (v.channel)
      await appendTimeline(
        trx,
        {
          incidentId: inc.id,
          at: now,
          type: 'chat.bridged',
          actor,
          via,
          message: `War room bridged to ${p.label} channel ${v.channel}`,
          data: { platform: p.name, platformLabel: p.label, channel: v.channel },
        },
        live,
      );
    await audit(trx, now, actor, 'warroom.chat_bridge', inc.id, { platform: p.name, channel: v.channel ?? null, create: v.channel ? null : name });
    live.push({ type: 'warroom', incidentId: inc.id, data: { chatBridge: bridge } });
  });
  ctx.wake();
  return bridge;
}

/** An incident's bridges to chat platforms (anyone who may read incidents). */
export async function listChatBridges(ctx: Ctx, actor: Actor, idOrNumber: string): Promise<ChatBridge[]> {
  requirePermission(actor, 'read');
  const inc = await incidentOrThrow(ctx.db.kysely, idOrNumber);
  return chatBridgesOf(ctx.db.kysely, inc.id);
}

/** Creates the channels bridges asked for (engine): each recorded as soon as its platform answered. */
export async function openPendingRooms(ctx: Ctx, platforms: ReadonlyMap<string, ChatPlatform>): Promise<void> {
  for (const b of await pendingChatBridges(ctx.db.kysely)) {
    const p = platforms.get(b.platform);
    if (!p) continue;
    const inc = await findIncident(ctx.db.kysely, b.incident_id);
    if (!inc) continue;
    let channel: string | null = null;
    let error: string | null = null;
    try {
      channel = await p.openRoom({ name: b.pending, title: inc.title, incidentNumber: inc.number, invite: await linkedMembers(ctx, p, b.incident_id) });
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    }
    const now = ctx.clock.now();
    await inBatch(ctx, 'chat-rooms', [b], async (trx, live) => {
      if (!(await settleChatBridge(trx, b.incident_id, b.platform, b.pending, channel))) return;
      await appendTimeline(
        trx,
        {
          incidentId: b.incident_id,
          at: now,
          type: 'chat.bridged',
          actor: SYSTEM,
          via: 'engine',
          message: channel ? `${p.label} channel ${b.pending} (${channel}) created for the war room` : `Could not create ${p.label} channel ${b.pending}: ${error}`,
          data: { platform: p.name, platformLabel: p.label, channel, name: b.pending, error },
        },
        live,
      );
      live.push({ type: 'warroom', incidentId: b.incident_id, data: { chatBridge: { platform: p.name, channel, pending: null } } });
    });
  }
}

/**
 * Reads the bridged channels of the platforms that are polled (engine): each channel's new messages
 * go into its war room (once each), then its cursor moves on. A platform is read at most every
 * `pollEveryMs` of the injected clock; `lastPoll` keeps when (per process).
 */
export async function pollBridgedChannels(ctx: Ctx, platforms: ReadonlyMap<string, ChatPlatform>, lastPoll: Map<string, number>): Promise<void> {
  for (const p of platforms.values()) {
    if (!p.poll) continue;
    const now = ctx.clock.now();
    if (now - (lastPoll.get(p.name) ?? -Infinity) < (p.pollEveryMs ?? 5000)) continue;
    lastPoll.set(p.name, now);
    for (const b of await bridgedChannelsOf(ctx.db.kysely, p.name)) {
      let read: Awaited<ReturnType<NonNullable<ChatPlatform['poll']>>>;
      try {
        read = await p.poll(b.channel, b.cursor, b.created_at);
      } catch (e) {
        ctx.log.warn({ err: e, platform: p.name, channel: b.channel }, 'chat: could not read a bridged channel');
        continue;
      }
      for (const m of read.messages) await chatMessageIn(ctx, p, m);
      if (read.cursor && read.cursor !== b.cursor) await setBridgeCursor(ctx.db.kysely, b.incident_id, p.name, read.cursor);
    }
  }
}

/** The platform user ids of a war room's members who linked that platform (verified contact methods that are people, not #channels). */
async function linkedMembers(ctx: Ctx, p: ChatPlatform, incidentId: string): Promise<string[]> {
  const out: string[] = [];
  for (const m of await memberIds(ctx.db.kysely, incidentId)) {
    for (const cm of await listContactMethods(ctx.db.kysely, m.user_id)) {
      if (cm.type === p.name && cm.verified && !cm.address.startsWith('#') && !out.includes(cm.address)) out.push(cm.address);
    }
  }
  return out;
}

/**
 * Runs what the platforms read as one stream (Matrix /sync) brought: messages into war rooms,
 * commands and reactions as the linked user, each answer posted back to its channel (engine).
 */
export async function pullPlatforms(ctx: Ctx, platforms: ReadonlyMap<string, ChatPlatform>, lastPoll: Map<string, number>): Promise<void> {
  for (const p of platforms.values()) {
    if (!p.pull) continue;
    const now = ctx.clock.now();
    if (now - (lastPoll.get(p.name) ?? -Infinity) < (p.pollEveryMs ?? 5000)) continue;
    lastPoll.set(p.name, now);
    let events: ChatInbound[];
    try {
      events = await p.pull();
    } catch (e) {
      ctx.log.warn({ err: e, platform: p.name }, 'chat: could not read');
      continue;
    }
    for (const e of events) {
      let answer: { channelId: string; text: string } | null = null;
      if (e.kind === 'message') await chatMessageIn(ctx, p, e);
      else if (e.kind === 'command') answer = { channelId: e.channelId, text: await chatCommand(ctx, p, e) };
      else if (e.kind === 'action') {
        const text = await chatAction(ctx, p, e);
        if (e.channelId) answer = { channelId: e.channelId, text };
      }
      if (answer && p.respond) await p.respond(answer.channelId, answer.text).catch((err: unknown) => ctx.log.warn({ err, platform: p.name }, 'chat: could not answer'));
    }
  }
}
