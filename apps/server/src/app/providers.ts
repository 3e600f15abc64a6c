import type { Clock } from '../lib/clock.js';
import type { EgressPolicy } from '../lib/egress.js';
import { EmailProvider } from '../notify/providers/email/index.js';
import { SlackProvider } from '../notify/providers/slack/index.js';
import { PushProvider, type VapidKeys } from '../notify/providers/push/index.js';
import { createTwilioProviders, TwilioWhatsAppProvider } from '../notify/providers/twilio/index.js';
import { WebhookProvider } from '../notify/providers/webhook/index.js';
import { NtfyProvider } from '../notify/providers/ntfy/index.js';
import { TelegramBot } from '../notify/providers/telegram/index.js';
import { PushoverProvider, pushoverCallbackToken } from '../notify/providers/pushover/index.js';
import { ProviderRegistry } from '../notify/registry.js';
import type { KlaxonConfig } from './config.js';

/**
 * Builds the provider for every configured channel. Webhook and Web Push send to URLs users gave,
 * through the egress policy; Twilio, Slack and SMTP reach what the operator configured.
 * `publicUrl` is read at send time (it may be known only after listen).
 */
export function buildProviders(
  config: KlaxonConfig,
  o: { webhookSecret: string; linkSecret?: string; clock: Clock; publicUrl: () => string; egress: EgressPolicy; push?: { vapid: VapidKeys; onGone: (destination: string) => Promise<void> } },
): ProviderRegistry {
  const registry = new ProviderRegistry();
  if (config.smtp) registry.register(new EmailProvider({ url: config.smtp.url, from: config.smtp.from, timeouts: config.smtp.timeouts }));
  if (config.twilio) {
    const status = (id: string) => `${o.publicUrl()}/integrations/v1/twilio/status?message=${encodeURIComponent(id)}`;
    const t = createTwilioProviders({
      accountSid: config.twilio.accountSid,
      authToken: config.twilio.authToken,
      baseUrl: config.twilio.baseUrl,
      sms: { from: config.twilio.fromNumber, statusCallback: status },
      voice: { from: config.twilio.fromNumber, voiceUrl: (id) => `${o.publicUrl()}/integrations/v1/twilio/voice?message=${encodeURIComponent(id)}`, statusCallback: status },
    });
    registry.register(t.sms).register(t.voice);
    if (config.twilio.whatsappFrom) registry.register(new TwilioWhatsAppProvider(t.client, { from: config.twilio.whatsappFrom, statusCallback: status }));
  }
  if (config.slack) registry.register(new SlackProvider({ token: config.slack.botToken, baseUrl: config.slack.baseUrl }));
  registry.register(new WebhookProvider({ secret: o.webhookSecret, clock: o.clock, egress: o.egress }));
  // ntfy needs no account: every contact names its server (or KLAXON_NTFY_BASE_URL's), reached through the egress policy.
  registry.register(new NtfyProvider({ baseUrl: config.ntfyBaseUrl, egress: o.egress }));
  if (config.pushover) {
    // Pushover POSTs here when the person acknowledges an emergency page; the token proves the URL came from us.
    const secret = o.linkSecret ?? o.webhookSecret;
    const callbackUrl = (id: string) => `${o.publicUrl()}/integrations/v1/pushover/callback?message=${encodeURIComponent(id)}&token=${pushoverCallbackToken(secret, id)}`;
    registry.register(new PushoverProvider({ token: config.pushover.token, baseUrl: config.pushover.baseUrl, callbackUrl }));
  }
  if (config.telegram) registry.register(new TelegramBot({ botToken: config.telegram.botToken, baseUrl: config.telegram.baseUrl }));
  if (o.push) registry.register(new PushProvider({ vapid: o.push.vapid, publicUrl: o.publicUrl, clock: o.clock, onGone: o.push.onGone, egress: o.egress }));
  return registry;
}
