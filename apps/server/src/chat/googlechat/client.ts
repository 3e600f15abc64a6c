/**
 * The provider of the `googlechat` channel: pages a Google Chat space through its incoming webhook
 * (POST the space's webhook URL, a JSON message; Google answers with the created Message, whose
 * `name` is spaces/{space}/messages/{message}). The destination is that webhook URL; it must be on
 * the configured origin (default https://chat.googleapis.com), so a contact method cannot turn the
 * channel into a generic webhook. A `users/<id>` destination only links a person for the buttons:
 * sending to it fails permanently (direct messages need the Chat API as the app, which Klaxon does not
 * call). Errors: 429 and 5xx temporary, other 4xx permanent. Requests go through the egress policy.
 */
import type { EgressPolicy } from '../../lib/egress.js';
import { httpRequest, isPermanentHttpStatus, readJson, trimBase } from '../../notify/providers/http.js';
import { ProviderError, type OutgoingMessage, type Provider, type SendResult } from '../../notify/types.js';
import { renderGoogleChat } from './render.js';

/** Options of {@link GoogleChatWebhooks}. */
export interface GoogleChatOptions {
  /** The origin webhook URLs must be on, default https://chat.googleapis.com. */
  webhookBaseUrl: string;
  egress: EgressPolicy;
}

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

  async send(msg: OutgoingMessage): Promise<SendResult> {
    const url = msg.destination;
    if (/^users\//.test(url)) throw new ProviderError('Google Chat: a users/<id> contact method links a person for the buttons; pages go to a space webhook URL', true, 'not_a_space');
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
