/**
 * The provider of the `googlechat` channel. Destinations:
 * - a space's incoming-webhook URL: POST it a JSON message (Google answers with the created Message,
 *   whose `name` is spaces/{space}/messages/{message}). It must be on the configured origin (default
 *   https://chat.googleapis.com), so a contact method cannot turn the channel into a generic webhook.
 * - with the Chat API configured (a service account, api.ts): `spaces/<id>` posts in that space as
 *   the app, `users/<id>` in the person's direct message with the app, and `#spaces/<id>/threads/<id>`
 *   (a war-room bridge) into that thread. Without it these fail permanently and say what to set
 *   (a `users/<id>` contact method then only links a person for the buttons).
 * Errors: 429 and 5xx temporary, other 4xx permanent. Requests go through the egress policy.
 */
import type { EgressPolicy } from '../../lib/egress.js';
import { httpRequest, isPermanentHttpStatus, readJson, trimBase } from '../../notify/providers/http.js';
import { ProviderError, type OutgoingMessage, type Provider, type SendResult } from '../../notify/types.js';
import { THREAD_NAME, type GoogleChatApi } from './api.js';
import { renderGoogleChat } from './render.js';

/** Options of {@link GoogleChatWebhooks}. */
export interface GoogleChatOptions {
  /** The origin webhook URLs must be on, default https://chat.googleapis.com. */
  webhookBaseUrl: string;
  egress: EgressPolicy;
  /** The Chat API as the app (KLAXON_GOOGLECHAT_SERVICE_ACCOUNT); none: webhooks only. */
  api?: GoogleChatApi;
}

const NO_API = 'set KLAXON_GOOGLECHAT_SERVICE_ACCOUNT so Klaxon calls the Chat API as the app';

/** True when `url` is a space's incoming-webhook URL on `base`'s origin. */
export function isGoogleChatWebhook(base: string, url: string): boolean {
  try {
    const u = new URL(url);
    const b = new URL(trimBase(base));
    return u.origin === b.origin && /^\/v1\/spaces\/[A-Za-z0-9_-]{1,100}\/messages$/.test(u.pathname) && !!u.searchParams.get('key') && !!u.searchParams.get('token');
  } catch {
    return false;
  }
}

/** Posts to incoming webhooks. */
export class GoogleChatWebhooks implements Provider {
  readonly channel = 'googlechat' as const;

  constructor(private readonly opts: GoogleChatOptions) {}

  /** The Chat API as the app, when configured. */
  get api(): GoogleChatApi | undefined {
    return this.opts.api;
  }

  async send(msg: OutgoingMessage): Promise<SendResult> {
    const url = msg.destination;
    const api = this.opts.api;
    if (/^#?(users|spaces)\//.test(url)) {
      if (url.startsWith('users/') && !api) throw new ProviderError(`Google Chat: a users/<id> contact method links a person for the buttons; to page them directly, ${NO_API}`, true, 'not_a_space');
      if (!api) throw new ProviderError(`Google Chat: to post to ${url.replace(/^#/, '')}, ${NO_API}`, true, 'no_api');
      const body = renderGoogleChat(msg.message);
      let r: { name: string | null };
      if (url.startsWith('users/')) r = await api.sendDirect(url, body, msg.id);
      else if (url.startsWith('#')) {
        const thread = url.slice(1);
        if (!THREAD_NAME.test(thread)) throw new ProviderError(`Google Chat: ${JSON.stringify(thread.slice(0, 120))} is not a thread name (spaces/<id>/threads/<id>)`, true, 'bad_destination');
        r = await api.createMessage(thread.replace(/\/threads\/.*$/, ''), body, { thread: { name: thread }, requestId: msg.id });
      } else r = await api.createMessage(url, body, { requestId: msg.id });
      return { providerMessageId: r.name, providerStatus: 'posted' };
    }
    if (!isGoogleChatWebhook(this.opts.webhookBaseUrl, url)) throw new ProviderError(`Google Chat: not an incoming-webhook URL on ${trimBase(this.opts.webhookBaseUrl)}`, true, 'bad_destination');
    const res = await httpRequest(
      'Google Chat webhook',
      url,
      { method: 'POST', headers: { 'Content-Type': 'application/json; charset=UTF-8' }, body: JSON.stringify(renderGoogleChat(msg.message)) },
      { egress: this.opts.egress },
    );
    const json = (await readJson(res)) as { name?: unknown; error?: { message?: unknown; status?: unknown } } | undefined;
    if (!res.ok) {
      const message = typeof json?.error?.message === 'string' ? ` ${json.error.message}` : '';
      const code = typeof json?.error?.status === 'string' ? json.error.status : `http_${res.status}`;
      throw new ProviderError(`Google Chat webhook: HTTP ${res.status}${message}`, isPermanentHttpStatus(res.status), code);
    }
    return { providerMessageId: typeof json?.name === 'string' ? json.name : null, providerStatus: 'posted' };
  }
}
