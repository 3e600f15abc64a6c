import type { AlertIngest } from '../alert/service.js';
import type { Ctx } from '../context.js';
import type { FakeClock } from '../lib/clock.js';

/** What the HTTP layer needs from the process. Built in app/. */
export interface HttpDeps {
  ctx: Ctx;
  ingest: AlertIngest;
  /** Twilio auth token, to check X-Twilio-Signature on inbound SMS and voice webhooks. */
  twilioAuthToken?: string;
  /** Slack signing secret, to check the v0 signature of interactivity and event requests. */
  slackSigningSecret?: string;
  /** Default per-integration rate limit, events per minute. */
  defaultRateLimitPerMinute: number;
  /** Readiness: false while starting or stopping. */
  ready(): boolean;
  /** Test hooks (KLAXON_TEST_FAKE_CLOCK only): move the fake clock, run an engine cycle. */
  test?: { clock: FakeClock; cycle(): Promise<void> };
}
