import { requirePermission, requirePermissionSomewhere, SYSTEM, type Actor, type Via } from '../auth/actor.js';
import { audit } from '../audit.js';
import { inTransaction, type Ctx, type LiveEvent, type Tx } from '../context.js';
import { appendTimeline } from '../incident/timeline.js';
import { forbidden, invalid, notFound } from '../lib/errors.js';
import { newId } from '../lib/ids.js';
import { parse } from '../lib/validate.js';
import { enqueueMessage } from '../notify/outbox.js';
import type { Channel } from '../notify/types.js';
import { COMMAND_HELP, runCommand, type CommandResult } from './commands.js';
import { addMember, findUserRef, incidentOrThrow, notifyUserText, readSettings, requireOnIncident, requireWarRoomRole } from './service.js';
import { chatBridgesOf, chatRows, insertChatMessage, insertReceipt, markReceived, memberIds, receipt, receiptsOf, updateReceipt, warRoomExists, warRoomSlackChannel } from './store.js';
import { ChatInput, type ChatMessage } from './types.js';
import { must } from '../lib/must.js';

type Row = { id: string; incident_id: string; at: number; author_id: string | null; author_name: string; source: string; text: string; priority: number };

function fromRow(r: Row): ChatMessage {
  return { id: r.id, incidentId: r.incident_id, at: Number(r.at), author: { id: r.author_id, name: r.author_name }, source: r.source, text: r.text, priority: r.priority === 1 };
}

/** The @mentions in a text: `@ada`, `@ada@example.com`, `@AdaLovelace`. */
export function mentions(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/(?:^|[\s(])@([A-Za-z0-9._+-]+(?:@[A-Za-z0-9.-]+\.[A-Za-z]+)?)/g)) if (!out.includes(must(m[1], 'm[1]'))) out.push(must(m[1], 'm[1]'));
  return out;
}

/**
 * Writes a chat message in the caller's transaction: stored, on the timeline, published live, sent
 * on to the bridged Slack channel unless it came from Slack (no echo), and @mentions notified.
 */
export async function writeChat(
  ctx: Ctx,
  trx: Tx,
  now: number,
  o: {
    incidentId: string;
    drill: boolean;
    number: number;
    author: { id: string | null; name: string };
    actor: Actor;
    via: Via;
    source: string;
    text: string;
    priority: boolean;
    slackTs?: string;
    externalId?: string;
  },
  live: LiveEvent[],
): Promise<ChatMessage> {
  const row: Row & { slack_ts: string | null; slack_out: number; external_id: string | null } = {
    id: newId(),
    incident_id: o.incidentId,
    at: now,
    author_id: o.author.id,
    author_name: o.author.name,
    source: o.source,
    text: o.text,
    priority: o.priority ? 1 : 0,
    slack_ts: o.slackTs ?? null,
    slack_out: 0,
    external_id: o.externalId ?? null,
  };
  await insertChatMessage(trx, row);
  const msg = fromRow(row);
  await appendTimeline(trx, {
    incidentId: o.incidentId,
    at: now,
    type: o.priority ? 'chat.priority' : 'chat.message',
    actor: o.actor,
    via: o.via,
    message: `${o.author.name}: ${o.text.slice(0, 2000)}`,
    data: { messageId: row.id, source: o.source },
  });
  live.push({ type: 'chat', incidentId: o.incidentId, data: { message: msg } });
  const room = await warRoomSlackChannel(trx, o.incidentId);
  if (room?.slack_channel && o.source !== 'slack') {
    await enqueueMessage(trx, now, {
      channel: 'slack',
      destination: room.slack_channel,
      message: { kind: 'reply', text: `${o.drill ? 'DRILL ' : ''}${o.priority ? 'PRIORITY ' : ''}${o.author.name}: ${o.text}` },
      incidentId: o.incidentId,
    });
  }
  // The other chat platforms (src/chat/): each bridged channel gets the message unless it came from there.
  // A destination starting with '#' is a channel (room, thread) of the platform, not a person.
  for (const b of await chatBridgesOf(trx, o.incidentId)) {
    if (!b.channel || b.platform === o.source) continue;
    await enqueueMessage(trx, now, {
      channel: b.platform as Channel,
      destination: `#${b.channel}`,
      message: { kind: 'reply', text: `${o.drill ? 'DRILL ' : ''}${o.priority ? 'PRIORITY ' : ''}${o.author.name}: ${o.text}`, ...(o.priority && { priority: true }) },
      incidentId: o.incidentId,
    });
  }
  // A command (`/page @pat`) and Klaxon's answer to it name people without mentioning them: the
  // command itself pages whom it pages, so a mention notice on top would be a second and third message.
  if (o.text.startsWith('/') || o.source === 'system') return msg;
  const url = `${ctx.publicUrl}/incidents/${o.number}`;
  for (const ref of mentions(o.text)) {
    const u = await findUserRef(trx, ref);
    if (!u || u.id === o.author.id) continue;
    await notifyUserText(trx, { id: o.incidentId, drill: o.drill }, u.id, `#${o.number} ${o.author.name} mentioned you: ${o.text.slice(0, 500)} ${url}`, now);
  }
  return msg;
}

