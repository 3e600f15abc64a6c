import { requirePermission, SYSTEM, type Actor, type Via } from '../auth/actor.js';
import { audit } from '../audit.js';
import { inTransaction, type Ctx } from '../context.js';
import { findIncident } from '../incident/service.js';
import { appendTimeline } from '../incident/timeline.js';
import { AppError, invalid } from '../lib/errors.js';
import { userByContactAddress } from '../user/service.js';
import { writeChat } from './chat.js';
import { runCommand } from './commands.js';
import { declareMajor, incidentOrThrow, requireWarRoomRole } from './service.js';
import { inBatch } from '../engine/batch.js';
import { chatMessageFromSlack, pendingSlackChannels, settleSlackPending, updateWarRoom, warRoomOfSlackChannel } from './store.js';

/** A Slack Web API caller (the Slack provider's `call`). */
export type SlackCall = (method: string, body: Record<string, unknown>) => Promise<Record<string, unknown>>;

/** A Slack channel name for an incident: `inc-42-checkout-down` (lower case, at most 80 characters). */
export function slackChannelName(number: number, title: string, drill: boolean): string {
  const slug = title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 50);
  return `${drill ? 'drill-' : ''}inc-${number}${slug ? `-${slug}` : ''}`.slice(0, 80);
}

/**
 * Bridges a war room to Slack: `channel` (an existing channel id) at once, or `create` a channel,
 * which the warroom-slack engine module does with conversations.create. IM or comms.
 */
export async function bridgeSlack(
  ctx: Ctx,
  actor: Actor,
  idOrNumber: string,
  o: { channel?: string; create?: boolean; name?: string },
  via: Via = 'api',
): Promise<{ slackChannel: string | null; pending: string | null }> {
  requirePermission(actor, 'incident.respond');
  const inc = await incidentOrThrow(ctx.db.kysely, idOrNumber);
  await requireWarRoomRole(ctx.db.kysely, actor, inc.id, ['im', 'comms'], 'bridge the war room to Slack');
  if (!o.channel && !o.create) throw invalid('Give a channel id, or create: true', [{ path: 'channel', message: 'required without create' }]);
  if (o.channel && !/^[CG][A-Z0-9]{2,}$/.test(o.channel)) throw invalid('channel: a Slack channel id (C... or G...)', [{ path: 'channel', message: 'not a channel id' }]);
  const name = o.name ?? slackChannelName(inc.number, inc.title, inc.drill);
  if (!/^[a-z0-9_-]{1,80}$/.test(name)) throw invalid('name: lower-case letters, digits, - and _ (at most 80)', [{ path: 'name', message: 'invalid channel name' }]);
  const now = ctx.clock.now();
  const r = await inTransaction(ctx, async (trx, live) => {
    const set = o.channel ? { slack_channel: o.channel, slack_pending: null } : { slack_pending: `create:${name}` };
    if (!(await updateWarRoom(trx, inc.id, set))) throw invalid('This incident has no war room: declare it major first');
    if (o.channel)
      await appendTimeline(trx, { incidentId: inc.id, at: now, type: 'slack.bridged', actor, via, message: `War room bridged to Slack channel ${o.channel}`, data: { channel: o.channel } }, live);
    await audit(trx, now, actor, 'warroom.slack', inc.id, { channel: o.channel ?? null, create: o.create ? name : null });
    return { slackChannel: o.channel ?? null, pending: o.channel ? null : name };
  });
  ctx.wake();
  return r;
}

/** Creates the Slack channels war rooms asked for (engine): conversations.create, then the channel is recorded on the timeline. */
export async function createPendingSlackChannels(ctx: Ctx, call: SlackCall): Promise<void> {
  const pending = await pendingSlackChannels(ctx.db.kysely);
  for (const p of pending) {
    const name = p.slack_pending!.replace(/^create:/, '');
    let channel: string | null = null;
    let error: string | null = null;
    try {
      const res = await call('conversations.create', { name, is_private: false });
      channel = ((res.channel ?? {}) as { id?: string }).id ?? null;
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    }
    const now = ctx.clock.now();
    // Recorded as soon as Slack answered: a batch of one, so a channel made is never forgotten behind a slow one.
    await inBatch(ctx, 'warroom-slack', [p], async (trx, live) => {
      if (!(await settleSlackPending(trx, p.incident_id, p.slack_pending!, channel))) return;
      await appendTimeline(
        trx,
        {
          incidentId: p.incident_id,
          at: now,
          type: 'slack.bridged',
          actor: SYSTEM,
          via: 'engine',
          message: channel ? `Slack channel #${name} (${channel}) created for the war room` : `Could not create Slack channel #${name}: ${error}`,
          data: { channel, name, error },
        },
        live,
      );
      live.push({ type: 'warroom', incidentId: p.incident_id, data: { slackChannel: channel } });
    });
  }
}

