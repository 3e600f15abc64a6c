import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { checkVonageWebhook } from './signature.js';

const NOW = Date.parse('2026-03-02T09:00:00Z');

/** A token as Vonage's documentation describes it: HS256 with the signature secret, payload_hash of the body. */
async function token(secret: string, body: string, iatMs: number, hash = createHash('sha256').update(body, 'utf8').digest('hex')): Promise<string> {
  const jwt = await new SignJWT({ payload_hash: hash, api_key: 'k', application_id: 'app' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt(Math.floor(iatMs / 1000))
    .setJti('j')
    .setIssuer('Vonage')
    .sign(new TextEncoder().encode(secret));
  return `Bearer ${jwt}`;
}

describe('checkVonageWebhook', () => {
  it('accepts a genuine webhook signed within 5 minutes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 8 }), fc.string(), fc.integer({ min: -290, max: 290 }), async (secret, body, ageSec) => {
        expect(await checkVonageWebhook(secret, await token(secret, body, NOW - ageSec * 1000), body, NOW)).toBeNull();
      }),
      { numRuns: 50 },
    );
  });

  it('refuses another secret, another body, a stale or future iat, and a missing or mangled header', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 8 }), fc.string({ minLength: 8 }), fc.string(), fc.string(), fc.integer({ min: 301, max: 100_000 }), async (secret, other, body, otherBody, ageSec) => {
        fc.pre(secret !== other && body !== otherBody);
        expect(await checkVonageWebhook(secret, await token(other, body, NOW), body, NOW)).not.toBeNull();
        expect(await checkVonageWebhook(secret, await token(secret, otherBody, NOW), body, NOW)).toMatch(/payload_hash/);
        expect(await checkVonageWebhook(secret, await token(secret, body, NOW - ageSec * 1000), body, NOW)).toMatch(/stale/);
        expect(await checkVonageWebhook(secret, await token(secret, body, NOW + ageSec * 1000), body, NOW)).not.toBeNull();
        expect(await checkVonageWebhook(secret, undefined, body, NOW)).not.toBeNull();
        const t = await token(secret, body, NOW);
        // Change the signature's first character (a whole 6 bits): the last ones may carry padding bits that decode the same.
        const sigAt = t.lastIndexOf('.') + 1;
        const mangled = `${t.slice(0, sigAt)}${t[sigAt] === 'A' ? 'B' : 'A'}${t.slice(sigAt + 1)}`;
        expect(await checkVonageWebhook(secret, mangled, body, NOW)).not.toBeNull();
        expect(await checkVonageWebhook('', t, body, NOW)).not.toBeNull();
      }),
      { numRuns: 30 },
    );
  });

  it('refuses an unsigned token (alg none)', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const payload = Buffer.from(JSON.stringify({ iat: Math.floor(NOW / 1000), payload_hash: createHash('sha256').update('{}').digest('hex') })).toString('base64url');
    expect(await checkVonageWebhook('secret-secret', `Bearer ${header}.${payload}.`, '{}', NOW)).not.toBeNull();
  });
});
