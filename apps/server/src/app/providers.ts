import type { Clock } from '../lib/clock.js';
import type { EgressPolicy } from '../lib/egress.js';
import { EmailProvider } from '../notify/providers/email/index.js';
import { SlackProvider } from '../notify/providers/slack/index.js';
import { PushProvider, type VapidKeys } from '../notify/providers/push/index.js';
import { createTwilioProviders } from '../notify/providers/twilio/index.js';
import { WebhookProvider } from '../notify/providers/webhook/index.js';
import { ProviderRegistry } from '../notify/registry.js';
import type { ChatPlatform } from '../chat/platform.js';
import { MattermostClient } from '../chat/mattermost/client.js';
import { mattermostPlatform } from '../chat/mattermost/platform.js';
import { DiscordClient } from '../chat/discord/client.js';
import { discordPlatform } from '../chat/discord/platform.js';
import { discordPublicKey } from '../chat/discord/signature.js';
import { MatrixClient } from '../chat/matrix/client.js';
import { matrixPlatform } from '../chat/matrix/platform.js';
import type { KlaxonConfig } from './config.js';

/**
 * Builds the provider for every configured channel. Webhook and Web Push send to URLs users gave,
 * through the egress policy; Twilio, Slack and SMTP reach what the operator configured.
 * `publicUrl` is read at send time (it may be known only after listen).
 */
export function buildProviders(
  config: KlaxonConfig,
  o: { webhookSecret: string; chatActionKey: string; clock: Clock; publicUrl: () => string; egress: EgressPolicy; push?: { vapid: VapidKeys; onGone: (destination: string) => Promise<void> } },
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
  }
  if (config.slack) registry.register(new SlackProvider({ token: config.slack.botToken, baseUrl: config.slack.baseUrl }));
  if (config.mattermost) {
    const m = config.mattermost;
    registry.register(new MattermostClient({ baseUrl: m.baseUrl, token: m.botToken, teamId: m.teamId, actionKey: o.chatActionKey, publicUrl: o.publicUrl, egress: o.egress }));
  }
  if (config.discord) {
    const d = config.discord;
    registry.register(new DiscordClient({ baseUrl: d.baseUrl, token: d.botToken, warRoomChannelId: d.warRoomChannelId, egress: o.egress }));
  }
  if (config.matrix) {
    registry.register(new MatrixClient({ homeserverUrl: config.matrix.homeserverUrl, accessToken: config.matrix.accessToken, egress: o.egress, now: () => o.clock.now() }));
  }
  registry.register(new WebhookProvider({ secret: o.webhookSecret, clock: o.clock, egress: o.egress }));
  if (o.push) registry.register(new PushProvider({ vapid: o.push.vapid, publicUrl: o.publicUrl, clock: o.clock, onGone: o.push.onGone, egress: o.egress }));
  return registry;
}

/** The chat platforms besides Slack whose providers are registered (chat/<name>/platform.ts). */
export function buildChatPlatforms(config: KlaxonConfig, providers: ProviderRegistry, o: { chatActionKey: string }): ChatPlatform[] {
  const out: ChatPlatform[] = [];
  const mm = providers.get('mattermost');
  if (config.mattermost && mm instanceof MattermostClient) {
    out.push(mattermostPlatform(mm, { actionKey: o.chatActionKey, commandToken: config.mattermost.commandToken, webhookToken: config.mattermost.webhookToken }));
  }
  const dc = providers.get('discord');
  const key = config.discord && discordPublicKey(config.discord.publicKey);
  if (dc instanceof DiscordClient && key) out.push(discordPlatform(dc, key));
  const mx = providers.get('matrix');
  if (mx instanceof MatrixClient) out.push(matrixPlatform(mx));
  return out;
}
