import { SYSTEM } from '../../auth/actor.js';
import type { Ctx, LiveEvent, Tx } from '../../context.js';
import { appendTimeline } from '../../incident/timeline.js';
import { formatUtc } from '../../lib/format.js';
import { newId } from '../../lib/ids.js';
import { inBatch } from '../batch.js';
import { DEFAULT_PAGE_LIMITS, describeLimits, isBundleChannel, lookBack, nextAllowedAt, type PageLimits } from '../../notify/limits.js';
import { signLink } from '../../notify/links.js';
import { enqueueMessage } from '../../notify/outbox.js';
import { buildPage } from '../../notify/page.js';
import { claimNotification, claimNotificationFor, DUE_NOTIFICATIONS_PER_PASS, dueNotifications, dueNotificationsOf, holdNotification, recentPageTimes } from '../../notify/store.js';
import type { BundleItem, Channel, PageMessage } from '../../notify/types.js';
import { MORE, type EngineModule, type More } from '../engine.js';
import { stepLevel, type Policy } from '../../escalation/types.js';
import { must } from '../../lib/must.js';

/** Whether step `step` of an incident's policy snapshot is a level with `until: resolved`. */
function levelUntilResolved(snapshot: string | null, step: number): boolean {
  // Most policies have no such level: skip parsing the snapshot on the paging path.
  if (!snapshot || !snapshot.includes('"until":"resolved"')) return false;
  return stepLevel(JSON.parse(snapshot) as Policy, Number(step))?.level.until === 'resolved';
}

type Due = Awaited<ReturnType<typeof dueNotificationsOf>>['rows'][number];

/** How the notification module treats storms (docs/paging.md, "Storms"). */
export interface NotificationOptions {
  /** Rate limits per channel (KLAXON_PAGE_RATE_LIMITS); default {@link DEFAULT_PAGE_LIMITS}. */
  limits?: PageLimits;
  /** Bundle the pages of one contact method due in the same cycle into one message (KLAXON_PAGE_BUNDLING, default true). */
  bundling?: boolean;
}

/** One unit of the cycle's work: a single notification, or every due notification of one contact method. */
type Work = { one: Due } | { cm: string; channel: Channel; rows: Due[]; capped: boolean };

/**
 * Turns due notifications into outbox messages, or cancels them if the incident was acknowledged or
 * resolved first. Claimed by compare-and-set on status. On the channels of notify/limits.ts
 * BUNDLE_CHANNELS the pages of one contact method due together become one bundled message, and a
 * contact method over its rate limit is held back (its notifications stay pending until the limit has
 * room, then go out as one bundle): never dropped.
 */
