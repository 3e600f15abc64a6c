/**
 * Encryption at rest of stored credentials (war-room action secrets, integration signing secrets) with the key from
 * KLAXON_SECRET_KEY, or a key generated on first start and kept in the settings table.
 *
 * AES-256-GCM from node:crypto, a fresh 12-byte IV per value, the purpose bound as additional data
 * (a value sealed for one purpose does not open for another). A sealed value reads
 * `enc:v1:<iv>.<tag>.<ciphertext>` (base64url). A value without the `enc:v1:` prefix is a plaintext
 * row written before encryption existed: {@link SecretBox.open} returns it as it is, and start-up
 * seals such rows ({@link isSealed} tells them apart).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const PREFIX = 'enc:v1:';

/** True when `value` was sealed by a SecretBox. */
export function isSealed(value: string): boolean {
  return value.startsWith(PREFIX);
}

/** Seals and opens stored secrets with one 32-byte key. */
export class SecretBox {
  /** A box with this key (32 bytes). */
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('SecretBox: the key must be 32 bytes');
  }

  /** Encrypts `plain` for `purpose` (e.g. "action-secret"). */
  seal(plain: string, purpose: string): string {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.key, iv);
    c.setAAD(Buffer.from(purpose, 'utf8'));
    const ct = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
    return `${PREFIX}${iv.toString('base64url')}.${c.getAuthTag().toString('base64url')}.${ct.toString('base64url')}`;
  }

  /** Decrypts a sealed value; a plaintext (legacy) value comes back unchanged. Throws when the key or purpose does not match. */
  open(stored: string, purpose: string): string {
    if (!isSealed(stored)) return stored;
    const [iv, tag, ct] = stored.slice(PREFIX.length).split('.');
    if (iv === undefined || tag === undefined || ct === undefined) throw new Error('SecretBox: malformed sealed value');
    const d = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    d.setAAD(Buffer.from(purpose, 'utf8'));
    d.setAuthTag(Buffer.from(tag, 'base64url'));
    try {
      return Buffer.concat([d.update(Buffer.from(ct, 'base64url')), d.final()]).toString('utf8');
    } catch {
      throw new Error('SecretBox: cannot decrypt a stored secret (was KLAXON_SECRET_KEY changed?)');
    }
  }
}
