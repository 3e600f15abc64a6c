/**
 * Slack's war-room channel: bridge a war room to an existing channel or ask for one
 * (conversations.create, made by the engine module in channels.ts). Slack keeps its channel on the
 * war room itself (`war_rooms.slack_channel`); the other platforms use `chat_bridges`.
 */
import { requirePermissionSomewhere, SYSTEM, type Actor, type Via } from '../../auth/actor.js';
import { audit } from '../../audit.js';
import { inTransaction, type Ctx } from '../../context.js';
import { appendTimeline } from '../../incident/timeline.js';
import { invalid } from '../../lib/errors.js';
import { incidentOrThrow, requireWarRoomRole } from '../../warroom/service.js';
import { inBatch } from '../../engine/batch.js';
import { pendingSlackChannels, settleSlackPending, updateWarRoom } from '../../warroom/store.js';

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
  requirePermissionSomewhere(actor, 'incident.respond');
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
    const asked = p.slack_pending;
    if (!asked) continue;
    const name = asked.replace(/^create:/, '');
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
      if (!(await settleSlackPending(trx, p.incident_id, asked, channel))) return;
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
