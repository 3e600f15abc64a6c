import type { Clock } from '../lib/clock.js';
import type { EgressPolicy } from '../lib/egress.js';
import { EmailProvider } from '../notify/providers/email/index.js';
import { SlackProvider } from '../notify/providers/slack/index.js';
import { PushProvider, type VapidKeys } from '../notify/providers/push/index.js';
import { createTwilioProviders, TwilioWhatsAppProvider } from '../notify/providers/twilio/index.js';
import { createVonageProviders } from '../notify/providers/vonage/index.js';
import { createPlivoProviders } from '../notify/providers/plivo/index.js';
import { createTelnyxProviders } from '../notify/providers/telnyx/index.js';
import { FailoverProvider } from '../notify/failover.js';
import { checkSmsRoutes } from '../notify/routing.js';
import type { Provider } from '../notify/types.js';
import { WebhookProvider } from '../notify/providers/webhook/index.js';
import { NtfyProvider } from '../notify/providers/ntfy/index.js';
import { TelegramBot } from '../notify/providers/telegram/index.js';
import { PushoverProvider, pushoverCallbackToken } from '../notify/providers/pushover/index.js';
import { ProviderRegistry } from '../notify/registry.js';
import type { ChatPlatform } from '../chat/platform.js';
import { MattermostClient } from '../chat/mattermost/client.js';
import { mattermostPlatform } from '../chat/mattermost/platform.js';
import { DiscordClient } from '../chat/discord/client.js';
import { discordPlatform } from '../chat/discord/platform.js';
import { discordPublicKey } from '../chat/discord/signature.js';
import { GoogleChatApi } from '../chat/googlechat/api.js';
import { ServiceAccountTokens } from '../chat/googlechat/auth.js';
import { GoogleChatWebhooks } from '../chat/googlechat/client.js';
import { googleChatPlatform } from '../chat/googlechat/platform.js';
import { GoogleChatTokens } from '../chat/googlechat/token.js';
import { BotConnectorAuth } from '../chat/teams/auth.js';
import { TeamsClient, type TeamsRefStore } from '../chat/teams/client.js';
import { teamsPlatform } from '../chat/teams/platform.js';
import { MatrixClient } from '../chat/matrix/client.js';
import { matrixPlatform } from '../chat/matrix/platform.js';
import { smsProviderNames, type KlaxonConfig } from './config.js';

/**
 * Builds the provider for every configured channel. Webhook and Web Push send to URLs users gave,
 * through the egress policy; Twilio, Slack and SMTP reach what the operator configured.
 * `publicUrl` is read at send time (it may be known only after listen).
 */
