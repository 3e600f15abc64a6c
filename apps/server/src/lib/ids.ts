import { randomBytes, createHash, timingSafeEqual } from 'node:crypto';
import { uuidv7 } from 'uuidv7';

/** A new time-sortable identifier (UUIDv7). */
export function newId(): string {
  return uuidv7();
}

/** A random secret of `bytes` bytes, URL-safe base64 encoded, with an optional readable prefix. */
export function newSecret(prefix = '', bytes = 24): string {
  return prefix + randomBytes(bytes).toString('base64url');
}

/** SHA-256 hex digest; used for high-entropy secrets (API tokens, integration keys) looked up by hash. */
export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** Constant-time string comparison. */
export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}
