import { resolve } from 'node:path';
import { parseEgressAllow, type EgressAllow } from '../lib/egress.js';

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
  /** At SIGTERM, how long sends in flight may finish before their leases are handed back (KLAXON_SHUTDOWN_GRACE_MS, default 5000). */
  shutdownGraceMs: number;
  /** Sends in flight at once per channel (KLAXON_DELIVERY_IN_FLIGHT_PER_CHANNEL, default 250): a hung provider fills only its own channel's slots. */
  deliveryInFlightPerChannel: number;
  twilio?: {
    accountSid: string;
    authToken: string;
    fromNumber: string;
    baseUrl: string;
    /** WhatsApp sender (KLAXON_TWILIO_WHATSAPP_FROM, E.164): enables the whatsapp channel. */ whatsappFrom?: string;
  };
  slack?: { botToken: string; signingSecret: string; baseUrl: string };
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
  };
  if (env.KLAXON_SMTP_URL) cfg.smtp = { url: env.KLAXON_SMTP_URL, from: env.KLAXON_EMAIL_FROM || 'Klaxon <klaxon@localhost>' };
  if (env.KLAXON_TWILIO_ACCOUNT_SID || env.KLAXON_TWILIO_AUTH_TOKEN) {
    const missing = ['KLAXON_TWILIO_ACCOUNT_SID', 'KLAXON_TWILIO_AUTH_TOKEN', 'KLAXON_TWILIO_FROM'].filter((k) => !env[k]);
    if (missing.length) throw new ConfigError(`Twilio is partly configured: also set ${missing.join(', ')}`);
    cfg.twilio = {
      accountSid: env.KLAXON_TWILIO_ACCOUNT_SID!,
      authToken: env.KLAXON_TWILIO_AUTH_TOKEN!,
      fromNumber: env.KLAXON_TWILIO_FROM!,
      baseUrl: env.KLAXON_TWILIO_BASE_URL || 'https://api.twilio.com',
    };
    if (env.KLAXON_TWILIO_WHATSAPP_FROM) {
      const w = env.KLAXON_TWILIO_WHATSAPP_FROM.replace(/^whatsapp:/, '');
      if (!/^\+[1-9]\d{6,14}$/.test(w))
        throw new ConfigError(`KLAXON_TWILIO_WHATSAPP_FROM must be the WhatsApp sender's number in E.164 form, e.g. +14155238886 (got "${env.KLAXON_TWILIO_WHATSAPP_FROM}")`);
      cfg.twilio.whatsappFrom = w;
    }
  }
  if (env.KLAXON_SLACK_BOT_TOKEN || env.KLAXON_SLACK_SIGNING_SECRET) {
    const missing = ['KLAXON_SLACK_BOT_TOKEN', 'KLAXON_SLACK_SIGNING_SECRET'].filter((k) => !env[k]);
    if (missing.length) throw new ConfigError(`Slack is partly configured: also set ${missing.join(', ')}`);
    cfg.slack = { botToken: env.KLAXON_SLACK_BOT_TOKEN!, signingSecret: env.KLAXON_SLACK_SIGNING_SECRET!, baseUrl: env.KLAXON_SLACK_BASE_URL || 'https://slack.com' };
  }
  if (env.KLAXON_NTFY_BASE_URL) {
    if (!/^https?:\/\/[^/\s]+/.test(env.KLAXON_NTFY_BASE_URL)) throw new ConfigError(`KLAXON_NTFY_BASE_URL must be an http(s) URL (got "${env.KLAXON_NTFY_BASE_URL}")`);
    cfg.ntfyBaseUrl = env.KLAXON_NTFY_BASE_URL;
  }
  if (env.KLAXON_PUSHOVER_TOKEN) cfg.pushover = { token: env.KLAXON_PUSHOVER_TOKEN, baseUrl: env.KLAXON_PUSHOVER_BASE_URL || 'https://api.pushover.net' };
  if (env.KLAXON_TELEGRAM_BOT_TOKEN || env.KLAXON_TELEGRAM_WEBHOOK_SECRET) {
    const missing = ['KLAXON_TELEGRAM_BOT_TOKEN', 'KLAXON_TELEGRAM_WEBHOOK_SECRET'].filter((k) => !env[k]);
    if (missing.length) throw new ConfigError(`Telegram is partly configured: also set ${missing.join(', ')}`);
    if (!/^[A-Za-z0-9_-]{16,256}$/.test(env.KLAXON_TELEGRAM_WEBHOOK_SECRET!))
      throw new ConfigError("KLAXON_TELEGRAM_WEBHOOK_SECRET must be 16 to 256 characters of A-Z, a-z, 0-9, _ and - (Telegram's secret_token), e.g. from `openssl rand -hex 32`");
    cfg.telegram = {
      botToken: env.KLAXON_TELEGRAM_BOT_TOKEN!,
      webhookSecret: env.KLAXON_TELEGRAM_WEBHOOK_SECRET!,
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
