/**
 * Pushover provider (https://pushover.net/api): `POST {base}/1/messages.json` with form fields
 * `token` (the application's API token, KLAXON_PUSHOVER_TOKEN), `user` (the contact's user key),
 * `message`, `title`, `priority`, `url`, `url_title`, `timestamp`. A high-urgency page is an
 * emergency-priority message (2): Pushover repeats it every `retry` seconds until it is
 * acknowledged or `expire` seconds pass, and answers a `receipt`; the `callback` URL is POSTed when
 * the person acknowledges it (see http/routes/channels.ts). A low-urgency page is priority 0.
 *
 * The callback is checked with an unguessable per-message token in its URL
 * ({@link pushoverCallbackToken}: HMAC-SHA256 of the outbox id with the link secret) and the receipt it
 * carries must be the one Pushover gave for that message. Resolving the incident cancels the
 * receipt (`POST {base}/1/receipts/{receipt}/cancel.json`), so the phone stops repeating it.
 *
 * Answers: `{status: 1, request, receipt?}`; errors `{status: 0, errors: [...], request}` with HTTP
 * 4xx (permanent: bad token, bad user key) or 5xx / 429 (temporary).
 */
import { createHmac } from 'node:crypto';
import { alertsPhrase, excerpt, oneLine, safeUrl, severityLabel, truncate } from '../../render/common.js';
import { bundleHeadline, bundleLines } from '../../render/bundle.js';
import { renderSms } from '../../render/sms.js';
import { ProviderError, type Message, type OutgoingMessage, type Provider, type SendResult } from '../../types.js';
import { httpRequest, isPermanentHttpStatus, readJson, trimBase, type HttpProviderOptions } from '../http.js';

/** Default Pushover API base URL. */
export const PUSHOVER_DEFAULT_BASE_URL = 'https://api.pushover.net';
/** Seconds between repeats of an emergency page (Pushover's minimum is 30). */
export const PUSHOVER_RETRY_SECONDS = 60;
/** Seconds an emergency page keeps repeating unless acknowledged (Pushover's maximum is 10800). */
export const PUSHOVER_EXPIRE_SECONDS = 3600;

/** Pushover's limit on a message's text, in characters. */
export const PUSHOVER_MAX_MESSAGE = 1024;

/** A Pushover user or group key: 30 characters of [A-Za-z0-9]. */
export const PUSHOVER_USER_KEY = /^[A-Za-z0-9]{30}$/;

/** The unguessable token in a message's callback URL (HMAC-SHA256 of the outbox id). */
export function pushoverCallbackToken(secret: string, messageId: string): string {
  return createHmac('sha256', secret).update(`pushover-callback:${messageId}`).digest('base64url');
}

/** Options of {@link renderPushover}. */
export interface PushoverRenderOptions {
  /** The callback URL of this message (emergency pages only). */
  callback?: string;
  retrySeconds?: number;
  expireSeconds?: number;
}

/** Renders a message as Pushover's form fields, without token and user (pure). */
export function renderPushover(msg: Message, o: PushoverRenderOptions = {}): Record<string, string> {
  if (msg.kind === 'page' && msg.bundle) {
    // A bundle (docs/paging.md, "Storms"): one message listing the incidents; emergency priority if
    // any of them is high urgency, and its acknowledgement (the callback) acknowledges them all.
    const b = msg.bundle;
    const emergency = msg.urgency !== 'low' || b.items.some((it) => it.urgency !== 'low');
    const url = safeUrl(msg.incidentUrl.replace(/\/incidents\/\d+$/, '/incidents'));
    return {
      title: truncate(bundleHeadline(b.items), 250),
      message: bundleLines(b, PUSHOVER_MAX_MESSAGE, '', emergency ? `Acknowledge to acknowledge all ${b.items.length}.` : ''),
      priority: emergency ? '2' : '0',
      timestamp: String(Math.floor(msg.createdAt / 1000)),
      ...(url && { url, url_title: 'Open incidents' }),
      ...(emergency && {
        retry: String(o.retrySeconds ?? PUSHOVER_RETRY_SECONDS),
        expire: String(o.expireSeconds ?? PUSHOVER_EXPIRE_SECONDS),
        ...(o.callback && { callback: o.callback }),
      }),
    };
  }
  if (msg.kind === 'page') {
    const emergency = msg.urgency !== 'low';
    const details = excerpt(msg.details, 4, 400);
    const text = [
      `${oneLine(msg.serviceName) || 'unknown service'} · ${severityLabel(msg.severity)} · ${alertsPhrase(msg.alertCount)}`,
      ...(details ? [details] : []),
      ...(msg.bridgeUrl ? [`Bridge: ${msg.bridgeUrl}`] : []),
    ].join('\n');
    const url = safeUrl(msg.incidentUrl);
    return {
      title: truncate(`${msg.drill ? 'DRILL ' : ''}#${msg.incidentNumber} ${oneLine(msg.title) || 'untitled'}`, 250),
      message: truncate(text, 1024),
      priority: emergency ? '2' : '0',
      timestamp: String(Math.floor(msg.createdAt / 1000)),
      ...(url && { url, url_title: `Open incident #${msg.incidentNumber}` }),
      ...(emergency && {
        retry: String(o.retrySeconds ?? PUSHOVER_RETRY_SECONDS),
        expire: String(o.expireSeconds ?? PUSHOVER_EXPIRE_SECONDS),
        ...(o.callback && { callback: o.callback }),
      }),
    };
  }
  const title = msg.kind === 'verification' ? 'Klaxon verification code' : msg.kind === 'test' ? 'Klaxon test page' : 'Klaxon';
  const text = msg.kind === 'test' ? `Klaxon test for ${oneLine(msg.userName)}: Pushover notifications reach you.` : renderSms(msg);
  return { title, message: truncate(text || 'Klaxon', 1024), priority: '0' };
}

