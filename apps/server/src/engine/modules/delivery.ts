import { SYSTEM } from '../../auth/actor.js';
import { inTransaction, type Ctx, type LiveEvent, type Tx } from '../../context.js';
import { BatchMemo } from '../batch.js';
import { GroupCommit } from '../../lib/group-commit.js';
import { appendTimeline } from '../../incident/timeline.js';
import { newId } from '../../lib/ids.js';
import { messagesSent } from '../../lib/metrics.js';
import { backoffMs } from '../../lib/retry.js';
import type { ProviderRegistry } from '../../notify/registry.js';
import { advanceNextNotification, claimDue, handBackLeases, insertAttempt, recordOutcome } from '../../notify/store.js';
import { incidentStatuses } from '../../incident/store.js';
import { userNameRow } from '../../user/store.js';
import { ProviderError, type Channel, type Failover, type Message, type SendResult } from '../../notify/types.js';
import { MORE, type EngineModule, type More } from '../engine.js';

/** Delivery options. */
export interface DeliveryOptions {
  /** This process's name, recorded as the lease owner. */
  instanceId: string;
  providers: ProviderRegistry;
  /** How long a claim lasts; a crashed sender's messages are retried after it (ms). */
  leaseMs?: number;
  /** Attempts before a message is given up. */
  maxAttempts?: number;
  /** Messages claimed per batch. */
  batchSize?: number;
  /**
   * Messages of one channel being sent at once (default 250). Each channel has its own slots: an
   * SMTP server that never answers fills the e-mail slots only, and SMS, voice and the rest keep
   * being claimed and sent. A claim takes messages of every channel with a free slot, so a channel
   * can go over by less than one batch.
   */
  maxInFlightPerChannel?: number;
}

/** Default slots per channel (see {@link DeliveryOptions.maxInFlightPerChannel}). */
export const DEFAULT_IN_FLIGHT_PER_CHANNEL = 250;

/**
 * The slots of a channel kept for messages someone waits for now (priority 0: a new incident's first
 * page, a direct page, a code; notify/outbox.ts `first`): a fifth of them (at least one, and never
 * all). A storm's re-pages fill the rest and then wait. The claim takes priority 0 first, but a
 * channel with every slot taken by re-pages (an SMTP server slower than the storm) could take
 * nothing until one of them finished: now a new incident's first page goes out at the next pass.
 */
export function firstPageSlots(perChannel: number): number {
  return Math.min(perChannel - 1, Math.max(1, Math.floor(perChannel / 5)));
}

/** last_error of a message whose send was still running when its instance shut down (its lease was handed back). */
export const HANDED_BACK = 'the send was still running when its instance shut down; its lease was handed back and it is sent again';

function maskAddress(channel: string, dest: string): string {
  if (channel === 'sms' || channel === 'voice' || channel === 'whatsapp') return dest.length > 6 ? `${dest.slice(0, 3)}…${dest.slice(-4)}` : dest;
  if (channel === 'push') return 'device';
  // A Google Chat webhook URL holds its key and token: name the space only.
  if (channel === 'googlechat') {
    const space = /\/spaces\/([^/?]+)\//.exec(dest);
    return space ? `space ${space[1]}` : dest;
  }
  if (channel === 'telegram') return `chat ${dest}`;
  if (channel === 'pushover') return dest.length > 8 ? `user key ${dest.slice(0, 4)}…` : 'user key';
  if (channel === 'ntfy') {
    // The address may hold an access token: name the topic and server only.
    try {
      const a = JSON.parse(dest) as { server?: string; topic?: string };
      return `topic ${a.topic ?? '?'}${a.server ? ` on ${new URL(a.server).host}` : ''}`;
    } catch {
      return 'ntfy topic';
    }
  }
  return dest.length > 60 ? `${dest.slice(0, 57)}…` : dest;
}

/**
 * The outbox sender: claims due messages with a lease, hands them to their provider outside any
 * transaction and outside the engine cycle, and records each outcome as soon as its send finishes
 * (outcomes that finish together share one commit). A crash between a provider's answer and that
 * commit resends only the messages in flight, with the same idempotency key (the outbox id).
 */
