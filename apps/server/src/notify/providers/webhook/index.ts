/**
 * Webhook provider: POSTs the JSON document from renderWebhook (plus `deliveryId`) to the destination
 * URL with headers
 *   Content-Type: application/json, User-Agent: Klaxon, X-Klaxon-Delivery: <outbox message id>,
 *   X-Klaxon-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" keyed with the secret>.
 * Receivers check it with {@link verifyWebhookSignature} (or the same few lines in any language) and
 * dedup on X-Klaxon-Delivery, which stays the same across retries.
 *
 * Errors: 4xx except 408/429 is permanent; 408, 429, 5xx, timeouts and network errors are temporary.
 * Redirects are not followed (a POST must not silently turn into a GET elsewhere): 3xx is permanent.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../../lib/clock.js';
import { renderWebhook } from '../../render/webhook.js';
import { ProviderError, type OutgoingMessage, type Provider, type SendResult } from '../../types.js';
import { httpRequest, isPermanentHttpStatus, type HttpProviderOptions } from '../http.js';

/** Name of the signature header. */
export const WEBHOOK_SIGNATURE_HEADER = 'X-Klaxon-Signature';
/** Name of the delivery id header. */
export const WEBHOOK_DELIVERY_HEADER = 'X-Klaxon-Delivery';
/** Default tolerance between the signature timestamp and the receiver's clock, in seconds. */
export const WEBHOOK_DEFAULT_TOLERANCE_SEC = 300;

/** Computes the X-Klaxon-Signature value `t=<unix seconds>,v1=<hex HMAC-SHA256("<t>.<body>")>`. */
export function signWebhook(body: string | Uint8Array, secret: string, nowMs: number): string {
  const t = Math.floor(nowMs / 1000);
  return `t=${t},v1=${hmacHex(secret, t, body)}`;
}

/**
 * True when `header` holds a timestamp within `toleranceSec` of `nowMs` and a v1 signature of `body`
 * with `secret` (constant-time compare). Several `v1=` entries are accepted, any one may match, so a
 * sender can sign with an old and a new secret while it is being rotated.
 */
export function verifyWebhookSignature(header: string | string[] | undefined | null, body: string | Uint8Array, secret: string, nowMs: number, toleranceSec = WEBHOOK_DEFAULT_TOLERANCE_SEC): boolean {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value || !secret) return false;
  let t: number | null = null;
  const sigs: string[] = [];
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim();
    const val = part.slice(eq + 1).trim();
    if (key === 't' && /^\d{1,12}$/.test(val)) t = Number(val);
    else if (key === 'v1' && /^[0-9a-f]{64}$/.test(val)) sigs.push(val);
  }
  if (t === null || sigs.length === 0) return false;
  if (Math.abs(nowMs / 1000 - t) > toleranceSec) return false;
  const expected = Buffer.from(hmacHex(secret, t, body), 'utf8');
  let ok = false;
  for (const s of sigs) {
    if (timingSafeEqual(expected, Buffer.from(s, 'utf8'))) ok = true;
  }
  return ok;
}

function hmacHex(secret: string, t: number, body: string | Uint8Array): string {
  const hmac = createHmac('sha256', secret);
  hmac.update(`${t}.`, 'utf8');
  hmac.update(typeof body === 'string' ? Buffer.from(body, 'utf8') : body);
  return hmac.digest('hex');
}

/** Options of {@link WebhookProvider}. */
export interface WebhookProviderOptions extends HttpProviderOptions {
  /** Signing secret shared with the receivers. */
  secret: string;
  /** Clock for the signature timestamp (default: the wall clock). */
  clock?: Clock;
}

/** Sends signed JSON webhooks; providerStatus is 'delivered' (the receiver answered 2xx), no provider id. */
export class WebhookProvider implements Provider {
  /** Always 'webhook'. */
  readonly channel = 'webhook' as const;

  /** Creates the provider. */
  constructor(private readonly opts: WebhookProviderOptions) {}

  /** POSTs the signed document to msg.destination. */
  async send(msg: OutgoingMessage): Promise<SendResult> {
    let url: URL;
    try {
      url = new URL(msg.destination);
    } catch {
      throw new ProviderError(`Webhook: invalid URL ${JSON.stringify(msg.destination)}`, true, 'invalid_url');
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new ProviderError(`Webhook: unsupported URL scheme ${url.protocol}`, true, 'invalid_url');
    }
    const body = JSON.stringify({ ...renderWebhook(msg.message), deliveryId: msg.id });
    const now = this.opts.clock ? this.opts.clock.now() : Date.now();
    const res = await httpRequest(
      'Webhook',
      url.toString(),
      {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'User-Agent': 'Klaxon',
          [WEBHOOK_DELIVERY_HEADER]: msg.id,
          [WEBHOOK_SIGNATURE_HEADER]: signWebhook(body, this.opts.secret, now),
        },
        body,
      },
      this.opts,
    );
    await res.discard();
    if (res.status >= 200 && res.status < 300) return { providerMessageId: null, providerStatus: 'delivered' };
    if (res.status >= 300 && res.status < 400) {
      throw new ProviderError(`Webhook: receiver answered a redirect (HTTP ${res.status}), not followed`, true, `http_${res.status}`);
    }
    throw new ProviderError(`Webhook: receiver answered HTTP ${res.status}`, isPermanentHttpStatus(res.status) || res.status < 200, `http_${res.status}`);
  }
}
