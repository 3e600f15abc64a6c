import type { FastifyRequest } from 'fastify';
import type { Actor } from '../auth/actor.js';
import { authenticateSession, csrfMatches, CSRF_HEADER, SESSION_COOKIE, type Session } from '../auth/sessions.js';
import { authenticateTokenOrWhy } from '../auth/tokens.js';
import type { Ctx } from '../context.js';
import { AppError } from '../lib/errors.js';
import { must } from '../lib/must.js';

declare module 'fastify' {
  interface FastifyRequest {
    actorCache?: Actor | null;
    /** The browser session this request came with, when it authenticated by cookie. */
    session?: Session;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The actor making a request: a Bearer API token, else the session cookie, else a 401. A
 * cookie-authenticated unsafe request (POST, PUT, PATCH, DELETE) must carry X-CSRF-Token equal to
 * the session's token, else a 403; Bearer requests need none (a browser never adds that header).
 */
export async function actorOf(ctx: Ctx, req: FastifyRequest): Promise<Actor> {
  if (req.actorCache === undefined) {
    const h = req.headers.authorization;
    const m = typeof h === 'string' ? /^Bearer\s+(\S+)$/i.exec(h) : null;
    if (m) {
      const a = await authenticateTokenOrWhy(ctx, must(m[1], 'm[1]'));
      if (a === 'expired') throw new AppError('unauthenticated', 'This API token has expired: create a new one');
      if (a === 'deactivated') throw new AppError('unauthenticated', "This API token's person is deactivated");
      req.actorCache = typeof a === 'string' ? null : a;
    } else {
      const cookie = req.cookies?.[SESSION_COOKIE];
      const session = cookie ? await authenticateSession(ctx, cookie) : null;
      if (session) req.session = session;
      req.actorCache = session?.actor ?? null;
    }
  }
  if (!req.actorCache) throw new AppError('unauthenticated', 'Sign in or send an API token: Authorization: Bearer <token>');
  // Where the request came from, for the audit trail.
  if (!req.actorCache.origin) req.actorCache.origin = { via: viaOf(req), address: req.ip };
  if (req.actorCache.type === 'user' && req.actorCache.token?.readOnly && !SAFE_METHODS.has(req.method)) {
    throw new AppError('forbidden', 'This API token is read-only: it may not change anything');
  }
  if (req.session && !SAFE_METHODS.has(req.method) && !csrfMatches(req.session, req.headers[CSRF_HEADER])) {
    throw new AppError('forbidden', 'missing or wrong CSRF token');
  }
  return req.actorCache;
}

/** The channel a request came through, for the timeline: the web app (cookie), the CLI, or the API. */
export function viaOf(req: FastifyRequest): 'web' | 'cli' | 'api' {
  if (req.session) return 'web';
  return req.headers['x-klaxon-client'] === 'cli' ? 'cli' : 'api';
}