export function deliveryModule(opts: DeliveryOptions): EngineModule {
  const leaseMs = opts.leaseMs ?? 60_000;
  const maxAttempts = opts.maxAttempts ?? 6;
  const batchSize = opts.batchSize ?? 50;
  const perChannel = opts.maxInFlightPerChannel ?? DEFAULT_IN_FLIGHT_PER_CHANNEL;
  // What the rest may take: the slots above it are kept for priority 0.
  const ordinary = perChannel - firstPageSlots(perChannel);
  // Sends run in the background: a slow provider (an SMTP server taking seconds) never holds up the
  // cycle, and each channel has its own slots, so the next incident's SMS is never queued behind
  // someone's e-mail.
  const inFlight = new Map<string, Promise<void>>();
  const sending = new Map<string, number>();
  let recorder: GroupCommit<Outcome, void> | null = null;
  let lastCtx: Ctx | null = null;
  let stopping = false;

  const start = (ctx: Ctx, m: Claimed, states: Promise<Map<string, string>>, rec: GroupCommit<Outcome, void>) => {
    sending.set(m.channel, (sending.get(m.channel) ?? 0) + 1);
    const p: Promise<void> = (async () => {
      const outcome = await deliver(opts, m, maxAttempts, await states, ctx);
      // Recorded at once (with whatever else finished in the same turn), not after the rest of its batch.
      await rec.submit(outcome);
    })()
      .catch((err: unknown) => ctx.log.error({ err, messageId: m.id, channel: m.channel }, 'delivery: could not record an outcome; the message is retried when its lease ends'))
      .finally(() => {
        const n = (sending.get(m.channel) ?? 1) - 1;
        sending.set(m.channel, n);
        inFlight.delete(m.id);
        // The channel had no free slot (or none but the kept ones): claim what waits for it now.
        if ((n === perChannel - 1 || n === ordinary - 1) && !stopping) ctx.wake();
      });
    inFlight.set(m.id, p);
  };

  return {
    name: 'delivery',
    onWake: true,
    async updateAll(ctx: Ctx): Promise<More | undefined> {
      if (stopping) return;
      lastCtx = ctx;
      const rec = (recorder ??= new GroupCommit<Outcome, void>(
        async (items) => {
          const memo = new BatchMemo();
          await inTransaction(ctx, async (trx, live) => {
            for (const o of items) await record(ctx, opts, trx, live, o, memo);
          });
          return items.map(() => undefined);
        },
        (o) => inTransaction(ctx, (trx, live) => record(ctx, opts, trx, live, o, new BatchMemo())),
      ));
      const full = [...sending].filter(([, n]) => n >= perChannel).map(([c]) => c);
      const busy = [...sending].filter(([, n]) => n >= ordinary).map(([c]) => c);
      const claimed = await claim(ctx, opts.instanceId, leaseMs, batchSize, full, busy);
      if (!claimed.length) return;
      // The claim is on the disk before anything is sent (and with it every engine commit before it).
      await ctx.db.sync();
      // The incidents' states in one query for the batch, off the cycle like the sends.
      const ids = [...new Set(claimed.flatMap((m) => [...(m.incident_id ? [m.incident_id] : []), ...bundleIncidentIds(m)]))];
      const states = ids.length ? incidentStatuses(ctx.db.kysely, ids).then((rows) => new Map(rows.map((r) => [r.id, r.status]))) : Promise.resolve(new Map<string, string>());
      states.catch(() => {}); // each send reports it
      for (const m of claimed) start(ctx, m, states, rec);
      // A full batch: more may be due (the engine's next pass claims it).
      return claimed.length >= batchSize ? MORE : undefined;
    },
    async settle(): Promise<void> {
      while (inFlight.size) await Promise.all([...inFlight.values()]);
    },
    async drain(graceMs: number): Promise<void> {
      stopping = true;
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), graceMs)));
      const done = (async () => {
        while (inFlight.size) await Promise.all([...inFlight.values()]);
        return 'done' as const;
      })();
      const how = await Promise.race([done, timedOut]);
      clearTimeout(timer);
      if (how === 'done' || !lastCtx || !inFlight.size) return;
      // Still running after the grace period: hand the leases back, so another instance (or this one
      // when it starts again) sends them at once instead of after the lease; an outcome that arrives
      // later is not recorded (the lease is no longer ours).
      const ctx = lastCtx;
      const ids = [...inFlight.keys()];
      const handedBack = await handBackLeases(ctx.db.kysely, ids, opts.instanceId, ctx.clock.now(), HANDED_BACK);
      await ctx.db.sync();
      ctx.log.warn({ handedBack, graceMs }, 'delivery: sends still running at shutdown were handed back');
    },
  };
}

/** The incidents a bundled page names besides its own (read from its content). */
function bundleIncidentIds(m: { kind: string; content: string }): string[] {
  if (m.kind !== 'page' || !m.content.includes('"bundle"')) return [];
  const msg = JSON.parse(m.content) as Message;
  return msg.kind === 'page' && msg.bundle ? msg.bundle.items.map((it) => it.incidentId) : [];
}

