/**
 * Microsoft Teams outbound, and the provider of the `teams` channel. A destination that is an
 * http(s) URL is a Workflows (Power Automate) webhook: the card (render.ts) is POSTed to it as is
 * (Workflows answers 202). An Entra object id or Teams user id only links a person for the bot
 * (platform.ts): a page to it fails permanently, as the bot sends no proactive messages. The bot's
 * replies go to `{serviceUrl}/v3/conversations/{conversation id}/activities/{activity id}` with a
 * token from the client-credentials grant (scope https://api.botframework.com/.default). Every
 * request goes through the egress policy. Errors: 429 and 5xx temporary, other 4xx permanent.
 */
import type { EgressPolicy } from '../../lib/egress.js';
import { httpRequest, isPermanentHttpStatus, readJson } from '../../notify/providers/http.js';
import { ProviderError, type OutgoingMessage, type Provider, type SendResult } from '../../notify/types.js';
import { renderTeams, type TeamsActivity } from './render.js';

/** Options of {@link TeamsClient}. */
export interface TeamsOptions {
  egress: EgressPolicy;
  /** The bot (none: webhook pages only). */
  bot?: { appId: string; appPassword: string; tokenUrl: string };
}

/** The provider (Workflows webhooks) and the bot's replies. */
export class TeamsClient implements Provider {
  readonly channel = 'teams' as const;

  constructor(private readonly opts: TeamsOptions) {}

  async send(msg: OutgoingMessage): Promise<SendResult> {
    if (!/^https?:\/\//.test(msg.destination)) {
      throw new ProviderError('Microsoft Teams: a Teams user id only links a person for the bot; pages go to a Workflows webhook URL', true, 'not_a_webhook');
    }
    await this.post('Teams webhook', msg.destination, renderTeams(msg.message));
    return { providerMessageId: null, providerStatus: 'accepted' };
  }

  /** Replies to an activity in its conversation with a text card. */
  async reply(to: { serviceUrl: string; conversationId: string; activityId: string }, activity: TeamsActivity): Promise<void> {
    const bot = this.opts.bot;
    if (!bot) throw new ProviderError('Microsoft Teams: the bot is not configured', true, 'no_bot');
    const token = await this.token();
    const base = to.serviceUrl.replace(/\/+$/, '');
    const path = `/v3/conversations/${encodeURIComponent(to.conversationId)}/activities/${encodeURIComponent(to.activityId)}`;
    await this.post('Bot Connector', `${base}${path}`, { ...activity, replyToId: to.activityId }, { Authorization: `Bearer ${token}` });
  }

  /** A bot token (client credentials), asked for each reply. */
  async token(): Promise<string> {
    const bot = this.opts.bot!;
    const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: bot.appId, client_secret: bot.appPassword, scope: 'https://api.botframework.com/.default' }).toString();
    const res = await httpRequest('Teams token', bot.tokenUrl, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body }, { egress: this.opts.egress });
    const json = (await readJson(res)) as { access_token?: unknown; error?: unknown } | undefined;
    if (!res.ok || typeof json?.access_token !== 'string') {
      throw new ProviderError(`Teams token: HTTP ${res.status}${typeof json?.error === 'string' ? ` ${json.error}` : ''}`, isPermanentHttpStatus(res.status), 'token');
    }
    return json.access_token;
  }

  private async post(what: string, url: string, body: unknown, headers: Record<string, string> = {}): Promise<void> {
    const res = await httpRequest(what, url, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) }, { egress: this.opts.egress });
    if (!res.ok) {
      await res.discard();
      throw new ProviderError(`${what}: HTTP ${res.status}`, isPermanentHttpStatus(res.status), `http_${res.status}`);
    }
    await res.discard();
  }
}
