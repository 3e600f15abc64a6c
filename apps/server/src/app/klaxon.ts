import { createHmac, randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { migrations } from '../../migrations/index.js';
import { AlertIngest } from '../alert/service.js';
import { startInboundSmtp } from '../ingest/email/server.js';
import { onIncidentReopened, onIncidentResolved } from '../incident/lifecycle.js';
import { onTimeline } from '../incident/timeline.js';
import { announceReaction, chatAnnounceModule } from '../chat/announce.js';
import { recordMeasures, recordResolvedMeasures } from '../report/measures.js';
import type { Ctx, LiveEvent } from '../context.js';
import type { Database } from '../database.js';
import { Engine, ENGINE_VERSION } from '../engine/engine.js';
import { engineVersionGuard } from '../engine/version-guard.js';
import { deliveryModule } from '../engine/modules/delivery.js';
import { pushoverReceiptsModule } from '../engine/modules/pushover-receipts.js';
import { escalationModule } from '../engine/modules/escalation.js';
import { heartbeatModule } from '../heartbeat/module.js';
import { notificationModuleWith } from '../engine/modules/notification.js';
import { snoozeModule } from '../incident/snooze.js';
import { auditRetentionModule } from '../audit-trail.js';
import { postmortemRemindersModule } from '../postmortem/reminders.js';
import { reportSlaWarningModule } from '../report/sla-warnings.js';
import { reportSummaryModule } from '../report/summary-notices.js';
import { scheduleGapsModule } from '../schedule/gap-notices.js';
import { scheduleHandoffModule } from '../schedule/handoff-notices.js';
import { statusRemindersModule } from '../status/reminders.js';
import { warRoomPriorityModule } from '../warroom/priority-repage.js';
import { warRoomRunbooksModule } from '../warroom/runbook-reviews.js';
import { warRoomSlackModule } from '../chat/slack/channels.js';
import { slackPlatform } from '../chat/slack/platform.js';
import { chatRoomsModule, chatSyncModule } from '../chat/rooms.js';
import type { ChatPlatform } from '../chat/platform.js';
import { SlackProvider } from '../notify/providers/slack/index.js';
import { PushoverProvider } from '../notify/providers/pushover/index.js';
import { TelegramBot } from '../notify/providers/telegram/index.js';
import { buildHttp, type App } from '../http/app.js';
import { emitterLiveSource } from '../http/live/source.js';
import { FakeClock, systemClock, type Clock } from '../lib/clock.js';
import { openDb, type Db } from '../lib/db/index.js';
import { watchSqliteDurability } from '../lib/metrics.js';
import { PgFanout } from '../lib/db/pg-notify.js';
import { migrateToLatest } from '../lib/db/migrate.js';
import { newSecret } from '../lib/ids.js';
import { EgressPolicy } from '../lib/egress.js';
import { SecretBox } from '../lib/secret-box.js';
import { sealLegacySecrets } from '../warroom/runbooks.js';
import { sealLegacySigningSecrets } from '../service/service.js';
import { createLogger, type Logger } from '../lib/logger.js';
import { generateVapidKeys, type VapidKeys } from '../notify/providers/push/index.js';
import type { KlaxonConfig } from './config.js';
import { buildChatPlatforms, buildProviders } from './providers.js';
import { teamsRefStore } from '../chat/teams/store.js';
import { getSettingOrThrow, insertSettingIfAbsent, pgNotify } from '../store.js';
import { disablePushContactMethods } from '../user/store.js';

// What domains do when another's state changes, in the same transaction: wired here, so neither
// depends on the other (the incident lifecycle knows nothing of reports).
onIncidentResolved(recordResolvedMeasures);
onIncidentReopened((trx, incidentId) => recordMeasures(trx, incidentId));
onTimeline(announceReaction);

/** A running Klaxon: its context, engine and HTTP server. */
export interface Klaxon {
  config: KlaxonConfig;
  ctx: Ctx;
  engine: Engine;
  http: App;
  /** The URL the HTTP server listens on (when it listens). */
  url: string;
  /** Live events, after commit (the WebSocket hub subscribes here). */
  live: EventEmitter;
  /** The port the inbound email (SMTP) listener took, when it runs. */
  inboundSmtpPort?: number;
  /** Stops in order: inbound mail, HTTP, the engine (sends in flight get the grace period), live fan-out, egress, the database. */
  stop(): Promise<void>;
  /** While stop() runs: the step it waits on (`http`, `engine`, `database`…), for a shutdown that hangs; null otherwise. */
  stopping(): string | null;
}

/**
 * Closes the HTTP server: no new connections, idle keep-alive ones closed, requests in flight may
 * finish for `graceMs`; then every connection still open is cut. Without the cut one client that
 * never finishes sending its body, or never reads a streamed answer (an export), held the shutdown
 * until Node's request timeout (5 minutes) or for ever.
 */
async function closeHttp(http: App, graceMs: number, log: Logger): Promise<void> {
  const closing = http.close();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), graceMs)));
  const how = await Promise.race([closing.then(() => 'closed' as const), late]);
  clearTimeout(timer);
  if (how === 'late') {
    log.warn({ graceMs }, 'shutdown: HTTP requests still open after the grace period were cut');
    http.server.closeAllConnections();
  }
  await closing;
}