interface Claimed {
  id: string;
  kind: string;
  channel: string;
  destination: string;
  content: string;
  attempts: number;
  incident_id: string | null;
  user_id: string | null;
  failed_providers?: string | null;
}

async function claim(ctx: Ctx, owner: string, leaseMs: number, limit: number, full: string[], busy: string[]): Promise<Claimed[]> {
  const now = ctx.clock.now();
  return (await claimDue(ctx.db.kysely, ctx.db.dialect, { now, limit, owner, until: now + leaseMs, full, busy })).rows;
}

/** What happened to one claimed message, to be recorded. */
interface Outcome {
  m: Claimed;
  r: {
    status: 'sent' | 'queued' | 'failed' | 'cancelled';
    providerStatus?: string | null;
    providerMessageId?: string | null;
    error?: string;
    retryAt?: number;
    /** SMS and voice with several providers: the one that took it, and the failovers before it. */
    provider?: string;
    failovers?: Failover[];
  };
  message: Message | null;
}

async function deliver(opts: DeliveryOptions, m: Claimed, maxAttempts: number, states: Map<string, string>, ctx: Ctx): Promise<Outcome> {
  const message = JSON.parse(m.content) as Message;
  const channel = m.channel as Channel;

  // A bundle names only the incidents that still need someone: those acknowledged or resolved while it
  // waited are left out, and a bundle with none left is not sent.
  if (message.kind === 'page' && message.bundle) {
    const open = message.bundle.items.filter((it) => {
      const status = states.get(it.incidentId);
      return !status || (it.untilResolved ? status !== 'resolved' : status === 'triggered');
    });
    if (!open.length) return { m, r: { status: 'cancelled', error: 'every incident in it was already acknowledged or resolved' }, message: null };
    if (open.length < message.bundle.items.length) message.bundle = { ...message.bundle, items: open };
  } else if (message.kind === 'page' && m.incident_id) {
    // An escalation page whose incident was acknowledged or resolved while it waited is not sent; a page
    // a person sent from the war room still goes out while the incident is acknowledged.
    const status = states.get(m.incident_id);
    if (status && (message.direct || message.untilResolved || message.announce ? status === 'resolved' : status !== 'triggered')) {
      return { m, r: { status: 'cancelled', error: `incident already ${status}` }, message: null };
    }
  }

  const provider = opts.providers.get(channel);
  let result: SendResult | null = null;
  let error: ProviderError | null = null;
  if (!provider) {
    error = new ProviderError(`no ${channel} provider is configured (see docs/configuration.md)`, true);
  } else {
    try {
      const skipProviders = m.failed_providers ? m.failed_providers.split(',') : undefined;
      result = await provider.send({ id: m.id, channel, destination: m.destination, message, ...(skipProviders && { skipProviders }) });
    } catch (e) {
      error = e instanceof ProviderError ? e : new ProviderError(e instanceof Error ? e.message : String(e), false);
    }
  }
  if (result) {
    messagesSent.inc({ channel, result: 'sent' });
    return {
      m,
      r: {
        status: 'sent',
        providerStatus: result.providerStatus,
        providerMessageId: result.providerMessageId,
        ...(result.provider && { provider: result.provider }),
        ...(result.failovers && { failovers: result.failovers }),
      },
      message,
    };
  }
  const failure = error ?? new ProviderError('no result', false);
  const retry = !failure.permanent && m.attempts < maxAttempts;
  messagesSent.inc({ channel, result: retry ? 'retry' : 'failed' });
  return {
    m,
    r: {
      status: retry ? 'queued' : 'failed',
      error: failure.message,
      providerStatus: failure.providerStatus ?? null,
      retryAt: retry ? ctx.clock.now() + backoffMs(m.attempts) : undefined,
      ...(failure.failovers && { failovers: failure.failovers }),
    },
    message,
  };
}

