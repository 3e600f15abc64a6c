import { LiveQuery, SwitchingProtocols } from '@klaxon/contract';
import type { FastifyRequest } from 'fastify';
import type { Actor } from '../../auth/actor.js';
import { SESSION_COOKIE } from '../../auth/sessions.js';
import { authenticateToken } from '../../auth/tokens.js';
import type { Ctx } from '../../context.js';
import { AppError } from '../../lib/errors.js';
import type { App } from '../deps.js';
import { actorOf } from '../auth.js';
import type { HttpDeps } from '../deps.js';
import type { LiveHub } from './hub.js';
import { must } from '../../lib/must.js';

/** The origins a browser page of this Klaxon may have: the public URL's and the Host the request came to. */
function sameOrigin(ctx: Ctx, req: FastifyRequest, origin: string): boolean {
  let o: URL;
  try {
    o = new URL(origin);
  } catch {
    return false;
  }
  if (o.origin === new URL(ctx.publicUrl).origin) return true;
  return typeof req.headers.host === 'string' && o.host === req.headers.host;
}

/**
 * Who opens a live socket: `?token=<API token>`, a Bearer header, or the session cookie. With the
 * cookie, the Origin header (sent by every browser on a WebSocket handshake) must be Klaxon's own, so
 * another site cannot open a socket with the user's cookie (cross-site WebSocket hijacking).
 */
async function liveActor(ctx: Ctx, req: FastifyRequest<{ Querystring: { token?: string } }>): Promise<Actor> {
  const token = req.query.token;
  if (typeof token === 'string' && token) {
    const actor = await authenticateToken(ctx, token);
    if (!actor) throw new AppError('unauthenticated', 'Unknown or revoked API token');
    return actor;
  }
  const byCookie = !req.headers.authorization && Boolean(req.cookies?.[SESSION_COOKIE]);
  const actor = await actorOf(ctx, req);
  const origin = req.headers.origin;
  if (byCookie && typeof origin === 'string' && !sameOrigin(ctx, req, origin)) throw new AppError('forbidden', `WebSocket from another origin (${origin}) refused`);
  return actor;
}

/** GET /api/v1/live: the WebSocket of live events. Register under the /api/v1 prefix. */
export async function liveRoutes(app: App, { ctx }: HttpDeps, hub: LiveHub): Promise<void> {
  app.get(
    '/live',
    {
      websocket: true,
      schema: { tags: ['live'], querystring: LiveQuery, response: { 101: SwitchingProtocols } },
      preHandler: async (req) => {
        req.actorCache = await liveActor(ctx, req as FastifyRequest<{ Querystring: { token?: string } }>);
      },
    },
    (socket, req) => {
      hub.add(socket, must(req.actorCache, 'req.actorCache'));
    },
  );
}
