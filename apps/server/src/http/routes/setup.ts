import * as C from '@klaxon/contract';
import { getChannels, getChecklist } from '../../setup/checklist.js';
import { sendersVcard } from '../../setup/vcard.js';
import type { App } from '../deps.js';
import { actorOf } from '../auth.js';
import type { HttpDeps } from '../deps.js';

/** Which channels can page, and the setup checklist (what still pages nobody). No secrets in either. */
export async function setupRoutes(app: App, { ctx, channels = [], senderNumbers = [] }: HttpDeps): Promise<void> {
  const tags = ['setup'];
  app.get(
    '/channels',
    { schema: { tags, summary: 'The paging channels and whether this server is configured to send on each (names of the settings only)', response: { 200: C.ChannelsAnswer } } },
    async (req) => ({
      channels: getChannels(await actorOf(ctx, req), channels),
    }),
  );
  app.get(
    '/channels/vcard',
    {
      schema: {
        tags,
        summary: 'A contact card (vCard) of every number Klaxon sends SMS and calls from, to let them through Do Not Disturb',
        response: { 200: C.SendersVcardText },
      },
    },
    async (req, reply) =>
      reply
        .header('content-type', 'text/vcard; charset=utf-8')
        .header('content-disposition', 'attachment; filename="klaxon.vcf"')
        .send(sendersVcard(await actorOf(ctx, req), senderNumbers, ctx.publicUrl)),
  );
  app.get(
    '/setup/checklist',
    {
      schema: {
        tags,
        summary: 'What a new setup still lacks before it pages anybody: channels, reachable people, someone on call now, a policy, a service that pages someone',
        response: { 200: C.Checklist },
      },
    },
    async (req) => getChecklist(ctx, await actorOf(ctx, req), channels),
  );
}
