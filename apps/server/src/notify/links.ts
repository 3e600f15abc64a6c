import { createHmac } from 'node:crypto';
import { safeEqual } from '../lib/ids.js';

/** What a signed link lets its holder do. */
export interface LinkClaims {
  incidentId: string;
  userId: string;
  action: 'ack' | 'resolve';
  /** The channel the link was sent on (email, push, webhook...), recorded on the timeline when used. */
  channel?: string;
  /** A bundled page's outbox id: the link acknowledges every incident of that bundle (docs/paging.md). */
  bundleId?: string;
  /** Expiry, epoch ms. */
  expiresAt: number;
}

const LINK_TTL_MS = 24 * 3600_000;

function mac(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(payload).digest('base64url');
}

/** A token for an acknowledge/resolve link: base64url(JSON claims) + "." + HMAC-SHA256. */
export function signLink(secret: string, claims: Omit<LinkClaims, 'expiresAt'>, now: number): string {
  const payload = Buffer.from(
    JSON.stringify({ i: claims.incidentId, u: claims.userId, a: claims.action, c: claims.channel, ...(claims.bundleId && { b: claims.bundleId }), e: now + LINK_TTL_MS }),
  ).toString('base64url');
  return `${payload}.${mac(secret, payload)}`;
}

/** The claims of a link token, or an error word: 'invalid' (forged or malformed) or 'expired'. */
export function verifyLink(secret: string, token: string, now: number): LinkClaims | 'invalid' | 'expired' {
  const [payload, sig, extra] = token.split('.');
  if (!payload || !sig || extra !== undefined || !safeEqual(sig, mac(secret, payload))) return 'invalid';
  try {
    const c = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { i?: unknown; u?: unknown; a?: unknown; c?: unknown; b?: unknown; e?: unknown };
    if (typeof c.i !== 'string' || typeof c.u !== 'string' || (c.a !== 'ack' && c.a !== 'resolve') || typeof c.e !== 'number') return 'invalid';
    if (c.b !== undefined && typeof c.b !== 'string') return 'invalid';
    if (c.e < now) return 'expired';
    return { incidentId: c.i, userId: c.u, action: c.a, expiresAt: c.e, ...(typeof c.c === 'string' && { channel: c.c }), ...(typeof c.b === 'string' && { bundleId: c.b }) };
  } catch {
    return 'invalid';
  }
}
