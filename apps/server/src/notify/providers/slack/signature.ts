/**
 * Slack request signatures (v0), per Slack's "Verifying requests from Slack": the base string is
 * `v0:<X-Slack-Request-Timestamp>:<raw body>`, the signature `v0=` + hex HMAC-SHA256 of it keyed with the
 * app's signing secret. Requests whose timestamp is more than five minutes from now are rejected
 * (replay protection). Used to check inbound Events API / interactivity requests and, by the test
 * fake, to sign them.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Maximum age (either direction) of a Slack request timestamp, in seconds. */
export const SLACK_MAX_SKEW_SEC = 5 * 60;

/** The headers {@link verifySlackRequest} reads; any header map with lower-case names fits (e.g. IncomingHttpHeaders). */
export interface SlackSignatureHeaders {
  'x-slack-signature'?: string | string[] | undefined;
  'x-slack-request-timestamp'?: string | string[] | undefined;
  [name: string]: string | string[] | undefined;
}

/** Computes the X-Slack-Signature value (`v0=<hex>`) of `rawBody` sent at `timestampSec`. */
export function computeSlackSignature(signingSecret: string, timestampSec: number | string, rawBody: string | Uint8Array): string {
  const hmac = createHmac('sha256', signingSecret);
  hmac.update(`v0:${timestampSec}:`, 'utf8');
  hmac.update(typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody);
  return `v0=${hmac.digest('hex')}`;
}

/**
 * True when the request carries a valid v0 signature of `rawBody` (the exact bytes received) and its
 * timestamp is within five minutes of `nowMs`. Constant-time compare.
 */
export function verifySlackRequest(signingSecret: string, headers: SlackSignatureHeaders, rawBody: string | Uint8Array, nowMs: number): boolean {
  const signature = first(headers['x-slack-signature']);
  const tsHeader = first(headers['x-slack-request-timestamp']);
  if (!signingSecret || !signature || !tsHeader || !/^\d{1,12}$/.test(tsHeader)) return false;
  const ts = Number(tsHeader);
  if (Math.abs(nowMs / 1000 - ts) > SLACK_MAX_SKEW_SEC) return false;
  const expected = Buffer.from(computeSlackSignature(signingSecret, tsHeader, rawBody), 'utf8');
  const given = Buffer.from(signature, 'utf8');
  return expected.length === given.length && timingSafeEqual(expected, given);
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
