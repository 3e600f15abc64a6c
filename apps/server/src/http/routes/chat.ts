import * as C from '@klaxon/contract';
import { IdParams } from '@klaxon/contract';
import { bridgeChat, handleChatInbound, listChatBridges } from '../../chat/service.js';
import { getServiceChatChannels, getTeamChatChannels, setServiceChatChannels, setTeamChatChannels, testServiceChatChannel, testTeamChatChannel } from '../../chat/announce.js';
import type { App, HttpDeps } from '../deps.js';
import { actorOf, viaOf } from '../auth.js';

/**
 * Every chat platform's inbound requests (chat/platform.ts): `POST /integrations/v1/<platform>/<path>`
 * for each endpoint it declares. The body is kept raw (signatures cover its exact bytes) and handed
 * to the platform, which verifies and parses it; chat/service.ts runs the result. Its own scope: it
 * replaces the JSON and form parsers.
 */
export async function chatInboundRoutes(app: App, deps: HttpDeps): Promise<void> {
  const { ctx } = deps;
  const platforms = deps.chatPlatforms ?? new Map();
  if (!platforms.size) return;
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: 1024 * 1024 }, (req, body, done) => {
    req.rawBody = body as string;
    done(null, body);
  });
  for (const p of platforms.values()) {
    for (const e of p.endpoints) {
      app.post(`/integrations/v1/${p.name}/${e.path}`, { schema: { hide: true } }, async (req, reply) => {
        const parsed = await p.inbound(e.path, {
          headers: req.headers as Record<string, string | string[] | undefined>,
          rawBody: req.rawBody ?? '',
          contentType: String(req.headers['content-type'] ?? ''),
          now: ctx.clock.now(),
        });
        const handled = await handleChatInbound(ctx, p, parsed);
        const r = p.deliver ? await p.deliver(parsed, handled) : handled;
        return reply.status(r.status).send(r.body);
      });
    }
  }
}

/** War-room bridges to chat platforms besides Slack (which has /incidents/{id}/slack). */
export async function chatApiRoutes(app: App, deps: HttpDeps): Promise<void> {
  const { ctx } = deps;
  const platforms = deps.chatPlatforms ?? new Map();
  const tags = ['war room'];
  app.post('/incidents/:id/chat-bridges', { schema: { tags, params: IdParams, body: C.ChatBridgeInput, response: { 200: C.ChatBridgeAnswer } } }, async (req) => ({
    bridge: await bridgeChat(ctx, await actorOf(ctx, req), platforms, req.params.id, req.body, viaOf(req)),
  }));
  app.get('/incidents/:id/chat-bridges', { schema: { tags, params: IdParams, response: { 200: C.ChatBridgesAnswer } } }, async (req) => ({
    bridges: await listChatBridges(ctx, await actorOf(ctx, req), req.params.id),
  }));

  // Chat channels where a service's (or its team's) incidents are announced (chat/announce.ts).
  app.get('/services/:id/chat-channels', { schema: { tags: ['services'], params: IdParams, response: { 200: C.ChatChannelsAnswer } } }, async (req) =>
    getServiceChatChannels(ctx, await actorOf(ctx, req), req.params.id, platforms),
  );
  app.put('/services/:id/chat-channels', { schema: { tags: ['services'], params: IdParams, body: C.ChatChannelsInput, response: { 200: C.ChatChannelsAnswer } } }, async (req) =>
    setServiceChatChannels(ctx, await actorOf(ctx, req), req.params.id, req.body, platforms, viaOf(req)),
  );
  app.post('/services/:id/chat-channels/test', { schema: { tags: ['services'], params: IdParams, body: C.ChatChannelTestInput, response: { 202: C.ChatChannelTestAnswer } } }, async (req, reply) =>
    reply.status(202).send(await testServiceChatChannel(ctx, await actorOf(ctx, req), req.params.id, req.body, platforms)),
  );
  app.get('/teams/:id/chat-channels', { schema: { tags: ['teams'], params: IdParams, response: { 200: C.ChatChannelsAnswer } } }, async (req) =>
    getTeamChatChannels(ctx, await actorOf(ctx, req), req.params.id, platforms),
  );
  app.put('/teams/:id/chat-channels', { schema: { tags: ['teams'], params: IdParams, body: C.ChatChannelsInput, response: { 200: C.ChatChannelsAnswer } } }, async (req) =>
    setTeamChatChannels(ctx, await actorOf(ctx, req), req.params.id, req.body, platforms, viaOf(req)),
  );
  app.post('/teams/:id/chat-channels/test', { schema: { tags: ['teams'], params: IdParams, body: C.ChatChannelTestInput, response: { 202: C.ChatChannelTestAnswer } } }, async (req, reply) =>
    reply.status(202).send(await testTeamChatChannel(ctx, await actorOf(ctx, req), req.params.id, req.body, platforms)),
  );
}
