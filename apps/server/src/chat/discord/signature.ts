/**
 * Discord's request signatures: every interaction carries `X-Signature-Ed25519` (hex Ed25519
 * signature of the `X-Signature-Timestamp` value followed by the raw body) made with the
 * application's key; its public key (hex, 32 bytes) is on the application's page. Discord requires
 * a request that fails the check to get 401. A timestamp more than five minutes from now is stale
 * (replay) and refused too.
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto';

/** Maximum age (either direction) of a signature timestamp, in seconds. */
export const DISCORD_MAX_SKEW_SEC = 5 * 60;

// An Ed25519 public key as SubjectPublicKeyInfo DER: this prefix, then the 32 raw bytes.
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** The public key from its hex form, or null when it is not 32 bytes of hex. */
export function discordPublicKey(hex: string): KeyObject | null {
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) return null;
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, Buffer.from(hex, 'hex')]), format: 'der', type: 'spki' });
}

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/** True when the request is signed by the key and its timestamp is within five minutes of `nowMs`. */
export function verifyDiscordRequest(key: KeyObject, headers: Record<string, string | string[] | undefined>, rawBody: string, nowMs: number): boolean {
  const sig = first(headers['x-signature-ed25519']);
  const ts = first(headers['x-signature-timestamp']);
  if (!sig || !ts || !/^[0-9a-fA-F]{128}$/.test(sig) || !/^\d{1,12}$/.test(ts)) return false;
  if (Math.abs(nowMs / 1000 - Number(ts)) > DISCORD_MAX_SKEW_SEC) return false;
  try {
    return verify(null, Buffer.from(ts + rawBody, 'utf8'), key, Buffer.from(sig, 'hex'));
  } catch {
    return false;
  }
}
