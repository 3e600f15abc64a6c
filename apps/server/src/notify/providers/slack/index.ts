/**
 * Slack provider: posts Block Kit messages with the Web API method chat.postMessage
 * (`POST {base}/api/chat.postMessage`, bot token as Bearer, JSON body). The destination is a channel
 * id (C.../G...) or a user id (U..., posted to the app's DM with that user).
 *
 * Slack answers HTTP 200 `{ok:false, error}` for most failures: rate limits and Slack-side errors are
 * temporary, everything else (channel_not_found, invalid_auth, not_in_channel, ...) is permanent.
 * HTTP 429 and 5xx are temporary too. chat.postMessage has no idempotency key, so a crash between
 * Slack's answer and recording it can post twice.
 */
import { renderSlack } from '../../render/slack.js';
import { ProviderError, type OutgoingMessage, type Provider, type SendResult } from '../../types.js';
import { httpRequest, isPermanentHttpStatus, readJson, trimBase, type HttpProviderOptions } from '../http.js';

/** Inbound request verification (v0 signatures), re-exported for convenience. */
export { computeSlackSignature, verifySlackRequest, SLACK_MAX_SKEW_SEC, type SlackSignatureHeaders } from './signature.js';

/** Default Slack Web API base URL. */
export const SLACK_DEFAULT_BASE_URL = 'https://slack.com';

/** Slack error codes worth retrying; any other `error` is permanent. */
export const SLACK_TEMPORARY_ERRORS: ReadonlySet<string> = new Set([
  'ratelimited',
  'rate_limited',
  'message_limit_exceeded',
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
  'team_added_to_org',
]);

/** Options of {@link SlackProvider}. */
export interface SlackProviderOptions extends HttpProviderOptions {
  /** Bot token (xoxb-...). */
  token: string;
  /** Web API base URL (default https://slack.com). */
  baseUrl?: string;
}

/** Sends Slack messages; providerMessageId is `${channel}:${ts}` (what chat.update needs later), providerStatus 'posted'. */
export class SlackProvider implements Provider {
  /** Always 'slack'. */
  readonly channel = 'slack' as const;
  private readonly base: string;

  /** Creates the provider; no request is made until {@link send}. */
  constructor(private readonly opts: SlackProviderOptions) {
    this.base = trimBase(opts.baseUrl ?? SLACK_DEFAULT_BASE_URL);
  }

  /** Renders the message and posts it with chat.postMessage. */
  async send(msg: OutgoingMessage): Promise<SendResult> {
    const { text, blocks } = renderSlack(msg.message);
    const res = await this.call('chat.postMessage', {
      channel: msg.destination,
      text,
      blocks,
      unfurl_links: false,
      unfurl_media: false,
      // A status update in a channel that announces incidents: in the thread of the incident's card (`channel:ts`).
      ...(msg.message.kind === 'reply' && msg.message.thread && { thread_ts: msg.message.thread.slice(msg.message.thread.lastIndexOf(':') + 1) }),
    });
    const channel = typeof res.channel === 'string' ? res.channel : msg.destination;
    const ts = typeof res.ts === 'string' ? res.ts : null;
    return { providerMessageId: ts ? `${channel}:${ts}` : null, providerStatus: 'posted' };
  }

  /** Calls any Web API method with a JSON body; returns the `{ok:true, ...}` answer or throws a ProviderError. */
  async call(method: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const res = await httpRequest(
      `Slack ${method}`,
      `${this.base}/api/${method}`,
      {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${this.opts.token}`,
          'Content-Type': 'application/json; charset=utf-8',
          'User-Agent': 'Klaxon',
        },
        body: JSON.stringify(body),
      },
      this.opts,
    );
    const json = (await readJson(res)) as Record<string, unknown> | undefined;
    const error = typeof json?.error === 'string' ? json.error : undefined;
    if (!res.ok) {
      const permanent = isPermanentHttpStatus(res.status) && !(error && SLACK_TEMPORARY_ERRORS.has(error));
      throw new ProviderError(`Slack ${method}: HTTP ${res.status}${error ? ` ${error}` : ''}`, permanent, error ?? `http_${res.status}`);
    }
    if (!json || json.ok !== true) {
      if (!error) throw new ProviderError(`Slack ${method}: unexpected response`, false, 'bad_response');
      throw new ProviderError(`Slack ${method}: ${error}`, !SLACK_TEMPORARY_ERRORS.has(error), error);
    }
    return json;
  }
}

/** True when a Slack `error` code is worth retrying. */
export function isTemporarySlackError(error: string): boolean {
  return SLACK_TEMPORARY_ERRORS.has(error);
}
