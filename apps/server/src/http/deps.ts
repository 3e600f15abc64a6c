import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { AlertIngest } from '../alert/service.js';
import type { ChatPlatform } from '../chat/platform.js';
import type { Ctx } from '../context.js';
import type { FakeClock } from '../lib/clock.js';
import type { Channel } from '../notify/types.js';
import type { TelnyxClient } from '../notify/providers/telnyx/index.js';
import type { LiveSource } from './live/source.js';
import type { SsoSettings } from '../auth/sso-config.js';

/** The Fastify app type with TypeBox schemas. Here, not in app.ts, so routes need not import the module that imports them. */
export type App = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>;

/** What the HTTP layer needs from the process. Built in app/. */
export interface HttpDeps {
  ctx: Ctx;
  ingest: AlertIngest;
  /** Twilio auth token, to check X-Twilio-Signature on inbound SMS and voice webhooks. */
  twilioAuthToken?: string;
  /** Vonage signature secret, to check the signed (JWT) webhooks of the Messages and Voice APIs and of hotline numbers on Vonage. */
  vonageSignatureSecret?: string;
  /** Plivo auth token, to check X-Plivo-Signature-V3 on Plivo's webhooks. */
  plivoAuthToken?: string;
  /** Telnyx: the Ed25519 public key its webhooks are signed with, and the client that sends Call Control commands. */
  telnyx?: { publicKey: string; client: TelnyxClient | null };
  /** The numbers SMS and voice are sent from, with their provider (the vCard of the contact methods screen). */
  senderNumbers?: readonly { provider: string; number: string }[];
  /** Slack signing secret, to check the v0 signature of interactivity and event requests. */
  slackSigningSecret?: string;
  /** The configured chat platforms by name (Slack included when configured): their inbound routes and war-room bridges. */
  chatPlatforms?: ReadonlyMap<string, ChatPlatform>;
  /** Klaxon's Telegram bot, when configured: the webhook's secret token, Bot API calls, the bot's @username for deep links. */
  telegram?: { webhookSecret: string; call(method: string, body: Record<string, unknown>): Promise<unknown>; botUsername?: string };
  /** What this instance runs: `engine` serves only health and metrics over HTTP. */
  role?: 'all' | 'api' | 'engine';
  /** Trust X-Forwarded-* headers from a reverse proxy. */
  trustProxy?: boolean;
  /** Default per-integration rate limit, events per minute. */
  defaultRateLimitPerMinute: number;
  /** Live events for the WebSocket hub (after commit). Without it, /api/v1/live sends only heartbeats. */
  live?: LiveSource;
  /** VAPID public key browsers subscribe with (GET /api/v1/push/vapid-public-key). */
  vapidPublicKey?: string;
  /** The channels this process has a provider for (GET /api/v1/channels, the setup checklist). */
  channels?: readonly Channel[];
  /** Directory of the built web app served at / (default apps/web/dist). */
  webDir?: string;
  /** Readiness: false while starting or stopping. */
  ready(): boolean;
  /** Subscribes to "configuration changed" (services, integrations), so caches can be cleared. */
  onConfigChange?(listener: () => void): void;
  /** Validate every answer against its response schema and fail the request when it does not match (tests only; http/serialization.ts). */
  checkResponses?: boolean;
  /** Single sign-on and password sign-in settings (docs/sso.md); absent: passwords only. */
  sso?: SsoSettings;
  /** Test hooks (KLAXON_TEST_FAKE_CLOCK only): move the fake clock, run an engine cycle. */
  test?: { clock: FakeClock; cycle(): Promise<void> };
}