/** An Events API `event_callback` body (the parts Klaxon reads). */
export interface SlackEventEnvelope {
  type?: string;
  event_id?: string;
  event?: { type?: string; subtype?: string; bot_id?: string; user?: string; text?: string; channel?: string; ts?: string };
}

/**
 * A Slack message event into the war room bridged to its channel. Klaxon's own posts (bot_id or a
 * subtype) are ignored so nothing echoes back; a retried event (same ts) is stored once.
 */
export async function receiveSlackEvent(ctx: Ctx, body: SlackEventEnvelope): Promise<'stored' | 'ignored'> {
  const e = body.event;
  if (body.type !== 'event_callback' || e?.type !== 'message' || e.subtype || e.bot_id || !e.user || !e.channel || !e.ts || !e.text) return 'ignored';
  const room = await warRoomOfSlackChannel(ctx.db.kysely, e.channel);
  if (!room) return 'ignored';
  const inc = await findIncident(ctx.db.kysely, room.incident_id);
  if (!inc) return 'ignored';
  if (await chatMessageFromSlack(ctx.db.kysely, inc.id, e.ts)) return 'ignored';
  const user = await userByContactAddress(ctx, 'slack', e.user);
  const author = user && user.type === 'user' ? { id: user.id, name: user.name } : { id: null, name: `Slack user ${e.user}` };
  const now = ctx.clock.now();
  const actor: Actor = user ?? SYSTEM;
  await inTransaction(ctx, (trx, live) =>
    writeChat(
      ctx,
      trx,
      now,
      { incidentId: inc.id, drill: inc.drill, number: inc.number, author, actor, via: 'slack', source: 'slack', text: e.text!.slice(0, 10_000), priority: false, slackTs: e.ts },
      live,
    ),
  );
  return 'stored';
}

/** A `/klaxon ...` slash command from a bridged channel: runs the war-room command as the linked user; returns the answer text. */
export async function receiveSlackCommand(ctx: Ctx, o: { channelId: string; userId: string; text: string }): Promise<string> {
  if (/^\/?declare\b/i.test(o.text.trim())) return declareFromSlack(ctx, o);
  const room = await warRoomOfSlackChannel(ctx.db.kysely, o.channelId);
  if (!room) return 'This channel is not bridged to a Klaxon war room.';
  const actor = await userByContactAddress(ctx, 'slack', o.userId);
  if (!actor) return 'Your Slack user is not linked to a Klaxon user: add it as a Slack contact method.';
  const text = o.text.trim() || 'help';
  const r = await runCommand(ctx, actor, room.incident_id, text.startsWith('/') ? text : `/${text}`, 'slack');
  return r.text;
}

/**
 * `/klaxon declare` from any Slack channel: `declare #42 [SEV2]` makes incident 42 major;
 * `declare [SEV1] <service> <title...>` declares a fresh one. The Slack user must be linked.
 */
async function declareFromSlack(ctx: Ctx, o: { userId: string; text: string }): Promise<string> {
  const actor = await userByContactAddress(ctx, 'slack', o.userId);
  if (!actor) return 'Your Slack user is not linked to a Klaxon user: add it as a Slack contact method.';
  const words = o.text
    .trim()
    .replace(/^\/?declare\s*/i, '')
    .split(/\s+/)
    .filter(Boolean);
  const sevAt = words.findIndex((w) => /^sev\d+$/i.test(w));
  const sev = sevAt >= 0 ? words.splice(sevAt, 1)[0]!.toUpperCase() : undefined;
  const usage = 'Usage: /klaxon declare #42 [SEV2]  or  /klaxon declare [SEV1] <service> <what is broken>';
  let input: Record<string, unknown>;
  if (words.length === 1 && /^#?\d+$/.test(words[0]!)) input = { incident: words[0]!.replace('#', '') };
  else if (words.length >= 2) input = { service: words[0], title: words.slice(1).join(' ').replace(/^"|"$/g, '') };
  else return usage;
  try {
    const r = await declareMajor(ctx, actor, { ...input, ...(sev && { sev }) }, 'slack');
    const im = r.warRoom.members.find((m) => m.role === 'im');
    return `Declared #${r.incident.number} ${r.incident.sev ?? ''} major: war room open${im ? `, incident manager ${im.name}` : ''}.`;
  } catch (e) {
    if (e instanceof AppError) return `${e.message}. ${usage}`;
    throw e;
  }
}