export function notificationModuleWith(opts: NotificationOptions = {}): EngineModule {
  const limits = opts.limits ?? DEFAULT_PAGE_LIMITS;
  const bundling = opts.bundling ?? true;
  // Claims won in the current pass (passes never overlap: the engine runs one cycle at a time).
  let claimedThisPass = 0;
  const counted = <R extends { numAffectedRows?: bigint }>(r: R): R => {
    if (r.numAffectedRows) claimedThisPass++;
    return r;
  };
  return {
    name: 'notification',
    onWake: true,
    async updateAll(ctx: Ctx): Promise<More | undefined> {
      const now = ctx.clock.now();
      const due = (await dueNotifications(ctx.db.kysely, { now })).rows;
      claimedThisPass = 0;
      const work: Work[] = [];
      const groups = new Map<string, Due[]>();
      for (const n of due) {
        const limited = isBundleChannel(n.type) && (bundling || (limits[n.type]?.length ?? 0) > 0);
        if (!limited) {
          work.push({ one: n });
          continue;
        }
        let g = groups.get(n.contact_method_id);
        if (!g) groups.set(n.contact_method_id, (g = []));
        g.push(n);
      }
      // The pass read its first DUE_NOTIFICATIONS_PER_PASS: a contact method with more due than that reads the rest itself.
      const capped = due.length >= DUE_NOTIFICATIONS_PER_PASS;
      for (const [cm, rows] of groups) work.push({ cm, channel: must(rows[0], 'rows[0]').type as Channel, rows, capped });
      const { failed } = await inBatch(ctx, 'notification', work, async (trx, live, w) => {
        if ('one' in w) await single(ctx, trx, live, w.one, now);
        else await group(ctx, trx, live, w.cm, w.channel, w.rows, w.capped, now);
      });
      // A full batch: more may be due, unless nothing of it could be done (it would fail again), or
      // none of it was claimed here (another instance holds it, on PostgreSQL, and goes on itself).
      return capped && failed < work.length && claimedThisPass > 0 ? MORE : undefined;
    },
  };

  /** Whether a due notification may still page, and whether it is from a level with `until: resolved`. */
  function usable(n: Due): { ok: boolean; untilResolved: boolean } {
    const untilResolved = n.incident_status !== 'resolved' && levelUntilResolved(n.policy_snapshot, n.step);
    return { ok: (n.incident_status === 'triggered' || untilResolved) && n.verified_at !== null && n.disabled === 0, untilResolved };
  }

  async function single(ctx: Ctx, trx: Tx, live: LiveEvent[], n: Due, now: number): Promise<void> {
    // A page from a level with `until: resolved` still goes out once the incident is acknowledged.
    // It is marked so, so delivery still sends it when the incident is acknowledged while it waits.
    const u = usable(n);
    const claimed = counted(await claimNotification(trx, { id: n.id, status: u.ok ? 'queued' : 'cancelled' }));
    if (!claimed.numAffectedRows || !u.ok) return;
    const page = await buildPage(ctx, trx, n.incident_id, n.user_id, now, n.type);
    if (!page) return;
    await enqueueMessage(trx, now, {
      channel: n.type as Channel,
      destination: n.address,
      message: u.untilResolved ? { ...page, untilResolved: true } : page,
      userId: n.user_id,
      contactMethodId: n.contact_method_id,
      incidentId: n.incident_id,
      first: Number(n.step) === 0,
    });
    live.push({ type: 'notification', incidentId: n.incident_id });
  }

  async function group(ctx: Ctx, trx: Tx, live: LiveEvent[], cm: string, channel: Channel, rows: Due[], capped: boolean, now: number): Promise<void> {
    // Those that may no longer page are cancelled as before.
    const open: { n: Due; untilResolved: boolean }[] = [];
    for (const n of rows) {
      const u = usable(n);
      if (u.ok) open.push({ n, untilResolved: u.untilResolved });
      else counted(await claimNotification(trx, { id: n.id, status: 'cancelled' }));
    }
    if (!open.length) return;
    const lim = isBundleChannel(channel) ? (limits[channel] ?? []) : [];
    if (lim.length) {
      const back = lookBack(lim);
      const sent = (await recentPageTimes(trx, { contactMethodId: cm, since: now - back.windowMs, limit: back.count })).rows.map((r) => Number(r.created_at));
      const at = nextAllowedAt(lim, sent, now);
      if (at > now) {
        // Over the limit: held until it has room, then bundled with whatever else waits. Said once per page.
        for (const { n } of open) {
          const held = counted(await holdNotification(trx, { id: n.id, dueAt: at, now }));
          if (!held.numAffectedRows || n.held_at != null) continue;
          await appendTimeline(
            trx,
            {
              incidentId: n.incident_id,
              at: now,
              type: 'notification.held',
              actor: SYSTEM,
              via: 'engine',
              message: `Held the page to ${n.user_name} by ${channel} (${n.cm_name}): its limit of ${describeLimits(lim)} is reached; it goes out in one bundle with the others held at ${formatUtc(at)}`,
              data: { channel, userId: n.user_id, contactMethodId: cm, until: at },
            },
            live,
          );
        }
        return;
      }
    }
    // Room for one message: it takes every page of this contact method that is due (held ones included).
    const all = capped ? (await dueNotificationsOf(trx, { now, contactMethodId: cm })).rows : [];
    const seen = new Set(open.map((o) => o.n.id));
    for (const n of all) {
      if (seen.has(n.id)) continue;
      seen.add(n.id);
      const u = usable(n);
      if (u.ok) open.push({ n, untilResolved: u.untilResolved });
      else counted(await claimNotification(trx, { id: n.id, status: 'cancelled' }));
    }
    if (!bundling) {
      // Limits without bundling: one page goes out now, the rest wait for the next room.
      for (const o of open.slice(0, 1)) await single(ctx, trx, live, o.n, now);
      const later = open.slice(1);
      if (later.length) {
        const sent = (await recentPageTimes(trx, { contactMethodId: cm, since: now - lookBack(lim).windowMs, limit: lookBack(lim).count })).rows.map((r) => Number(r.created_at));
        const at = Math.max(now + 1, nextAllowedAt(lim, sent, now));
        for (const { n } of later) counted(await holdNotification(trx, { id: n.id, dueAt: at, now }));
      }
      return;
    }
    const id = newId();
    // One entry per incident (two steps of one incident due together are one line), oldest first.
    const claimed: { n: Due; untilResolved: boolean }[] = [];
    for (const o of open) {
      const c = counted(await claimNotificationFor(trx, { id: o.n.id, outboxId: id }));
      if (c.numAffectedRows) claimed.push(o);
    }
    if (!claimed.length) return;
    const pages = new Map<string, { page: PageMessage; untilResolved: boolean }>();
    for (const o of claimed) {
      const prev = pages.get(o.n.incident_id);
      if (prev) {
        prev.untilResolved ||= o.untilResolved;
        continue;
      }
      const page = await buildPage(ctx, trx, o.n.incident_id, o.n.user_id, now, channel);
      if (page) pages.set(o.n.incident_id, { page, untilResolved: o.untilResolved });
    }
    const list = [...pages.values()].sort((a, b) => a.page.createdAt - b.page.createdAt || a.page.incidentNumber - b.page.incidentNumber);
    if (!list.length) return;
    const first = must(claimed[0], 'claimed[0]').n;
    const lead = must(list[0], 'list[0]');
    let message: PageMessage = lead.untilResolved ? { ...lead.page, untilResolved: true } : lead.page;
    if (list.length > 1) {
      const items: BundleItem[] = list.map(({ page, untilResolved }) => ({
        incidentId: page.incidentId,
        incidentNumber: page.incidentNumber,
        title: page.title,
        serviceName: page.serviceName,
        severity: page.severity,
        incidentUrl: page.incidentUrl,
        ...(page.drill && { drill: true }),
        ...(page.urgency && { urgency: page.urgency }),
        ...(untilResolved && { untilResolved: true }),
      }));
      // The acknowledge link of a bundle acknowledges every incident in it, as this person.
      const ackUrl = `${ctx.publicUrl}/actions/${signLink(ctx.linkSecret, { incidentId: lead.page.incidentId, userId: first.user_id, action: 'ack', channel, bundleId: id }, now)}`;
      message = { ...message, ackUrl, bundle: { id, items } };
    }
    await enqueueMessage(trx, now, {
      id,
      channel,
      destination: first.address,
      message,
      userId: first.user_id,
      contactMethodId: cm,
      incidentId: lead.page.incidentId,
      first: claimed.some((o) => Number(o.n.step) === 0),
    });
    for (const { page } of list) live.push({ type: 'notification', incidentId: page.incidentId });
  }
}

/** The notification module with the default limits and bundling. */
export const notificationModule: EngineModule = notificationModuleWith();