/** Options of {@link PushoverProvider}. */
export interface PushoverProviderOptions extends HttpProviderOptions {
  /** The application's API token. */
  token: string;
  /** API base URL (KLAXON_PUSHOVER_BASE_URL). */
  baseUrl?: string;
  /** The callback URL for an outbox message. */
  callbackUrl: (messageId: string) => string;
  retrySeconds?: number;
  expireSeconds?: number;
}

/** Sends through Pushover; providerMessageId is the receipt of an emergency page, else the request id. */
export class PushoverProvider implements Provider {
  /** Always 'pushover'. */
  readonly channel = 'pushover' as const;
  private readonly base: string;

  /** Creates the provider. */
  constructor(private readonly opts: PushoverProviderOptions) {
    this.base = trimBase(opts.baseUrl ?? PUSHOVER_DEFAULT_BASE_URL);
  }

  /** Sends one message. */
  async send(msg: OutgoingMessage): Promise<SendResult> {
    if (!PUSHOVER_USER_KEY.test(msg.destination)) throw new ProviderError('Pushover: the contact address is not a user key (30 letters and digits)', true, 'invalid_address');
    const form = {
      token: this.opts.token,
      user: msg.destination,
      ...renderPushover(msg.message, { callback: this.opts.callbackUrl(msg.id), retrySeconds: this.opts.retrySeconds, expireSeconds: this.opts.expireSeconds }),
    };
    const json = await this.post('messages', '/1/messages.json', form);
    const receipt = typeof json.receipt === 'string' ? json.receipt : null;
    return { providerMessageId: receipt ?? (typeof json.request === 'string' ? json.request : null), providerStatus: receipt ? 'emergency' : 'accepted' };
  }

  /** Stops an emergency message repeating (the incident was resolved). */
  async cancelReceipt(receipt: string): Promise<void> {
    if (!/^[A-Za-z0-9]{1,64}$/.test(receipt)) throw new ProviderError('Pushover: not a receipt', true, 'invalid_receipt');
    await this.post('receipts', `/1/receipts/${receipt}/cancel.json`, { token: this.opts.token });
  }

  private async post(what: string, path: string, form: Record<string, string>): Promise<{ status?: unknown; request?: unknown; receipt?: unknown; errors?: unknown }> {
    const res = await httpRequest(
      `Pushover ${what}`,
      `${this.base}${path}`,
      { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json', 'User-Agent': 'Klaxon' }, body: new URLSearchParams(form).toString() },
      this.opts,
    );
    const json = ((await readJson(res)) ?? {}) as { status?: unknown; request?: unknown; receipt?: unknown; errors?: unknown };
    if (res.ok && json.status === 1) return json;
    const errors = Array.isArray(json.errors) ? json.errors.filter((e): e is string => typeof e === 'string').join('; ') : '';
    throw new ProviderError(`Pushover ${what}: HTTP ${res.status}${errors ? ` (${errors})` : ''}`, res.ok || isPermanentHttpStatus(res.status), `http_${res.status}`);
  }
}
