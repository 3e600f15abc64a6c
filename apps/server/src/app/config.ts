import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseServiceAccountKey, type ServiceAccountKey } from '../chat/googlechat/auth.js';
import { parseEgressAllow, type EgressAllow } from '../lib/egress.js';
import { parsePageLimits, type PageLimits } from '../notify/limits.js';
import { telnyxPublicKey } from '../notify/providers/telnyx/signature.js';
import { TEAMS_CHANNEL } from '../chat/teams/client.js';
import { parseSmsRoutes, type SmsRoute } from '../notify/routing.js';
import { ssoFromEnv, SsoConfigError, type SsoSettings } from '../auth/sso-config.js';
import { must } from '../lib/must.js';

/** Everything Klaxon reads from its environment, parsed once at start. See docs/configuration.md. */
export interface KlaxonConfig {
  host: string;
  port: number;
  /** Base URL for links in messages and the URL Twilio signs; defaults to http://host:port. */
  publicUrl: string;
  /** postgres://... or an SQLite file path. */
  databaseUrl: string;
  /**
   * PostgreSQL: name repeated statements so each connection prepares them once
   * (KLAXON_PG_PREPARED_STATEMENTS, default true). Off behind a pooler in transaction mode that
   * does not carry prepared statements (PgBouncer before 1.21, or without max_prepared_statements).
   */
  pgPreparedStatements: boolean;
  /** What this process runs: the HTTP API, the engine, or both. */
  role: 'all' | 'api' | 'engine';
  engineIntervalMs: number;
  /** Trust X-Forwarded-For / -Proto from a reverse proxy (KLAXON_TRUST_PROXY=true); off by default so clients cannot spoof their address. */
  trustProxy: boolean;
  /** Default events per minute per integration before 429. */
  ingestRateLimitPerMinute: number;
  smtp?: { url: string; from: string; /** SMTP timeouts in ms (tests; defaults in notify/providers/email). */ timeouts?: { connection?: number; greeting?: number; socket?: number } };
  /** At SIGTERM, how long HTTP requests and sends in flight may finish before connections are cut and leases handed back (KLAXON_SHUTDOWN_GRACE_MS, default 5000). */
  shutdownGraceMs: number;
  /** Sends in flight at once per channel (KLAXON_DELIVERY_IN_FLIGHT_PER_CHANNEL, default 250): a hung provider fills only its own channel's slots. */
  deliveryInFlightPerChannel: number;
  /** Pages per contact method per window (KLAXON_PAGE_RATE_LIMITS, e.g. `sms=5/15m,voice=3/15m+7/1h`; default notify/limits.ts DEFAULT_PAGE_LIMITS). */
  pageLimits?: PageLimits;
  /** Bundle a person's pages due together on one contact method into one message (KLAXON_PAGE_BUNDLING, default true). */
  pageBundling?: boolean;
  /** Audit entries older than this many days are deleted (KLAXON_AUDIT_RETENTION_DAYS, default 400). */
  auditRetentionDays: number;
  twilio?: {
    accountSid: string;
    authToken: string;
    fromNumber: string;
    baseUrl: string;
    /** WhatsApp sender (KLAXON_TWILIO_WHATSAPP_FROM, E.164): enables the whatsapp channel. */ whatsappFrom?: string;
  };
  /** Vonage's signature secret: checks the signed webhooks of hotline numbers on Vonage (KLAXON_VONAGE_SIGNATURE_SECRET). */
  vonageSignatureSecret?: string;
  /**
   * Vonage (KLAXON_VONAGE_*): SMS through the Messages API with the API key and secret; voice through
   * the Voice API when an application id and its private key are set; inbound webhooks checked with
   * the signature secret.
   */
  vonage?: { apiKey: string; apiSecret: string; signatureSecret: string; fromNumber: string; baseUrl: string; applicationId?: string; privateKey?: string };
  /** Plivo (KLAXON_PLIVO_*): SMS and voice; inbound webhooks checked with the auth token (signature V3). */
  plivo?: { authId: string; authToken: string; fromNumber: string; baseUrl: string };
  /** Telnyx (KLAXON_TELNYX_*): SMS; voice through Call Control when a connection id is set; webhooks checked with the Ed25519 public key. */
  telnyx?: { apiKey: string; publicKey: string; fromNumber: string; baseUrl: string; connectionId?: string };
  /** SMS and voice providers in the order tried when no route matches (KLAXON_SMS_PROVIDERS, default: twilio, vonage, in that order, those configured). */
  smsProviders?: string[];
  /** Routes by country calling code (KLAXON_SMS_ROUTES, JSON: [{"prefix":"+44","providers":["vonage","twilio"]}]). */
  smsRoutes?: SmsRoute[];
  /** An SMS or voice provider that has not answered after this many ms has failed, and the next one is tried (KLAXON_SMS_PROVIDER_TIMEOUT_MS, default 5000). */
  smsProviderTimeoutMs?: number;
  slack?: { botToken: string; signingSecret: string; baseUrl: string };
  /** Mattermost (chat/mattermost/): KLAXON_MATTERMOST_URL and _BOT_TOKEN; _TEAM_ID to create war-room channels; the slash command's and outgoing webhook's tokens. */
  mattermost?: { baseUrl: string; botToken: string; teamId?: string; commandToken?: string; webhookToken?: string };
  /** Discord (chat/discord/): KLAXON_DISCORD_BOT_TOKEN and _PUBLIC_KEY (hex); _WAR_ROOM_CHANNEL_ID for war-room threads; _BASE_URL. */
  discord?: { baseUrl: string; botToken: string; publicKey: string; warRoomChannelId?: string };
  /**
   * Google Chat (chat/googlechat/): KLAXON_GOOGLECHAT_AUDIENCE (the Chat app's Cloud project number, the
   * audience of Google's bearer tokens); _JWKS_URL (Google's keys); _WEBHOOK_BASE_URL (the only origin
   * pages are posted to, default https://chat.googleapis.com). The Chat API as the app (optional):
   * KLAXON_GOOGLECHAT_SERVICE_ACCOUNT (the path to a service account's JSON key, or the JSON itself);
   * _API_BASE_URL (default https://chat.googleapis.com); _TOKEN_URL (default the key's token_uri);
   * _WAR_ROOM_SPACE (spaces/<id>, where war-room threads are started).
   */
  googlechat?: {
    audience: string;
    jwksUrl: string;
    webhookBaseUrl: string;
    api?: { serviceAccount: ServiceAccountKey; baseUrl: string; tokenUrl?: string; warRoomSpace?: string };
  };
  /**
   * The Microsoft Teams bot (chat/teams/; pages to Workflows webhooks need no setting): KLAXON_TEAMS_APP_ID and _APP_PASSWORD;
   * _OPENID_METADATA_URL (the Bot Connector tokens' keys) and _TOKEN_URL (the bot's own token) default to Microsoft's;
   * _WAR_ROOM_CHANNEL_ID: the channel (`19:...@thread.tacv2`) war rooms start their threads in (none: bridge to existing ones).
   */
  teams?: { appId: string; appPassword: string; openIdMetadataUrl: string; tokenUrl: string; warRoomChannelId?: string };
  /** Matrix (chat/matrix/): KLAXON_MATRIX_HOMESERVER_URL and _ACCESS_TOKEN (a bot user's). */
  matrix?: { homeserverUrl: string; accessToken: string };
  /** Server of ntfy contact methods that name none (KLAXON_NTFY_BASE_URL, default https://ntfy.sh). */
  ntfyBaseUrl?: string;
  /** Pushover (KLAXON_PUSHOVER_TOKEN, KLAXON_PUSHOVER_BASE_URL default https://api.pushover.net). */
  pushover?: { token: string; baseUrl: string };
  /** Telegram bot (KLAXON_TELEGRAM_BOT_TOKEN, KLAXON_TELEGRAM_WEBHOOK_SECRET, KLAXON_TELEGRAM_BOT_USERNAME, KLAXON_TELEGRAM_BASE_URL). */
  telegram?: { botToken: string; webhookSecret: string; botUsername?: string; baseUrl: string };
  /** Secret for signing outgoing webhooks (defaults to a generated secret kept in the database). */
  webhookSecret?: string;
  /** VAPID key pair for Web Push (KLAXON_VAPID_PUBLIC_KEY / _PRIVATE_KEY); default: generated once and kept in the database. */
  vapid?: { publicKey: string; privateKey: string };
  /** VAPID contact (KLAXON_VAPID_SUBJECT), a mailto: or https: URL; default: the public URL when https, else mailto:klaxon@localhost. */
  vapidSubject?: string;
  /**
   * Internal targets outgoing requests made on a user's behalf may reach (KLAXON_EGRESS_ALLOW: CIDRs,
   * IP addresses and host names); default none: loopback, private, link-local and metadata addresses
   * are refused. See lib/egress.ts.
   */
  egressAllow?: EgressAllow;
  /** Key that encrypts stored credentials (KLAXON_SECRET_KEY, 32 bytes as base64 or 64 hex digits); default: generated once and kept in the database. */
  secretKey?: Buffer;
  /** Directory of the built web app (KLAXON_WEB_DIR); default apps/web/dist. */
  webDir?: string;
  /**
   * TESTS ONLY (KLAXON_TEST_FAKE_CLOCK=<ISO time>): run on a fake clock that starts there and expose
   * /api/v1/test/clock and /api/v1/test/cycle, so end-to-end tests can drive a real server process.
   */
  testFakeClock?: string;
  /**
   * Email in (KLAXON_INBOUND_SMTP_PORT and friends): the built-in SMTP listener, on `host`; absent when
   * the port is not set. See ingest/email/server.ts and docs/integrations.md.
   */
  inboundSmtp?: { port: number; domain: string; maxBytes: number; tls?: { keyFile: string; certFile: string } };
  /** TESTS ONLY (KLAXON_TEST_CHECK_RESPONSES=1): validate every API answer against its response schema; a mismatch is a 500. */
  checkResponses?: boolean;
  /** Single sign-on and password sign-in (KLAXON_OIDC_*, KLAXON_SSO_GROUP_MAP, KLAXON_PASSWORD_SIGNIN, ...; docs/sso.md). */
  sso: SsoSettings;
}