/** While a shutdown step takes longer than this, a warning names it again (ms). */
const SLOW_STOP_WARN_MS = 10_000;

/** Opens the database and runs pending migrations. */
export async function openDatabase(url: string, opts: { pgPreparedStatements?: boolean } = {}): Promise<Db<Database>> {
  const db = openDb<Database>(url, { preparedStatements: opts.pgPreparedStatements });
  await migrateToLatest(db.kysely as never, migrations);
  return db;
}

/** A secret shared by every instance through the database, created on first use. */
export async function sharedSecret(db: Db<Database>, key: string): Promise<string> {
  return sharedValue(db, key, () => newSecret('', 32));
}

/** A setting shared by every instance: `create()` is stored on first use; the first writer wins a race. */
export async function sharedValue(db: Db<Database>, key: string, create: () => string): Promise<string> {
  await insertSettingIfAbsent(db.kysely, key, create());
  return getSettingOrThrow(db.kysely, key);
}

/** The VAPID identity for Web Push: from the configuration, else a key pair generated once and kept in the database. */
export async function vapidKeys(db: Db<Database>, config: KlaxonConfig): Promise<VapidKeys> {
  const pair = config.vapid ?? (JSON.parse(await sharedValue(db, 'vapid_keys', () => JSON.stringify(generateVapidKeys()))) as { publicKey: string; privateKey: string });
  const subject = config.vapidSubject ?? (config.publicUrl.startsWith('https:') ? config.publicUrl : 'mailto:klaxon@localhost');
  return { publicKey: pair.publicKey, privateKey: pair.privateKey, subject };
}

/**
 * The key that encrypts stored credentials: KLAXON_SECRET_KEY, else 32 random bytes generated once
 * and kept in the settings table (key `secret_key`), shared by every instance like the VAPID keys.
 */
export async function secretBox(db: Db<Database>, config: KlaxonConfig): Promise<SecretBox> {
  const key = config.secretKey ?? Buffer.from(await sharedValue(db, 'secret_key', () => randomBytes(32).toString('base64')), 'base64');
  return new SecretBox(key);
}

/** Start-up options that are not configuration: what tests inject. */
export interface StartOptions {
  clock?: Clock;
  log?: Logger;
  /** Listen on config.host:config.port (default true). */
  listen?: boolean;
}

