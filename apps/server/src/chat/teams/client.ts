/**
 * Microsoft Teams outbound, and the provider of the `teams` channel. A destination that is an
 * http(s) URL is a Workflows (Power Automate) webhook: the card (render.ts) is POSTed to it as is
 * (Workflows answers 202). The bot (Bot Framework Connector REST API, v3) sends the rest, each
 * request with a token from the client-credentials grant (scope https://api.botframework.com/.default):
 * - a person (an Entra object id or Teams user id): a proactive message. The bot creates (or gets)
 *   its 1:1 chat with them, `POST {serviceUrl}/v3/conversations` with `{bot, members: [{id}],
 *   tenantId, isGroup: false, channelData: {tenant: {id}}}`, keeps the chat's id, and posts the card
 *   (with Acknowledge / Resolve / Join war room as Action.Submit) to
 *   `{serviceUrl}/v3/conversations/{id}/activities`;
 * - `#<channel conversation id>` (`19:...@thread.tacv2`, or a thread of it `...;messageid=N`): the
 *   message is posted there (a war-room bridge, or a channel incidents are announced in, chat/announce.ts);
 *   a page card carries Action.Submit buttons, as cards the bot posts send them back to the bot;
 * - war rooms get a new thread in the configured channel (`POST /v3/conversations` with `isGroup:
 *   true` and `channelData.channel.id`): Teams lets a bot start a thread, not create a channel.
 * The service URL and tenant come from signed inbound activities (`refs`, store.ts): the person's
 * own, the channel's, else the only tenant the bot has heard from. The bot's replies go to
 * `{serviceUrl}/v3/conversations/{conversation id}/activities/{activity id}`. Every request goes
 * through the egress policy. Errors: 429 and 5xx temporary, other 4xx permanent.
 */
import type { EgressPolicy } from '../../lib/egress.js';
import { httpRequest, isPermanentHttpStatus, readJson } from '../../notify/providers/http.js';
import { ProviderError, type OutgoingMessage, type Provider, type SendResult } from '../../notify/types.js';
import { renderTeams, type TeamsActivity } from './render.js';
import type { TeamsRef } from './store.js';

/** Where the bot's conversation references are kept (store.ts over the database). */
export interface TeamsRefStore {
  remember(refs: readonly TeamsRef[]): Promise<void>;
  get(kind: TeamsRef['kind'], ref: string): Promise<TeamsRef | undefined>;
  /** Up to two tenants (to tell whether there is only one). */
  tenants(): Promise<TeamsRef[]>;
  setConversation(ref: string, conversationId: string): Promise<void>;
}

/** Options of {@link TeamsClient}. */
export interface TeamsOptions {
  egress: EgressPolicy;
  /** The bot (none: webhook pages only). */
  bot?: { appId: string; appPassword: string; tokenUrl: string; warRoomChannelId?: string };
  /** The bot's conversation references (none: the bot only replies). */
  refs?: TeamsRefStore;
}

export { TEAMS_CHANNEL } from '../channel-ids.js';

/** The channel of a channel conversation id (without `;messageid=...`). */
export function teamsChannelOf(conversationId: string): string {
  return conversationId.replace(/;messageid=.*$/, '');
}

/** The provider (Workflows webhooks, the bot's proactive messages) and the bot's replies. */
export class TeamsClient implements Provider {
  readonly channel = 'teams' as const;

  constructor(private readonly opts: TeamsOptions) {}

  async send(msg: OutgoingMessage): Promise<SendResult> {
    if (/^https?:\/\//.test(msg.destination)) {
      await this.call('Teams webhook', msg.destination, renderTeams(msg.message));
      return { providerMessageId: null, providerStatus: 'accepted' };
    }
    if (msg.destination.startsWith('#')) {
      const channel = msg.destination.slice(1);
      const where = await this.channelRef(channel);
      const id = await this.post(where.serviceUrl, channel, renderTeams(msg.message, { submit: msg.message.kind === 'page' }));
      return { providerMessageId: id, providerStatus: 'posted' };
    }
    const card = renderTeams(msg.message, { submit: true });
    const chat = await this.directChat(msg.destination);
    try {
      return { providerMessageId: await this.post(chat.serviceUrl, chat.conversationId, card), providerStatus: 'posted' };
    } catch (e) {
      // A kept 1:1 chat the Bot Connector no longer knows (the app was removed and added again): made afresh, once.
      if (!chat.kept || !(e instanceof ProviderError) || (e.providerStatus !== 'http_403' && e.providerStatus !== 'http_404')) throw e;
      const fresh = await this.directChat(msg.destination, true);
      return { providerMessageId: await this.post(fresh.serviceUrl, fresh.conversationId, card), providerStatus: 'posted' };
    }
  }

  /** Records what a signed activity taught about tenants, people and channels. */
  async remember(refs: readonly TeamsRef[]): Promise<void> {
    if (refs.length && this.opts.refs) await this.opts.refs.remember(refs);
  }

  /** The service URL and tenant for a channel: its own, else the only tenant known. */
  private async channelRef(channel: string): Promise<{ serviceUrl: string; tenantId: string }> {
    const refs = this.bot() && this.opts.refs;
    const own = refs ? await refs.get('channel', teamsChannelOf(channel)) : undefined;
    return own ?? (await this.onlyTenant(`channel ${teamsChannelOf(channel)}`));
  }

