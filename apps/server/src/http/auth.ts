import type { FastifyRequest } from 'fastify';
import type { Actor } from '../auth/actor.js';
import { authenticateToken } from '../auth/tokens.js';
import type { Ctx } from '../context.js';
import { AppError } from '../lib/errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    actorCache?: Actor | null;
  }
}

/** The actor making a request (Bearer API token), or a 401. */
export async function actorOf(ctx: Ctx, req: FastifyRequest): Promise<Actor> {
  if (req.actorCache === undefined) {
    const h = req.headers.authorization;
    const m = typeof h === 'string' ? /^Bearer\s+(\S+)$/i.exec(h) : null;
    req.actorCache = m ? await authenticateToken(ctx, m[1]!) : null;
  }
  if (!req.actorCache) throw new AppError('unauthenticated', 'Sign in or send an API token: Authorization: Bearer <token>');
  return req.actorCache;
}
