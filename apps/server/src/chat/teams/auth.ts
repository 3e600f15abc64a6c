/**
 * Bot Connector authentication (Microsoft's "Authentication with the Bot Connector API"): every
 * activity the Bot Connector sends a bot carries `Authorization: Bearer <JWT>`. The bot fetches the
 * OpenID metadata (default https://login.botframework.com/v1/.well-known/openidconfiguration), whose
 * `jwks_uri` lists the signing keys, and accepts the token only when its signature verifies with one
 * of them (RS256), its issuer is https://api.botframework.com, its audience is the bot's app id, it
 * has not expired (5 minutes of clock skew, by the injected clock), and its `serviceurl` claim equals
 * the activity's serviceUrl (so a stolen token cannot point the bot's replies elsewhere); only a
 * service URL the claim names is kept for the bot's later proactive messages (check). Keys come
 * through `jose` (createRemoteJWKSet, which refetches on an unknown key id).
 */
import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';

export const BOT_FRAMEWORK_ISSUER = 'https://api.botframework.com';
const SKEW_SEC = 5 * 60;

/** Verifies Bot Connector tokens for one bot. */
export class BotConnectorAuth {
  private keys: Promise<JWTVerifyGetKey> | null = null;

  constructor(private readonly o: { appId: string; openIdMetadataUrl: string }) {}

  private jwks(): Promise<JWTVerifyGetKey> {
    this.keys ??= (async () => {
      const res = await fetch(this.o.openIdMetadataUrl);
      if (!res.ok) throw new Error(`OpenID metadata: HTTP ${res.status}`);
      const meta = (await res.json()) as { jwks_uri?: unknown };
      if (typeof meta.jwks_uri !== 'string') throw new Error('OpenID metadata: no jwks_uri');
      return createRemoteJWKSet(new URL(meta.jwks_uri));
    })();
    return this.keys.catch((e: unknown) => {
      this.keys = null;
      throw e;
    });
  }

  /** True when `authorization` is a valid Bot Connector token for this bot and `serviceUrl`; never throws for bad input. */
  async verify(authorization: string | undefined, serviceUrl: string, nowMs: number): Promise<boolean> {
    return (await this.check(authorization, serviceUrl, nowMs)) !== null;
  }

  /**
   * Like verify; for a valid token, whether its `serviceurl` claim vouches for `serviceUrl` (only
   * then may the bot keep that URL to message people and channels later), else null.
   */
  async check(authorization: string | undefined, serviceUrl: string, nowMs: number): Promise<{ signedServiceUrl: boolean } | null> {
    const m = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/.exec(authorization ?? '');
    if (!m?.[1]) return null;
    let keys: JWTVerifyGetKey;
    try {
      keys = await this.jwks();
    } catch {
      return null;
    }
    try {
      const { payload } = await jwtVerify(m[1], keys, {
        issuer: BOT_FRAMEWORK_ISSUER,
        audience: this.o.appId,
        algorithms: ['RS256'],
        clockTolerance: SKEW_SEC,
        currentDate: new Date(nowMs),
        requiredClaims: ['exp'],
      });
      const claimed = payload.serviceurl ?? payload.serviceUrl;
      if (claimed === undefined) return { signedServiceUrl: false };
      return claimed === serviceUrl ? { signedServiceUrl: serviceUrl !== '' } : null;
    } catch {
      return null;
    }
  }
}