export function buildProviders(
  config: KlaxonConfig,
  o: {
    webhookSecret: string;
    chatActionKey: string;
    linkSecret?: string;
    clock: Clock;
    publicUrl: () => string;
    egress: EgressPolicy;
    push?: { vapid: VapidKeys; onGone: (destination: string) => Promise<void> };
    /** The Teams bot's conversation references (chat/teams/store.ts). */
    teamsRefs?: TeamsRefStore;
  },
): ProviderRegistry {
  const registry = new ProviderRegistry();
  if (config.smtp) registry.register(new EmailProvider({ url: config.smtp.url, from: config.smtp.from, timeouts: config.smtp.timeouts }));
  // SMS and voice: every configured provider, tried in the route's (or the default) order with failover.
  const sms = new Map<string, Provider>();
  const voice = new Map<string, Provider>();
  const timeoutMs = config.smsProviderTimeoutMs;
  if (config.twilio) {
    const status = (id: string) => `${o.publicUrl()}/integrations/v1/twilio/status?message=${encodeURIComponent(id)}`;
    const t = createTwilioProviders({
      accountSid: config.twilio.accountSid,
      authToken: config.twilio.authToken,
      baseUrl: config.twilio.baseUrl,
      ...(timeoutMs !== undefined && { timeoutMs }),
      sms: { from: config.twilio.fromNumber, statusCallback: status },
      voice: { from: config.twilio.fromNumber, voiceUrl: (id) => `${o.publicUrl()}/integrations/v1/twilio/voice?message=${encodeURIComponent(id)}`, statusCallback: status },
    });
    sms.set('twilio', t.sms);
    voice.set('twilio', t.voice);
    registry.senderNumbers.push({ provider: 'twilio', number: config.twilio.fromNumber });
    if (config.twilio.whatsappFrom) registry.register(new TwilioWhatsAppProvider(t.client, { from: config.twilio.whatsappFrom, statusCallback: status }));
  }
  if (config.vonage) {
    const v = config.vonage;
    const q = (id: string) => `?message=${encodeURIComponent(id)}`;
    const p = createVonageProviders({
      apiKey: v.apiKey,
      apiSecret: v.apiSecret,
      baseUrl: v.baseUrl,
      applicationId: v.applicationId,
      privateKey: v.privateKey,
      egress: o.egress,
      ...(timeoutMs !== undefined && { timeoutMs }),
      from: v.fromNumber,
      voice: { inputUrl: (id) => `${o.publicUrl()}/integrations/v1/vonage/voice/input${q(id)}`, eventUrl: (id) => `${o.publicUrl()}/integrations/v1/vonage/voice/event${q(id)}` },
    });
    sms.set('vonage', p.sms);
    if (p.voice) voice.set('vonage', p.voice);
    registry.senderNumbers.push({ provider: 'vonage', number: v.fromNumber.startsWith('+') ? v.fromNumber : `+${v.fromNumber}` });
  }
  if (config.plivo) {
    const pl = config.plivo;
    const at = (path: string) => (id: string) => `${o.publicUrl()}/integrations/v1/plivo/${path}?message=${encodeURIComponent(id)}`;
    const p = createPlivoProviders({
      authId: pl.authId,
      authToken: pl.authToken,
      baseUrl: pl.baseUrl,
      egress: o.egress,
      ...(timeoutMs !== undefined && { timeoutMs }),
      from: pl.fromNumber,
      statusUrl: at('status'),
      answerUrl: at('voice'),
      hangupUrl: at('voice/hangup'),
    });
    sms.set('plivo', p.sms);
    voice.set('plivo', p.voice);
    registry.senderNumbers.push({ provider: 'plivo', number: pl.fromNumber.startsWith('+') ? pl.fromNumber : `+${pl.fromNumber}` });
  }
  if (config.telnyx) {
    const tx = config.telnyx;
    const p = createTelnyxProviders({
      apiKey: tx.apiKey,
      baseUrl: tx.baseUrl,
      egress: o.egress,
      ...(timeoutMs !== undefined && { timeoutMs }),
      from: tx.fromNumber,
      connectionId: tx.connectionId,
      webhookUrl: (id) => `${o.publicUrl()}/integrations/v1/telnyx/webhook?message=${encodeURIComponent(id)}`,
    });
    sms.set('telnyx', p.sms);
    if (p.voice) voice.set('telnyx', p.voice);
    registry.telnyx = p.client;
    registry.senderNumbers.push({ provider: 'telnyx', number: tx.fromNumber });
  }
  const names = smsProviderNames(config);
  const order = config.smsProviders ?? names;
  const routes = checkSmsRoutes(config.smsRoutes ?? [], names);
  if (sms.size) registry.register(new FailoverProvider('sms', sms, routes, order));
  if (voice.size) registry.register(new FailoverProvider('voice', voice, routes, order));
  if (config.slack) registry.register(new SlackProvider({ token: config.slack.botToken, baseUrl: config.slack.baseUrl }));
  if (config.mattermost) {
    const m = config.mattermost;
    registry.register(new MattermostClient({ baseUrl: m.baseUrl, token: m.botToken, teamId: m.teamId, actionKey: o.chatActionKey, publicUrl: o.publicUrl, egress: o.egress }));
  }
  if (config.discord) {
    const d = config.discord;
    registry.register(new DiscordClient({ baseUrl: d.baseUrl, token: d.botToken, warRoomChannelId: d.warRoomChannelId, egress: o.egress }));
  }
  if (config.googlechat) {
    // With a service account, Klaxon also calls the Chat API as the app (spaces/<id>, users/<id>, war-room threads).
    const gcApi = config.googlechat.api;
    const api =
      gcApi &&
      new GoogleChatApi({
        baseUrl: gcApi.baseUrl,
        egress: o.egress,
        tokens: new ServiceAccountTokens(gcApi.serviceAccount, { egress: o.egress, now: () => o.clock.now(), ...(gcApi.tokenUrl && { tokenUri: gcApi.tokenUrl }) }),
      });
    registry.register(new GoogleChatWebhooks({ webhookBaseUrl: config.googlechat.webhookBaseUrl, egress: o.egress, ...(api && { api }) }));
  }
  if (config.matrix) {
    registry.register(new MatrixClient({ homeserverUrl: config.matrix.homeserverUrl, accessToken: config.matrix.accessToken, egress: o.egress, now: () => o.clock.now() }));
  }
  // Teams: Workflows webhooks need no account; the bot (replies, proactive pages, war-room threads) needs KLAXON_TEAMS_APP_ID and _APP_PASSWORD.
  const tm = config.teams;
  registry.register(
    new TeamsClient({
      egress: o.egress,
      ...(tm && { bot: { appId: tm.appId, appPassword: tm.appPassword, tokenUrl: tm.tokenUrl, warRoomChannelId: tm.warRoomChannelId } }),
      ...(o.teamsRefs && { refs: o.teamsRefs }),
    }),
  );
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
  const gc = providers.get('googlechat');
  if (config.googlechat && gc instanceof GoogleChatWebhooks) {
    const warRoomSpace = config.googlechat.api?.warRoomSpace;
    out.push(googleChatPlatform(gc, new GoogleChatTokens(config.googlechat.audience, config.googlechat.jwksUrl), warRoomSpace ? { warRoomSpace } : {}));
  }
  const mx = providers.get('matrix');
  if (mx instanceof MatrixClient) out.push(matrixPlatform(mx));
  const teams = providers.get('teams');
  if (config.teams && teams instanceof TeamsClient) out.push(teamsPlatform(teams, new BotConnectorAuth({ appId: config.teams.appId, openIdMetadataUrl: config.teams.openIdMetadataUrl })));
  return out;
}