/** The SMS and voice providers configured, in the default order. */
export function smsProviderNames(cfg: Pick<KlaxonConfig, 'twilio' | 'vonage' | 'plivo' | 'telnyx'>): string[] {
  return [cfg.twilio && 'twilio', cfg.vonage && 'vonage', cfg.plivo && 'plivo', cfg.telnyx && 'telnyx'].filter((x): x is string => !!x);
}

/** Thrown for a bad setting; the message names the variable and what is wrong. */
export class ConfigError extends Error {}

function int(env: NodeJS.ProcessEnv, name: string, def: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
  return n;
}

function bool(env: NodeJS.ProcessEnv, name: string, def: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  if (['true', '1', 'on', 'yes'].includes(raw)) return true;
  if (['false', '0', 'off', 'no'].includes(raw)) return false;
  throw new ConfigError(`${name} must be true or false (got "${raw}")`);
}

function pageLimitsFromEnv(env: NodeJS.ProcessEnv): PageLimits {
  const r = parsePageLimits(env.KLAXON_PAGE_RATE_LIMITS ?? '');
  if (typeof r === 'string') throw new ConfigError(`KLAXON_PAGE_RATE_LIMITS: ${r}`);
  return r;
}

function ssoSettings(env: NodeJS.ProcessEnv): SsoSettings {
  try {
    return ssoFromEnv(env);
  } catch (e) {
    throw e instanceof SsoConfigError ? new ConfigError(e.message) : e;
  }
}

