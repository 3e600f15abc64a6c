import { randomBytes, randomFillSync, createHash, timingSafeEqual } from 'node:crypto';
import { V7Generator } from 'uuidv7';
import { must } from './must.js';

/**
 * The UUIDv7 generator's random numbers, 4 KiB of the operating system's CSPRNG at a time: the
 * library's default asks Web Crypto for 32 bytes per refill, and in Node each such call costs
 * several microseconds (a DOMException-capable wrapper per call), which showed in ingest profiles.
 */
class PooledRandom {
  private readonly pool = new Uint32Array(1024);
  private cursor = this.pool.length;
  nextUint32(): number {
    if (this.cursor >= this.pool.length) {
      randomFillSync(this.pool);
      this.cursor = 0;
    }
    return must(this.pool[this.cursor++], 'this.pool[this.cursor++]');
  }
}

const ids = new V7Generator(new PooledRandom());

/** A new time-sortable identifier (UUIDv7). */
export function newId(): string {
  return ids.generate().toString();
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
