/**
 * Web Push provider (RFC 8030 delivery, RFC 8291 aes128gcm encryption, RFC 8292 VAPID). The
 * destination is the browser's PushSubscription JSON `{endpoint, keys:{p256dh, auth}}`; the request
 * goes to the subscription's own endpoint (FCM, Mozilla autopush, Apple, or a local fake), so there
 * is no base URL to configure. The `web-push` package builds the request (encryption and the VAPID
 * JWT); it is sent with fetch, so timeouts and error classes match the other HTTP providers.
 *
 * The push service's answer decides what happens next: 2xx accepted; 404/410 the subscription is
 * gone (the browser unsubscribed or the app was removed), a permanent failure that also calls
 * `onGone` so the contact method is disabled; 408/429/5xx and network errors are temporary; other
 * 4xx (bad VAPID key, payload too large) are permanent.
 */
import webpush from 'web-push';
import type { Clock } from '../../../lib/clock.js';
import { ProviderError, type OutgoingMessage, type Provider, type SendResult } from '../../types.js';
import { httpRequest, isPermanentHttpStatus, type HttpProviderOptions } from '../http.js';
import { renderPush } from './render.js';

/** The renderer and payload layout, re-exported. */
export { renderPush, PAGE_ACTIONS, PUSH_MAX_PAYLOAD_BYTES, type PushPayload, type PushAction } from './render.js';

/** A VAPID identity: the application server's P-256 key pair (base64url) and a contact (mailto: or https: URL). */
export interface VapidKeys {
  publicKey: string;
  privateKey: string;
  subject: string;
}

/** A browser's PushSubscription, as JSON.stringify(subscription) gives it. */
export interface PushSubscriptionJson {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

/** Generates a new VAPID key pair (base64url, uncompressed P-256 public key and raw private key). */
export function generateVapidKeys(): { publicKey: string; privateKey: string } {
  return webpush.generateVAPIDKeys();
}

/** Parses a push contact address into a subscription, or null when it is not one. */
export function parseSubscription(address: string): PushSubscriptionJson | null {
  try {
    const s = JSON.parse(address) as { endpoint?: unknown; keys?: { p256dh?: unknown; auth?: unknown } };
    if (typeof s.endpoint !== 'string' || typeof s.keys?.p256dh !== 'string' || typeof s.keys.auth !== 'string') return null;
    const u = new URL(s.endpoint);
    if (u.protocol !== 'https:' && u.protocol !== 'http:') return null;
    return { endpoint: s.endpoint, keys: { p256dh: s.keys.p256dh, auth: s.keys.auth } };
  } catch {
    return null;
  }
}

/** Options of {@link PushProvider}. */
export interface PushProviderOptions extends HttpProviderOptions {
  vapid: VapidKeys;
  /** Klaxon's public URL, read at send time (links of messages that carry none). */
  publicUrl: () => string;
  clock?: Clock;
  /** Called with the destination when the push service says the subscription is gone (404/410). */
  onGone?: (destination: string) => Promise<void>;
  /** How long the push service keeps an undelivered page, seconds (default 4 h); other messages 15 min. */
  pageTtlSeconds?: number;
}

/** Sends Web Push notifications; providerMessageId is the push service's message URL (Location), providerStatus 'accepted'. */
export class PushProvider implements Provider {
  /** Always 'push'. */
  readonly channel = 'push' as const;

  /** Creates the provider; nothing is sent until {@link send}. */
  constructor(private readonly opts: PushProviderOptions) {}

  /** Encrypts and posts one message to the subscription's endpoint. */
  async send(msg: OutgoingMessage): Promise<SendResult> {
    const sub = parseSubscription(msg.destination);
    if (!sub) throw new ProviderError('Web Push: the destination is not a push subscription {endpoint, keys:{p256dh, auth}}', true, 'invalid_subscription');
    const now = this.opts.clock ? this.opts.clock.now() : Date.now();
    const payload = JSON.stringify(renderPush(msg.message, this.opts.publicUrl(), now));
    const page = msg.message.kind === 'page';
    let details: ReturnType<typeof webpush.generateRequestDetails>;
    try {
      details = webpush.generateRequestDetails(sub, payload, {
        vapidDetails: this.opts.vapid,
        TTL: page ? (this.opts.pageTtlSeconds ?? 4 * 3600) : 15 * 60,
        urgency: page || msg.message.kind === 'verification' ? 'high' : 'normal',
        // A newer page about the same incident replaces one the device has not fetched yet.
        ...(msg.message.kind === 'page' && { topic: msg.message.incidentId.replace(/[^A-Za-z0-9]/g, '').slice(0, 32) }),
      });
    } catch (e) {
      // Bad subscription keys (wrong length, not base64url) or a bad VAPID configuration.
      throw new ProviderError(`Web Push: ${e instanceof Error ? e.message : String(e)}`, true, 'invalid_request');
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(details.headers)) if (k.toLowerCase() !== 'content-length' && v !== undefined) headers[k] = String(v);
    const res = await httpRequest('Web Push', details.endpoint, { method: 'POST', headers, body: details.body ? new Uint8Array(details.body) : undefined }, this.opts);
    const text = await res.text().catch(() => '');
    if (res.status >= 200 && res.status < 300) {
      return { providerMessageId: res.header('location'), providerStatus: 'accepted' };
    }
    const reason = `Web Push: push service answered HTTP ${res.status}${text ? ` (${text.slice(0, 200)})` : ''}`;
    if (res.status === 404 || res.status === 410) {
      await this.opts.onGone?.(msg.destination).catch(() => undefined);
      throw new ProviderError(`${reason}: the subscription has expired or was removed; the contact method is disabled`, true, 'gone');
    }
    throw new ProviderError(reason, isPermanentHttpStatus(res.status) || res.status < 200 || (res.status >= 300 && res.status < 400), `http_${res.status}`);
  }
}