/** Sends a chat message as `actor`; a text starting with "/" runs a command (and both are recorded). Priority messages page every member. */
export async function postChat(ctx: Ctx, actor: Actor, idOrNumber: string, input: unknown, via: Via = 'api'): Promise<{ message: ChatMessage | null; result?: CommandResult }> {
  requirePermissionSomewhere(actor, 'incident.respond');
  const v = parse(ChatInput, input, 'chat message');
  const inc = await incidentOrThrow(ctx.db.kysely, idOrNumber);
  await requireOnIncident(ctx.db.kysely, actor, 'incident.respond', inc);
  if (!(await warRoomExists(ctx.db.kysely, inc.id))) throw invalid('This incident has no war room: declare it major first');
  // /help answers only the asker: neither the question nor the list goes into the room's chat.
  if (/^\/help\b/i.test(v.text.trim())) return { message: null, result: { ok: true, command: 'help', text: COMMAND_HELP } };
  if (v.priority) await requireWarRoomRole(ctx.db.kysely, actor, inc.id, ['im', 'comms'], 'send priority messages');
  const author = { id: actor.type === 'user' ? actor.id : null, name: actor.name };
  const now = ctx.clock.now();
  const message = await inTransaction(ctx, async (trx, live) => {
    if (actor.type === 'user') await addMember(trx, inc.id, actor.id, 'responder', now);
    const m = await writeChat(
      ctx,
      trx,
      now,
      { incidentId: inc.id, drill: inc.drill, number: inc.number, author, actor, via, source: via === 'slack' ? 'slack' : via, text: v.text, priority: v.priority ?? false },
      live,
    );
    if (v.priority) await pagePriority(trx, now, { id: inc.id, drill: inc.drill, number: inc.number }, m, ctx.publicUrl, live);
    return m;
  });
  ctx.wake();
  if (v.text.startsWith('/')) {
    const result = await runCommand(ctx, actor, inc.id, v.text, via);
    await inTransaction(ctx, (trx, live) =>
      writeChat(
        ctx,
        trx,
        ctx.clock.now(),
        { incidentId: inc.id, drill: inc.drill, number: inc.number, author: { id: null, name: 'Klaxon' }, actor: SYSTEM, via, source: 'system', text: result.text, priority: false },
        live,
      ),
    );
    return { message, result };
  }
  return { message };
}

/** Pages every member but the author about a priority message and opens a receipt for each. */
async function pagePriority(trx: Tx, now: number, inc: { id: string; drill: boolean; number: number }, m: ChatMessage, publicUrl: string, live: LiveEvent[]): Promise<void> {
  const settings = await readSettings(trx);
  const members = await memberIds(trx, inc.id);
  for (const { user_id } of members) {
    if (user_id === m.author.id) continue;
    await insertReceipt(trx, {
      message_id: m.id,
      user_id,
      incident_id: inc.id,
      received_at: null,
      read_at: null,
      repage_at: settings.priorityMaxRepages > 0 ? now + settings.priorityRepageMinutes * 60_000 : null,
      pages: 1,
    });
    await notifyUserText(trx, inc, user_id, priorityText(inc.number, m, publicUrl), now);
  }
  live.push({ type: 'notification', incidentId: inc.id });
}

/** The text of a priority page. */
export function priorityText(number: number, m: { author: { name: string }; text: string }, publicUrl: string): string {
  return `PRIORITY #${number} from ${m.author.name}: ${m.text.slice(0, 500)} ${publicUrl}/incidents/${number}`;
}

/** The chat of an incident, oldest first; `priority` lists only priority messages (with receipts). Reading the chat marks priority messages received. */
export async function listChat(ctx: Ctx, actor: Actor, idOrNumber: string, o: { priority?: boolean; after?: number; limit?: number } = {}): Promise<ChatMessage[]> {
  requirePermission(actor, 'read');
  const inc = await incidentOrThrow(ctx.db.kysely, idOrNumber);
  const rows = await chatRows(ctx.db.kysely, inc.id, { priority: o.priority, after: o.after, limit: Math.min(o.limit ?? 500, 2000) });
  const now = ctx.clock.now();
  if (actor.type === 'user') {
    await markReceived(ctx.db.kysely, inc.id, actor.id, now);
  }
  const out = rows.map(fromRow);
  const prio = out.filter((m) => m.priority).map((m) => m.id);
  if (prio.length) {
    const receipts = await receiptsOf(ctx.db.kysely, prio);
    for (const m of out) {
      if (!m.priority) continue;
      m.receipts = receipts
        .filter((r) => r.message_id === m.id)
        .map((r) => ({ userId: r.user_id, name: r.name, receivedAt: r.received_at === null ? null : Number(r.received_at), readAt: r.read_at === null ? null : Number(r.read_at), pages: r.pages }));
    }
  }
  return out;
}

/** Marks a priority message received or read by the caller (read implies received); read stops re-paging. */
export async function markReceipt(ctx: Ctx, actor: Actor, messageId: string, state: 'received' | 'read'): Promise<void> {
  requirePermission(actor, 'read');
  if (actor.type !== 'user') throw forbidden('Only people read messages');
  const now = ctx.clock.now();
  await inTransaction(ctx, async (trx, live) => {
    const r = await receipt(trx, messageId, actor.id);
    if (!r) throw notFound('Receipt');
    await updateReceipt(trx, messageId, actor.id, { received_at: r.received_at ?? now, ...(state === 'read' && { read_at: r.read_at ?? now, repage_at: null }) });
    await audit(trx, now, actor, `chat.${state}`, messageId, {});
    live.push({ type: 'chat.receipt', incidentId: r.incident_id, data: { messageId, userId: actor.id, state } });
  });
}