/** Reads the configuration from environment variables (KLAXON_*). */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): KlaxonConfig {
  const host = env.KLAXON_HOST || '127.0.0.1';
  const port = int(env, 'KLAXON_PORT', 8080, 0, 65535);
  const publicUrl = (env.KLAXON_PUBLIC_URL || `http://${host.includes(':') ? `[${host}]` : host}:${port}`).replace(/\/+$/, '');
  try {
    new URL(publicUrl);
  } catch {
    throw new ConfigError(`KLAXON_PUBLIC_URL must be an absolute URL (got "${publicUrl}")`);
  }
  const role = (env.KLAXON_ROLE || 'all') as KlaxonConfig['role'];
  if (!['all', 'api', 'engine'].includes(role)) throw new ConfigError(`KLAXON_ROLE must be all, api or engine (got "${role}")`);
  const cfg: KlaxonConfig = {
    host,
    port,
    publicUrl,
    databaseUrl: env.KLAXON_DATABASE_URL || resolve(cwd, 'data', 'klaxon.db'),
    pgPreparedStatements: bool(env, 'KLAXON_PG_PREPARED_STATEMENTS', true),
    role,
    engineIntervalMs: int(env, 'KLAXON_ENGINE_INTERVAL_MS', 1000, 50, 60_000),
    trustProxy: env.KLAXON_TRUST_PROXY === 'true' || env.KLAXON_TRUST_PROXY === '1',
    ingestRateLimitPerMinute: int(env, 'KLAXON_INGEST_RATE_LIMIT_PER_MINUTE', 60_000, 1, 100_000_000),
    shutdownGraceMs: int(env, 'KLAXON_SHUTDOWN_GRACE_MS', 5_000, 0, 60_000),
    deliveryInFlightPerChannel: int(env, 'KLAXON_DELIVERY_IN_FLIGHT_PER_CHANNEL', 250, 1, 10_000),
    pageLimits: pageLimitsFromEnv(env),
    pageBundling: bool(env, 'KLAXON_PAGE_BUNDLING', true),
    sso: ssoSettings(env),
    auditRetentionDays: int(env, 'KLAXON_AUDIT_RETENTION_DAYS', 400, 1, 36_500),
  };
  if (env.KLAXON_SMTP_URL) cfg.smtp = { url: env.KLAXON_SMTP_URL, from: env.KLAXON_EMAIL_FROM || 'Klaxon <klaxon@localhost>' };
  if (env.KLAXON_TWILIO_ACCOUNT_SID || env.KLAXON_TWILIO_AUTH_TOKEN) {
    const missing = ['KLAXON_TWILIO_ACCOUNT_SID', 'KLAXON_TWILIO_AUTH_TOKEN', 'KLAXON_TWILIO_FROM'].filter((k) => !env[k]);
    if (missing.length) throw new ConfigError(`Twilio is partly configured: also set ${missing.join(', ')}`);
    cfg.twilio = {
      accountSid: must(env.KLAXON_TWILIO_ACCOUNT_SID, 'KLAXON_TWILIO_ACCOUNT_SID'),
      authToken: must(env.KLAXON_TWILIO_AUTH_TOKEN, 'KLAXON_TWILIO_AUTH_TOKEN'),
      fromNumber: must(env.KLAXON_TWILIO_FROM, 'KLAXON_TWILIO_FROM'),
      baseUrl: env.KLAXON_TWILIO_BASE_URL || 'https://api.twilio.com',
    };
    if (env.KLAXON_TWILIO_WHATSAPP_FROM) {
      const w = env.KLAXON_TWILIO_WHATSAPP_FROM.replace(/^whatsapp:/, '');
      if (!/^\+[1-9]\d{6,14}$/.test(w))
        throw new ConfigError(`KLAXON_TWILIO_WHATSAPP_FROM must be the WhatsApp sender's number in E.164 form, e.g. +14155238886 (got "${env.KLAXON_TWILIO_WHATSAPP_FROM}")`);
      cfg.twilio.whatsappFrom = w;
    }
  }
  if (env.KLAXON_VONAGE_API_KEY || env.KLAXON_VONAGE_API_SECRET) {
    const missing = ['KLAXON_VONAGE_API_KEY', 'KLAXON_VONAGE_API_SECRET', 'KLAXON_VONAGE_SIGNATURE_SECRET', 'KLAXON_VONAGE_FROM'].filter((k) => !env[k]);
    if (missing.length) throw new ConfigError(`Vonage is partly configured: also set ${missing.join(', ')}`);
    if (Boolean(env.KLAXON_VONAGE_APPLICATION_ID) !== Boolean(env.KLAXON_VONAGE_PRIVATE_KEY))
      throw new ConfigError('Vonage voice is partly configured: set both KLAXON_VONAGE_APPLICATION_ID and KLAXON_VONAGE_PRIVATE_KEY (or neither, for SMS only)');
    cfg.vonage = {
      apiKey: must(env.KLAXON_VONAGE_API_KEY, 'KLAXON_VONAGE_API_KEY'),
      apiSecret: must(env.KLAXON_VONAGE_API_SECRET, 'KLAXON_VONAGE_API_SECRET'),
      signatureSecret: must(env.KLAXON_VONAGE_SIGNATURE_SECRET, 'KLAXON_VONAGE_SIGNATURE_SECRET'),
      fromNumber: must(env.KLAXON_VONAGE_FROM, 'KLAXON_VONAGE_FROM'),
      baseUrl: env.KLAXON_VONAGE_BASE_URL || 'https://api.nexmo.com',
      ...(env.KLAXON_VONAGE_APPLICATION_ID && { applicationId: env.KLAXON_VONAGE_APPLICATION_ID, privateKey: must(env.KLAXON_VONAGE_PRIVATE_KEY, 'KLAXON_VONAGE_PRIVATE_KEY').replace(/\\n/g, '\n') }),
    };
  }
  if (env.KLAXON_PLIVO_AUTH_ID || env.KLAXON_PLIVO_AUTH_TOKEN) {
    const missing = ['KLAXON_PLIVO_AUTH_ID', 'KLAXON_PLIVO_AUTH_TOKEN', 'KLAXON_PLIVO_FROM'].filter((k) => !env[k]);
    if (missing.length) throw new ConfigError(`Plivo is partly configured: also set ${missing.join(', ')}`);
    cfg.plivo = {
      authId: must(env.KLAXON_PLIVO_AUTH_ID, 'KLAXON_PLIVO_AUTH_ID'),
      authToken: must(env.KLAXON_PLIVO_AUTH_TOKEN, 'KLAXON_PLIVO_AUTH_TOKEN'),
      fromNumber: must(env.KLAXON_PLIVO_FROM, 'KLAXON_PLIVO_FROM'),
      baseUrl: env.KLAXON_PLIVO_BASE_URL || 'https://api.plivo.com',
    };
  }
  if (env.KLAXON_TELNYX_API_KEY || env.KLAXON_TELNYX_PUBLIC_KEY) {
    const missing = ['KLAXON_TELNYX_API_KEY', 'KLAXON_TELNYX_PUBLIC_KEY', 'KLAXON_TELNYX_FROM'].filter((k) => !env[k]);
    if (missing.length) throw new ConfigError(`Telnyx is partly configured: also set ${missing.join(', ')}`);
    try {
      telnyxPublicKey(must(env.KLAXON_TELNYX_PUBLIC_KEY, 'KLAXON_TELNYX_PUBLIC_KEY'));
    } catch {
      throw new ConfigError('KLAXON_TELNYX_PUBLIC_KEY must be the base64 Ed25519 public key from the Telnyx portal');
    }
    cfg.telnyx = {
      apiKey: must(env.KLAXON_TELNYX_API_KEY, 'KLAXON_TELNYX_API_KEY'),
      publicKey: must(env.KLAXON_TELNYX_PUBLIC_KEY, 'KLAXON_TELNYX_PUBLIC_KEY'),
      fromNumber: must(env.KLAXON_TELNYX_FROM, 'KLAXON_TELNYX_FROM'),
      baseUrl: env.KLAXON_TELNYX_BASE_URL || 'https://api.telnyx.com',
      ...(env.KLAXON_TELNYX_CONNECTION_ID && { connectionId: env.KLAXON_TELNYX_CONNECTION_ID }),
    };
  }
  const smsConfigured = smsProviderNames(cfg);
  if (env.KLAXON_SMS_PROVIDERS) {
    const list = env.KLAXON_SMS_PROVIDERS.split(',')
      .map((x) => x.trim())
      .filter(Boolean);
    const unknown = list.filter((n) => !smsConfigured.includes(n));
    if (unknown.length) throw new ConfigError(`KLAXON_SMS_PROVIDERS: ${unknown.join(', ')} not configured (configured: ${smsConfigured.join(', ') || 'none'})`);
    cfg.smsProviders = list;
  }
  if (env.KLAXON_SMS_ROUTES) {
    try {
      cfg.smsRoutes = parseSmsRoutes(env.KLAXON_SMS_ROUTES, smsConfigured);
    } catch (e) {
      throw new ConfigError(`KLAXON_SMS_ROUTES: ${(e as Error).message}`);
    }
  }
  cfg.smsProviderTimeoutMs = int(env, 'KLAXON_SMS_PROVIDER_TIMEOUT_MS', 5_000, 100, 60_000);
  if (env.KLAXON_SLACK_BOT_TOKEN || env.KLAXON_SLACK_SIGNING_SECRET) {
    const missing = ['KLAXON_SLACK_BOT_TOKEN', 'KLAXON_SLACK_SIGNING_SECRET'].filter((k) => !env[k]);
    if (missing.length) throw new ConfigError(`Slack is partly configured: also set ${missing.join(', ')}`);
    cfg.slack = {
      botToken: must(env.KLAXON_SLACK_BOT_TOKEN, 'KLAXON_SLACK_BOT_TOKEN'),
      signingSecret: must(env.KLAXON_SLACK_SIGNING_SECRET, 'KLAXON_SLACK_SIGNING_SECRET'),
      baseUrl: env.KLAXON_SLACK_BASE_URL || 'https://slack.com',
    };
  }
  if (env.KLAXON_MATTERMOST_URL || env.KLAXON_MATTERMOST_BOT_TOKEN) {
    const missing = ['KLAXON_MATTERMOST_URL', 'KLAXON_MATTERMOST_BOT_TOKEN'].filter((k) => !env[k]);
    if (missing.length) throw new ConfigError(`Mattermost is partly configured: also set ${missing.join(', ')}`);
    if (!/^https?:\/\//.test(must(env.KLAXON_MATTERMOST_URL, 'KLAXON_MATTERMOST_URL'))) throw new ConfigError('KLAXON_MATTERMOST_URL: must be an http(s) URL, e.g. https://chat.example.com');
    cfg.mattermost = {
      baseUrl: must(env.KLAXON_MATTERMOST_URL, 'KLAXON_MATTERMOST_URL'),
      botToken: must(env.KLAXON_MATTERMOST_BOT_TOKEN, 'KLAXON_MATTERMOST_BOT_TOKEN'),
      ...(env.KLAXON_MATTERMOST_TEAM_ID && { teamId: env.KLAXON_MATTERMOST_TEAM_ID }),
      ...(env.KLAXON_MATTERMOST_COMMAND_TOKEN && { commandToken: env.KLAXON_MATTERMOST_COMMAND_TOKEN }),
      ...(env.KLAXON_MATTERMOST_WEBHOOK_TOKEN && { webhookToken: env.KLAXON_MATTERMOST_WEBHOOK_TOKEN }),
    };
  }
  if (env.KLAXON_TEAMS_APP_ID || env.KLAXON_TEAMS_APP_PASSWORD) {
    const missing = ['KLAXON_TEAMS_APP_ID', 'KLAXON_TEAMS_APP_PASSWORD'].filter((k) => !env[k]);
    if (missing.length) throw new ConfigError(`Microsoft Teams is partly configured: also set ${missing.join(', ')}`);
    cfg.teams = {
      appId: must(env.KLAXON_TEAMS_APP_ID, 'KLAXON_TEAMS_APP_ID'),
      appPassword: must(env.KLAXON_TEAMS_APP_PASSWORD, 'KLAXON_TEAMS_APP_PASSWORD'),
      openIdMetadataUrl: env.KLAXON_TEAMS_OPENID_METADATA_URL || 'https://login.botframework.com/v1/.well-known/openidconfiguration',
      tokenUrl: env.KLAXON_TEAMS_TOKEN_URL || 'https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token',
      ...(env.KLAXON_TEAMS_WAR_ROOM_CHANNEL_ID && { warRoomChannelId: env.KLAXON_TEAMS_WAR_ROOM_CHANNEL_ID }),
    };
    if (cfg.teams.warRoomChannelId && !TEAMS_CHANNEL.test(cfg.teams.warRoomChannelId)) {
      throw new ConfigError('KLAXON_TEAMS_WAR_ROOM_CHANNEL_ID: a Teams channel conversation id, e.g. 19:abc...@thread.tacv2');
    }
  }
  if (env.KLAXON_DISCORD_BOT_TOKEN || env.KLAXON_DISCORD_PUBLIC_KEY) {
    const missing = ['KLAXON_DISCORD_BOT_TOKEN', 'KLAXON_DISCORD_PUBLIC_KEY'].filter((k) => !env[k]);
    if (missing.length) throw new ConfigError(`Discord is partly configured: also set ${missing.join(', ')}`);
    if (!/^[0-9a-fA-F]{64}$/.test(must(env.KLAXON_DISCORD_PUBLIC_KEY, 'KLAXON_DISCORD_PUBLIC_KEY'))) throw new ConfigError("KLAXON_DISCORD_PUBLIC_KEY: the application's public key, 64 hex digits");
    cfg.discord = {
      baseUrl: env.KLAXON_DISCORD_BASE_URL || 'https://discord.com/api/v10',
      botToken: must(env.KLAXON_DISCORD_BOT_TOKEN, 'KLAXON_DISCORD_BOT_TOKEN'),
      publicKey: must(env.KLAXON_DISCORD_PUBLIC_KEY, 'KLAXON_DISCORD_PUBLIC_KEY'),
      ...(env.KLAXON_DISCORD_WAR_ROOM_CHANNEL_ID && { warRoomChannelId: env.KLAXON_DISCORD_WAR_ROOM_CHANNEL_ID }),
    };
  }
  if (env.KLAXON_GOOGLECHAT_AUDIENCE) {
    if (!/^\d{1,30}$/.test(env.KLAXON_GOOGLECHAT_AUDIENCE)) throw new ConfigError("KLAXON_GOOGLECHAT_AUDIENCE: the Chat app's Google Cloud project number (digits)");
    for (const k of ['KLAXON_GOOGLECHAT_JWKS_URL', 'KLAXON_GOOGLECHAT_WEBHOOK_BASE_URL']) {
      const url = env[k];
      if (url && !/^https?:\/\//.test(url)) throw new ConfigError(`${k}: must be an http(s) URL`);
    }
    cfg.googlechat = {
      audience: env.KLAXON_GOOGLECHAT_AUDIENCE,
      jwksUrl: env.KLAXON_GOOGLECHAT_JWKS_URL || 'https://www.googleapis.com/service_accounts/v1/jwk/chat@system.gserviceaccount.com',
      webhookBaseUrl: env.KLAXON_GOOGLECHAT_WEBHOOK_BASE_URL || 'https://chat.googleapis.com',
      ...(env.KLAXON_GOOGLECHAT_SERVICE_ACCOUNT && { api: googleChatApiFromEnv(env, cwd) }),
    };
  }
  const apiOnly = ['KLAXON_GOOGLECHAT_SERVICE_ACCOUNT', 'KLAXON_GOOGLECHAT_API_BASE_URL', 'KLAXON_GOOGLECHAT_TOKEN_URL', 'KLAXON_GOOGLECHAT_WAR_ROOM_SPACE'].filter((k) => env[k]);
  if (!cfg.googlechat?.api && apiOnly.length) {
    throw new ConfigError(
      `${apiOnly.join(', ')}: the Google Chat API also needs ${env.KLAXON_GOOGLECHAT_AUDIENCE ? 'KLAXON_GOOGLECHAT_SERVICE_ACCOUNT' : "KLAXON_GOOGLECHAT_AUDIENCE (the Chat app's project number)"}`,
    );
  }
  if (env.KLAXON_MATRIX_HOMESERVER_URL || env.KLAXON_MATRIX_ACCESS_TOKEN) {
    const missing = ['KLAXON_MATRIX_HOMESERVER_URL', 'KLAXON_MATRIX_ACCESS_TOKEN'].filter((k) => !env[k]);
    if (missing.length) throw new ConfigError(`Matrix is partly configured: also set ${missing.join(', ')}`);
    if (!/^https?:\/\//.test(must(env.KLAXON_MATRIX_HOMESERVER_URL, 'KLAXON_MATRIX_HOMESERVER_URL')))
      throw new ConfigError('KLAXON_MATRIX_HOMESERVER_URL: must be an http(s) URL, e.g. https://matrix.example.org');
    cfg.matrix = { homeserverUrl: must(env.KLAXON_MATRIX_HOMESERVER_URL, 'KLAXON_MATRIX_HOMESERVER_URL'), accessToken: must(env.KLAXON_MATRIX_ACCESS_TOKEN, 'KLAXON_MATRIX_ACCESS_TOKEN') };
  }
  if (env.KLAXON_VONAGE_SIGNATURE_SECRET) cfg.vonageSignatureSecret = env.KLAXON_VONAGE_SIGNATURE_SECRET;
  if (env.KLAXON_NTFY_BASE_URL) {
    if (!/^https?:\/\/[^/\s]+/.test(env.KLAXON_NTFY_BASE_URL)) throw new ConfigError(`KLAXON_NTFY_BASE_URL must be an http(s) URL (got "${env.KLAXON_NTFY_BASE_URL}")`);
    cfg.ntfyBaseUrl = env.KLAXON_NTFY_BASE_URL;
  }
  if (env.KLAXON_PUSHOVER_TOKEN) cfg.pushover = { token: env.KLAXON_PUSHOVER_TOKEN, baseUrl: env.KLAXON_PUSHOVER_BASE_URL || 'https://api.pushover.net' };
  if (env.KLAXON_TELEGRAM_BOT_TOKEN || env.KLAXON_TELEGRAM_WEBHOOK_SECRET) {
    const missing = ['KLAXON_TELEGRAM_BOT_TOKEN', 'KLAXON_TELEGRAM_WEBHOOK_SECRET'].filter((k) => !env[k]);
    if (missing.length) throw new ConfigError(`Telegram is partly configured: also set ${missing.join(', ')}`);
    if (!/^[A-Za-z0-9_-]{16,256}$/.test(must(env.KLAXON_TELEGRAM_WEBHOOK_SECRET, 'KLAXON_TELEGRAM_WEBHOOK_SECRET')))
      throw new ConfigError("KLAXON_TELEGRAM_WEBHOOK_SECRET must be 16 to 256 characters of A-Z, a-z, 0-9, _ and - (Telegram's secret_token), e.g. from `openssl rand -hex 32`");
    cfg.telegram = {
      botToken: must(env.KLAXON_TELEGRAM_BOT_TOKEN, 'KLAXON_TELEGRAM_BOT_TOKEN'),
      webhookSecret: must(env.KLAXON_TELEGRAM_WEBHOOK_SECRET, 'KLAXON_TELEGRAM_WEBHOOK_SECRET'),
      ...(env.KLAXON_TELEGRAM_BOT_USERNAME && { botUsername: env.KLAXON_TELEGRAM_BOT_USERNAME.replace(/^@/, '') }),
      baseUrl: env.KLAXON_TELEGRAM_BASE_URL || 'https://api.telegram.org',
    };
  }
  if (env.KLAXON_WEBHOOK_SECRET) cfg.webhookSecret = env.KLAXON_WEBHOOK_SECRET;
  if (env.KLAXON_VAPID_PUBLIC_KEY || env.KLAXON_VAPID_PRIVATE_KEY) {
    const pub = env.KLAXON_VAPID_PUBLIC_KEY ?? '';
    const priv = env.KLAXON_VAPID_PRIVATE_KEY ?? '';
    if (!pub || !priv) throw new ConfigError('Web Push is partly configured: set both KLAXON_VAPID_PUBLIC_KEY and KLAXON_VAPID_PRIVATE_KEY (or neither, to use generated keys)');
    if (!/^[A-Za-z0-9_-]+$/.test(pub) || Buffer.from(pub, 'base64url').length !== 65)
      throw new ConfigError('KLAXON_VAPID_PUBLIC_KEY must be a base64url P-256 public key (65 bytes, uncompressed), e.g. from `npx web-push generate-vapid-keys`');
    if (!/^[A-Za-z0-9_-]+$/.test(priv) || Buffer.from(priv, 'base64url').length !== 32) throw new ConfigError('KLAXON_VAPID_PRIVATE_KEY must be a base64url P-256 private key (32 bytes)');
    cfg.vapid = { publicKey: pub, privateKey: priv };
  }
  if (env.KLAXON_VAPID_SUBJECT) {
    if (!/^(mailto:\S+@\S+|https:\/\/\S+)$/.test(env.KLAXON_VAPID_SUBJECT))
      throw new ConfigError(`KLAXON_VAPID_SUBJECT must be a mailto: address or an https: URL (got "${env.KLAXON_VAPID_SUBJECT}")`);
    cfg.vapidSubject = env.KLAXON_VAPID_SUBJECT;
  }
  if (env.KLAXON_EGRESS_ALLOW) {
    try {
      cfg.egressAllow = parseEgressAllow(env.KLAXON_EGRESS_ALLOW);
    } catch (e) {
      throw new ConfigError((e as Error).message);
    }
  }
  if (env.KLAXON_SECRET_KEY) {
    const raw = env.KLAXON_SECRET_KEY.trim();
    const key = /^[0-9a-f]{64}$/i.test(raw) ? Buffer.from(raw, 'hex') : /^[A-Za-z0-9+/_-]{43}=?$/.test(raw) ? Buffer.from(raw, raw.includes('-') || raw.includes('_') ? 'base64url' : 'base64') : null;
    if (!key || key.length !== 32) throw new ConfigError('KLAXON_SECRET_KEY must be 32 random bytes as 64 hex digits or base64 (e.g. from `openssl rand -base64 32`)');
    cfg.secretKey = key;
  }
  if (env.KLAXON_INBOUND_SMTP_PORT) {
    const keyFile = env.KLAXON_INBOUND_SMTP_TLS_KEY_FILE;
    const certFile = env.KLAXON_INBOUND_SMTP_TLS_CERT_FILE;
    if (Boolean(keyFile) !== Boolean(certFile))
      throw new ConfigError('STARTTLS for inbound email is partly configured: set both KLAXON_INBOUND_SMTP_TLS_KEY_FILE and KLAXON_INBOUND_SMTP_TLS_CERT_FILE (or neither)');
    const domain = (env.KLAXON_INBOUND_EMAIL_DOMAIN || new URL(publicUrl).hostname).toLowerCase();
    if (!/^[a-z0-9.-]+$/.test(domain) || domain.length > 253) throw new ConfigError(`KLAXON_INBOUND_EMAIL_DOMAIN must be a domain name (got "${domain}")`);
    cfg.inboundSmtp = {
      port: int(env, 'KLAXON_INBOUND_SMTP_PORT', 2525, 0, 65535),
      domain,
      maxBytes: int(env, 'KLAXON_INBOUND_SMTP_MAX_BYTES', 1024 * 1024, 1024, 100 * 1024 * 1024),
      ...(keyFile && certFile && { tls: { keyFile: resolve(cwd, keyFile), certFile: resolve(cwd, certFile) } }),
    };
  }
  if (env.KLAXON_WEB_DIR) cfg.webDir = resolve(cwd, env.KLAXON_WEB_DIR);
  if (env.KLAXON_TEST_FAKE_CLOCK) {
    if (Number.isNaN(Date.parse(env.KLAXON_TEST_FAKE_CLOCK))) throw new ConfigError('KLAXON_TEST_FAKE_CLOCK must be an ISO 8601 time');
    cfg.testFakeClock = env.KLAXON_TEST_FAKE_CLOCK;
  }
  if (env.KLAXON_TEST_CHECK_RESPONSES === '1') cfg.checkResponses = true;
  return cfg;
}

/** The Google Chat API settings (KLAXON_GOOGLECHAT_SERVICE_ACCOUNT set): the key read and checked now, so a bad one stops the start. */
function googleChatApiFromEnv(env: NodeJS.ProcessEnv, cwd: string): NonNullable<NonNullable<KlaxonConfig['googlechat']>['api']> {
  const raw = (env.KLAXON_GOOGLECHAT_SERVICE_ACCOUNT ?? '').trim();
  let json = raw;
  if (!raw.startsWith('{')) {
    try {
      json = readFileSync(resolve(cwd, raw), 'utf8');
    } catch (e) {
      throw new ConfigError(`KLAXON_GOOGLECHAT_SERVICE_ACCOUNT: cannot read ${raw} (${(e as NodeJS.ErrnoException).code ?? 'error'}); give the path to the service account's JSON key, or the JSON`);
    }
  }
  const key = parseServiceAccountKey(json);
  if ('error' in key) throw new ConfigError(`KLAXON_GOOGLECHAT_SERVICE_ACCOUNT: ${key.error}`);
  for (const k of ['KLAXON_GOOGLECHAT_API_BASE_URL', 'KLAXON_GOOGLECHAT_TOKEN_URL']) {
    if (env[k] && !/^https?:\/\//.test(env[k] ?? '')) throw new ConfigError(`${k}: must be an http(s) URL`);
  }
  const space = env.KLAXON_GOOGLECHAT_WAR_ROOM_SPACE;
  if (space && !/^spaces\/[A-Za-z0-9_-]{1,100}$/.test(space)) throw new ConfigError("KLAXON_GOOGLECHAT_WAR_ROOM_SPACE: a space name, spaces/<id> (the id is in the space's URL)");
  return {
    serviceAccount: key,
    baseUrl: env.KLAXON_GOOGLECHAT_API_BASE_URL || 'https://chat.googleapis.com',
    ...(env.KLAXON_GOOGLECHAT_TOKEN_URL && { tokenUrl: env.KLAXON_GOOGLECHAT_TOKEN_URL }),
    ...(space && { warRoomSpace: space }),
  };
}
