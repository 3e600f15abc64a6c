/**
 * Google Chat's bearer tokens. Every request Google Chat makes to a Chat app's HTTP endpoint carries
 * `Authorization: Bearer <JWT>`; with the authentication audience "Project Number", the token is
 * signed by Google (RS256) with a key published at
 * https://www.googleapis.com/service_accounts/v1/jwk/chat@system.gserviceaccount.com, its issuer is
 * `chat@system.gserviceaccount.com` and its audience the app's Cloud project number. A token that
 * fails any check (signature, issuer, audience, expiry at the injected clock's time) is refused.
 * Checked with `jose`; the key set is fetched from the configured URL and cached by jose.
 */
import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';

/** The issuer of Google Chat's bearer tokens. */
export const GOOGLECHAT_ISSUER = 'chat@system.gserviceaccount.com';

/** Verifies bearer tokens of one Chat app. */
export class GoogleChatTokens {
  private readonly keys: JWTVerifyGetKey;

  constructor(
    private readonly audience: string,
    keys: string | JWTVerifyGetKey,
  ) {
    this.keys = typeof keys === 'string' ? createRemoteJWKSet(new URL(keys), { timeoutDuration: 10_000 }) : keys;
  }

  /** True when the Authorization header holds a valid token for this app at `nowMs`. Never throws. */
  async verify(authorization: string | string[] | undefined, nowMs: number): Promise<boolean> {
    const h = Array.isArray(authorization) ? authorization[0] : authorization;
    const token = h ? /^Bearer\s+([A-Za-z0-9_.-]{20,8192})$/i.exec(h.trim())?.[1] : undefined;
    if (!token) return false;
    try {
      await jwtVerify(token, this.keys, { issuer: GOOGLECHAT_ISSUER, audience: this.audience, algorithms: ['RS256'], currentDate: new Date(nowMs), requiredClaims: ['exp', 'iat'] });
      return true;
    } catch {
      return false;
    }
  }
}