/** Starts Klaxon: database, migrations, engine, HTTP server. The one place that wires everything. */
export async function startKlaxon(config: KlaxonConfig, opts: StartOptions = {}): Promise<Klaxon> {
  const log = opts.log ?? createLogger();
  const testClock = !opts.clock && config.testFakeClock ? new FakeClock(config.testFakeClock) : undefined;
  if (testClock) log.warn('KLAXON_TEST_FAKE_CLOCK is set: running on a fake clock with test hooks. Never do this in production.');
  const clock = opts.clock ?? testClock ?? systemClock;
  const db = await openDatabase(config.databaseUrl, config);
  watchSqliteDurability(() => db.durability());
  const linkSecret = await sharedSecret(db, 'link_secret');
  const webhookSecret = config.webhookSecret ?? (await sharedSecret(db, 'webhook_secret'));
  const vapid = await vapidKeys(db, config);
  const box = await secretBox(db, config);
  const egress = new EgressPolicy(config.egressAllow);
  const live = new EventEmitter();
  live.setMaxListeners(0);
  const fanout =
    db.dialect === 'postgres'
      ? new PgFanout(
          config.databaseUrl,
          'klaxon_live',
          (channel, payload) => pgNotify(db.kysely, channel, payload),
          (payload) => live.emit('event', JSON.parse(payload) as LiveEvent),
          log,
        )
      : null;
  await fanout?.start();
  let engine: Engine | null = null;
  let ready = false;

  const ctx: Ctx = {
    db,
    clock,
    log,
    publicUrl: config.publicUrl,
    ...(config.inboundSmtp && { inboundEmailDomain: config.inboundSmtp.domain }),
    linkSecret,
    egress,
    secretBox: box,
    wake: () => engine?.wake(),
    // With several instances on PostgreSQL, events go through NOTIFY so every instance's sockets see them.
    publish: (e: LiveEvent) => {
      if (!fanout) return void live.emit('event', e);
      // NOTIFY payloads are limited to 8000 bytes: a large event travels as its type and incident only.
      const text = JSON.stringify(e);
      fanout.publish(text.length < 7900 ? text : JSON.stringify({ type: e.type, incidentId: e.incidentId }));
    },
  };

  const instanceId = `${hostname()}-${process.pid}-${newSecret('', 4)}`;
  // The key of chat buttons' per-action secrets (Mattermost), derived from the shared link secret.
  const chatActionKey = createHmac('sha256', linkSecret).update('klaxon chat actions').digest('hex');
  const providers = buildProviders(config, {
    webhookSecret,
    chatActionKey,
    linkSecret,
    clock,
    egress,
    publicUrl: () => ctx.publicUrl,
    teamsRefs: teamsRefStore(db.kysely, () => clock.now()),
    push: {
      vapid,
      // The push service says the subscription is gone (404/410): stop paging that device.
      onGone: async (address) => {
        const disabled = await disablePushContactMethods(db.kysely, address);
        if (disabled) log.info({ disabled }, 'push subscription gone: contact method disabled');
      },
    },
  });
  await sealLegacySecrets(ctx);
  await sealLegacySigningSecrets(ctx);
  const pushover = providers.get('pushover');
  const pushoverCancel = pushover instanceof PushoverProvider ? (receipt: string) => pushover.cancelReceipt(receipt) : null;
  const slack = providers.get('slack');
  const slackCall = slack instanceof SlackProvider ? (method: string, body: Record<string, unknown>) => slack.call(method, body) : null;
  // The chat platforms (chat/platform.ts): each configured one answers its inbound routes; Slack's war-room channels keep their own module.
  const chatPlatforms = new Map<string, ChatPlatform>();
  if (slack instanceof SlackProvider && config.slack) chatPlatforms.set('slack', slackPlatform(slack, config.slack.signingSecret));
  for (const p of buildChatPlatforms(config, providers, { chatActionKey })) chatPlatforms.set(p.name, p);
  const otherPlatforms = new Map([...chatPlatforms].filter(([name]) => name !== 'slack'));
  engine = new Engine(
    ctx,
    [
      snoozeModule,
      escalationModule,
      notificationModuleWith({ limits: config.pageLimits, bundling: config.pageBundling }),
      scheduleHandoffModule,
      scheduleGapsModule,
      warRoomPriorityModule,
      warRoomRunbooksModule,
      warRoomSlackModule(slackCall),
      chatRoomsModule(otherPlatforms),
      chatSyncModule(otherPlatforms),
      chatAnnounceModule(chatPlatforms),
      statusRemindersModule,
      heartbeatModule,
      reportSlaWarningModule,
      postmortemRemindersModule,
      reportSummaryModule,
      auditRetentionModule(config.auditRetentionDays),
      pushoverReceiptsModule(pushoverCancel),
      deliveryModule({ instanceId, providers, maxInFlightPerChannel: config.deliveryInFlightPerChannel }),
    ],
    {
      intervalMs: clock !== systemClock ? 0 : config.engineIntervalMs,
      moduleTimeoutMs: 30_000,
      guard: engineVersionGuard(ctx, ENGINE_VERSION),
    },
  );
  if (config.role === 'api') engine = null;

  const ingest = new AlertIngest(ctx);
  const http = await buildHttp(
    {
      ctx,
      ingest,
      twilioAuthToken: config.twilio?.authToken,
      vonageSignatureSecret: config.vonage?.signatureSecret ?? config.vonageSignatureSecret,
      plivoAuthToken: config.plivo?.authToken,
      telnyx: config.telnyx && { publicKey: config.telnyx.publicKey, client: providers.telnyx },
      senderNumbers: providers.senderNumbers,
      slackSigningSecret: config.slack?.signingSecret,
      chatPlatforms,
      telegram: (() => {
        const bot = providers.get('telegram');
        return config.telegram && bot instanceof TelegramBot
          ? { webhookSecret: config.telegram.webhookSecret, botUsername: config.telegram.botUsername, call: (method: string, body: Record<string, unknown>) => bot.call(method, body) }
          : undefined;
      })(),
      defaultRateLimitPerMinute: config.ingestRateLimitPerMinute,
      trustProxy: config.trustProxy,
      role: config.role,
      live: emitterLiveSource(live),
      vapidPublicKey: vapid.publicKey,
      channels: providers.channels(),
      webDir: config.webDir,
      ready: () => ready,
      onConfigChange: (listener) => live.on('event', (e: LiveEvent) => e.type === 'config' && listener()),
      checkResponses: config.checkResponses,
      sso: config.sso,
      test: testClock && { clock: testClock, cycle: () => engine?.runCycle() ?? Promise.resolve() },
    },
    log,
  );
  let url = config.publicUrl;
  if (opts.listen !== false) {
    const address = await http.listen({ host: config.host, port: config.port });
    url = address.replace('[::1]', '127.0.0.1');
    // Port 0 (tests): links in messages must name the port actually chosen.
    if (/:0$/.test(config.publicUrl)) ctx.publicUrl = url;
  }
  // Email in: the SMTP listener takes events like the HTTP ingest endpoints, so it runs where they do.
  const inboundSmtp =
    config.inboundSmtp && config.role !== 'engine' && opts.listen !== false
      ? await startInboundSmtp(
          ctx,
          ingest,
          {
            host: config.host,
            port: config.inboundSmtp.port,
            domain: config.inboundSmtp.domain,
            maxBytes: config.inboundSmtp.maxBytes,
            defaultRateLimitPerMinute: config.ingestRateLimitPerMinute,
            ...(config.inboundSmtp.tls && { tls: { key: readFileSync(config.inboundSmtp.tls.keyFile), cert: readFileSync(config.inboundSmtp.tls.certFile) } }),
          },
          (listener) => live.on('event', (e: LiveEvent) => e.type === 'config' && listener()),
        )
      : undefined;
  engine?.start();
  ready = true;

  const theEngine = engine ?? new Engine(ctx, [], { intervalMs: 0, moduleTimeoutMs: 1000 });
  let stopStep: string | null = null;
  let stopped: Promise<void> | null = null;
  return {
    config,
    ctx,
    engine: theEngine,
    http,
    url,
    live,
    ...(inboundSmtp && { inboundSmtpPort: inboundSmtp.port }),
    stop() {
      // Once: a second call (a second signal, a test's cleanup) waits for the same shutdown.
      return (stopped ??= shutdown());
    },
    stopping: () => stopStep,
  };

  async function shutdown(): Promise<void> {
    ready = false;
    // Each step named while it runs, and a warning every SLOW_STOP_WARN_MS while one hangs, so a
    // shutdown that never ends says what it waits for.
    const step = async (name: string, run: () => Promise<unknown> | undefined) => {
      stopStep = name;
      const started = Date.now();
      const warn = setInterval(() => log.warn({ step: name, waitedMs: Date.now() - started }, `shutdown: still waiting for ${name}`), SLOW_STOP_WARN_MS);
      warn.unref();
      try {
        await run();
      } finally {
        clearInterval(warn);
      }
    };
    try {
      await step('inbound mail', () => inboundSmtp?.close());
      await step('http', () => closeHttp(http, config.shutdownGraceMs, log));
      await step('engine', () => theEngine.stop(config.shutdownGraceMs));
      await step('live fan-out', () => fanout?.close());
      await step('egress', () => egress.close());
      await step('database', () => db.close());
    } finally {
      stopStep = null;
    }
  }
}

/** A context on the local database without a server or engine: for CLI bootstrap commands (apply, token create). */
export async function localContext(config: KlaxonConfig, log: Logger = createLogger('warn')): Promise<{ ctx: Ctx; close(): Promise<void> }> {
  const db = await openDatabase(config.databaseUrl, config);
  const ctx: Ctx = {
    db,
    clock: systemClock,
    log,
    publicUrl: config.publicUrl,
    ...(config.inboundSmtp && { inboundEmailDomain: config.inboundSmtp.domain }),
    linkSecret: await sharedSecret(db, 'link_secret'),
    egress: new EgressPolicy(config.egressAllow),
    secretBox: await secretBox(db, config),
    wake: () => {},
    publish: () => {},
  };
  return { ctx, close: () => db.close() };
}