  private async onlyTenant(what: string): Promise<TeamsRef> {
    const tenants = this.opts.refs ? await this.opts.refs.tenants() : [];
    if (tenants.length === 1 && tenants[0]) return tenants[0];
    throw new ProviderError(
      tenants.length
        ? `Microsoft Teams: the bot has not heard from the tenant of ${what} (it knows several): message the bot from there once`
        : `Microsoft Teams: the bot has not received any activity yet: install the Klaxon app in Teams (or message the bot) first`,
      true,
      'no_reference',
    );
  }

  /** The 1:1 chat with a person (created once, then kept). */
  private async directChat(address: string, afresh = false): Promise<{ serviceUrl: string; conversationId: string; kept: boolean }> {
    const bot = this.bot();
    const known = this.opts.refs ? await this.opts.refs.get('user', address) : undefined;
    if (known?.conversationId && !afresh) return { serviceUrl: known.serviceUrl, conversationId: known.conversationId, kept: true };
    const where = known ?? (await this.onlyTenant(`Teams user ${address}`));
    const memberId = known?.memberId || address;
    const res = (await this.call('Bot Connector create conversation', `${base(where.serviceUrl)}/v3/conversations`, {
      bot: { id: `28:${bot.appId}` },
      members: [{ id: memberId }],
      tenantId: where.tenantId,
      isGroup: false,
      channelData: { tenant: { id: where.tenantId } },
    })) as { id?: unknown };
    if (typeof res.id !== 'string' || !res.id) throw new ProviderError('Bot Connector create conversation: no id', false, 'bad_response');
    if (known) await this.opts.refs?.setConversation(address, res.id);
    return { serviceUrl: where.serviceUrl, conversationId: res.id, kept: false };
  }

  /** Starts a war room's thread in the configured channel; its conversation id (`19:...;messageid=N`). */
  async createThread(title: string): Promise<string> {
    const bot = this.bot();
    const channel = bot.warRoomChannelId;
    if (!channel) throw new ProviderError('Microsoft Teams: set KLAXON_TEAMS_WAR_ROOM_CHANNEL_ID to start war-room threads, or bridge to an existing channel or thread', true, 'no_channel');
    const where = await this.channelRef(channel);
    const res = (await this.call('Bot Connector create conversation', `${base(where.serviceUrl)}/v3/conversations`, {
      isGroup: true,
      bot: { id: `28:${bot.appId}` },
      tenantId: where.tenantId,
      channelData: { channel: { id: teamsChannelOf(channel) }, tenant: { id: where.tenantId } },
      activity: renderTeams({ kind: 'reply', text: title }),
    })) as { id?: unknown; activityId?: unknown };
    if (typeof res.id !== 'string' || !res.id) throw new ProviderError('Bot Connector create conversation: no id', false, 'bad_response');
    return res.id.includes(';messageid=') || typeof res.activityId !== 'string' ? res.id : `${teamsChannelOf(res.id)};messageid=${res.activityId}`;
  }

  /** Posts an activity to a conversation (`/v3/conversations/{id}/activities`); its id. */
  private async post(serviceUrl: string, conversationId: string, activity: TeamsActivity): Promise<string | null> {
    this.bot();
    const res = (await this.call('Bot Connector', `${base(serviceUrl)}/v3/conversations/${encodeURIComponent(conversationId)}/activities`, activity)) as { id?: unknown };
    return typeof res.id === 'string' ? res.id : null;
  }

  /** Replies to an activity in its conversation with a text card. */
  async reply(to: { serviceUrl: string; conversationId: string; activityId: string }, activity: TeamsActivity): Promise<void> {
    const path = `/v3/conversations/${encodeURIComponent(to.conversationId)}/activities/${encodeURIComponent(to.activityId)}`;
    await this.call('Bot Connector', `${base(to.serviceUrl)}${path}`, { ...activity, replyToId: to.activityId });
  }

  private bot(): NonNullable<TeamsOptions['bot']> {
    const bot = this.opts.bot;
    if (!bot) throw new ProviderError('Microsoft Teams: the bot is not configured (KLAXON_TEAMS_APP_ID, KLAXON_TEAMS_APP_PASSWORD): a Teams user or channel needs it', true, 'no_bot');
    return bot;
  }

  /** A bot token (client credentials), asked for each request. */
  async token(): Promise<string> {
    const bot = this.bot();
    const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: bot.appId, client_secret: bot.appPassword, scope: 'https://api.botframework.com/.default' }).toString();
    const res = await httpRequest('Teams token', bot.tokenUrl, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body }, { egress: this.opts.egress });
    const json = (await readJson(res)) as { access_token?: unknown; error?: unknown } | undefined;
    if (!res.ok || typeof json?.access_token !== 'string') {
      throw new ProviderError(`Teams token: HTTP ${res.status}${typeof json?.error === 'string' ? ` ${json.error}` : ''}`, isPermanentHttpStatus(res.status), 'token');
    }
    return json.access_token;
  }

  /** One POST (a bot token unless it is a Workflows webhook); the JSON answer (`{}` when none). */
  private async call(what: string, url: string, body: unknown): Promise<unknown> {
    const auth: Record<string, string> = what === 'Teams webhook' ? {} : { Authorization: `Bearer ${await this.token()}` };
    const res = await httpRequest(what, url, { method: 'POST', headers: { 'Content-Type': 'application/json', ...auth }, body: JSON.stringify(body) }, { egress: this.opts.egress });
    if (!res.ok) {
      await res.discard();
      throw new ProviderError(`${what}: HTTP ${res.status}`, isPermanentHttpStatus(res.status), `http_${res.status}`);
    }
    const json = await readJson(res);
    return json && typeof json === 'object' ? json : {};
  }
}

const base = (serviceUrl: string) => serviceUrl.replace(/\/+$/, '');