/** Records an outcome: only the lease holder may (a sender whose lease expired steps aside). */
async function record(ctx: Ctx, opts: DeliveryOptions, trx: Tx, live: LiveEvent[], o: Outcome, memo: BatchMemo): Promise<void> {
  const { m, r, message } = o;
  const now = ctx.clock.now();
  // Only the lease holder records the outcome; a sender whose lease expired steps aside.
  const upd = await recordOutcome(trx, {
    id: m.id,
    owner: opts.instanceId,
    set: {
      status: r.status,
      lease_owner: null,
      lease_until: null,
      provider_status: r.providerStatus ?? null,
      provider_message_id: r.providerMessageId ?? null,
      last_error: r.error ?? null,
      ...(r.status === 'sent' && { sent_at: now }),
      ...(r.retryAt !== undefined && { next_attempt_at: r.retryAt }),
      ...(r.provider && { provider: r.provider }),
    },
  });
  if (!upd.numAffectedRows) return;
  await insertAttempt(trx, {
    id: newId(),
    message_id: m.id,
    at: now,
    status: r.status === 'queued' ? 'retrying' : r.status,
    provider_status: r.providerStatus ?? null,
    provider_message_id: r.providerMessageId ?? null,
    error: r.error ?? null,
  });
  if (m.kind === 'announce') {
    // A chat channel that announces incidents (chat/announce.ts): its timeline says when a post failed
    // for good, so nobody believes the channel was told.
    if (r.status === 'failed' && m.incident_id) {
      const what = message?.kind === 'page' ? 'the page card' : 'a status update';
      await appendTimeline(
        trx,
        {
          incidentId: m.incident_id,
          at: now,
          type: 'chat.announce_failed',
          actor: SYSTEM,
          via: 'engine',
          message: `Could not post ${what} to ${m.channel} channel ${maskAddress(m.channel, m.destination.replace(/^#/, ''))} (attempt ${m.attempts}): ${r.error}; the channel was not told`,
          data: { messageId: m.id, platform: m.channel, channel: m.destination.replace(/^#/, ''), error: r.error ?? null },
        },
        live,
      );
    }
    return;
  }
  if (message?.kind !== 'page' || !m.incident_id) return;
  const userId = m.user_id;
  const name = userId ? await memo.get(`user:${userId}`, async () => (await userNameRow(trx, userId))?.name) : undefined;
  const who = `${name ?? 'someone'} by ${m.channel} (${maskAddress(m.channel, m.destination)})`;
  for (const f of r.failovers ?? []) {
    await appendTimeline(
      trx,
      {
        incidentId: m.incident_id,
        at: now,
        type: 'notification.failover',
        actor: SYSTEM,
        via: 'engine',
        message: `Paging ${who} through ${f.from} failed (${f.error}); trying ${f.to}`,
        data: { messageId: m.id, channel: m.channel, from: f.from, to: f.to },
      },
      live,
    );
  }
  if (message.kind === 'page' && message.bundle && r.status === 'sent') {
    // Each incident of a bundle says it went out in that one message.
    const items = message.bundle.items;
    const numbers = items.map((it) => `#${it.incidentNumber}`);
    const list = numbers.length > 10 ? `${numbers.slice(0, 10).join(', ')} and ${numbers.length - 10} more` : numbers.join(', ');
    for (const it of items) {
      await appendTimeline(
        trx,
        {
          incidentId: it.incidentId,
          at: now,
          type: 'notification.bundled',
          actor: SYSTEM,
          via: 'engine',
          message: `Paged ${who} in one message about ${items.length} incidents (${list}): ${r.providerStatus ?? 'sent'}`,
          data: { messageId: m.id, bundleId: message.bundle.id, channel: m.channel, userId: m.user_id, providerMessageId: r.providerMessageId, count: items.length },
        },
        live,
      );
    }
  } else if (r.status === 'sent') {
    await appendTimeline(
      trx,
      {
        incidentId: m.incident_id,
        at: now,
        type: 'notification.sent',
        actor: SYSTEM,
        via: 'engine',
        message: `Paged ${who}: ${r.providerStatus ?? 'sent'}`,
        data: { messageId: m.id, channel: m.channel, userId: m.user_id, providerMessageId: r.providerMessageId },
      },
      live,
    );
  } else if (r.status === 'cancelled') {
    await appendTimeline(
      trx,
      { incidentId: m.incident_id, at: now, type: 'notification.cancelled', actor: SYSTEM, via: 'engine', message: `Did not page ${who}: ${r.error}`, data: { messageId: m.id, channel: m.channel } },
      live,
    );
  } else {
    // A bundle's failure is on the timeline of every incident in it.
    for (const incidentId of message.bundle ? message.bundle.items.map((it) => it.incidentId) : [m.incident_id])
      await appendTimeline(
        trx,
        {
          incidentId,
          at: now,
          type: 'notification.failed',
          actor: SYSTEM,
          via: 'engine',
          message: `Paging ${who} failed (attempt ${m.attempts}): ${r.error}${r.status === 'queued' ? '; will retry' : '; giving up'}`,
          data: { messageId: m.id, channel: m.channel, final: r.status === 'failed' },
        },
        live,
      );
    // Failed for good: the person's next notification rule fires now rather than after its delay.
    if (r.status === 'failed' && userId) {
      let moved = false;
      for (const incidentId of message.bundle ? message.bundle.items.map((it) => it.incidentId) : [m.incident_id]) if (await advanceNextNotification(trx, incidentId, userId, now)) moved = true;
      if (moved) ctx.wake();
    }
  }
}
