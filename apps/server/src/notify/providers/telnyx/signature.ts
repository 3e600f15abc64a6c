/**
 * Telnyx webhook signatures, per Telnyx's documentation: every webhook (API v2) carries
 * `telnyx-signature-ed25519` (base64 Ed25519 signature) and `telnyx-timestamp` (Unix seconds); the
 * signed bytes are `<timestamp>|<raw body>`, checked with the account's public key (base64, from the
 * portal). Klaxon refuses a timestamp more than 5 minutes from its clock.
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto';

export const TELNYX_MAX_AGE_MS = 5 * 60_000;

const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** The public key from its base64 form (32 raw bytes, or an SPKI DER); throws when it is not one. */
export function telnyxPublicKey(base64: string): KeyObject {
  const raw = Buffer.from(base64.trim(), 'base64');
  const der = raw.length === 32 ? Buffer.concat([SPKI_ED25519_PREFIX, raw]) : raw;
  const key = createPublicKey({ key: der, format: 'der', type: 'spki' });
  if (key.asymmetricKeyType !== 'ed25519') throw new Error('not an Ed25519 public key');
  return key;
}

/** Why a Telnyx webhook was refused, or null when it is genuine. */
export function checkTelnyxWebhook(key: KeyObject | null, signature: string | string[] | undefined, timestamp: string | string[] | undefined, rawBody: string, nowMs: number): string | null {
  if (!key) return 'no Telnyx public key is configured';
  const sig = Array.isArray(signature) ? signature[0] : signature;
  const ts = Array.isArray(timestamp) ? timestamp[0] : timestamp;
  if (!sig || !ts) return 'missing telnyx-signature-ed25519 or telnyx-timestamp';
  if (!/^\d{1,12}$/.test(ts)) return 'telnyx-timestamp must be Unix seconds';
  if (Math.abs(nowMs - Number(ts) * 1000) > TELNYX_MAX_AGE_MS) return 'stale: telnyx-timestamp is more than 5 minutes from now';
  const bytes = Buffer.from(sig, 'base64');
  if (bytes.length !== 64) return 'telnyx-signature-ed25519 is not an Ed25519 signature';
  try {
    return verify(null, Buffer.from(`${ts}|${rawBody}`, 'utf8'), key, bytes) ? null : 'the signature does not match';
  } catch {
    return 'the signature does not match';
  }
}
