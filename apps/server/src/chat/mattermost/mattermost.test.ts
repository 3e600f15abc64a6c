import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeMattermost } from '../../../test/fakes/mattermost/server.js';
import { outgoing, samplePage, sampleVerification } from '../../../test/fakes/messages.js';
import { EgressPolicy, parseEgressAllow } from '../../lib/egress.js';
import { ProviderError, type Message } from '../../notify/types.js';
import { checkMattermostActionSecret, MattermostClient, mattermostActionSecret } from './client.js';
import { mattermostPlatform } from './platform.js';
import { escapeMattermost, renderMattermost } from './render.js';
import { must } from '../../lib/must.js';

const KEY = 'action-key';
const signer = { url: 'https://klaxon.example.com/integrations/v1/mattermost/actions', secret: (a: string, id: string) => mattermostActionSecret(KEY, a, id) };
const mm = new FakeMattermost();
let client: MattermostClient;
let baseUrl = '';
const egress = new EgressPolicy(parseEgressAllow('127.0.0.1/32'));

beforeAll(async () => {
  const { url } = await mm.start();
  baseUrl = url;
  client = new MattermostClient({ baseUrl: url, token: mm.token, teamId: mm.teamId, actionKey: KEY, publicUrl: () => 'https://klaxon.example.com', egress });
});
afterAll(() => mm.close());

const req = (rawBody: string, contentType = 'application/json') => ({ headers: {}, rawBody, contentType, now: 0 });

describe('Mattermost renderer', () => {
  it('renders a page as an attachment with Acknowledge / Resolve integration actions carrying their secrets', () => {
    const page = samplePage();
    const post = renderMattermost(page, signer);
    const actions = (post.props.attachments as { actions: { id: string; integration: { url: string; context: Record<string, string> } }[] }[])[0]?.actions ?? [];
    expect(actions.map((a) => a.id)).toEqual(['klaxonack', 'klaxonresolve']);
    for (const a of actions) {
      expect(a.integration.url).toBe(signer.url);
      expect(checkMattermostActionSecret(KEY, must(a.integration.context.action, 'action'), page.incidentId, must(a.integration.context.secret, 'secret'))).toBe(true);
    }
    expect(renderMattermost({ ...page, status: 'resolved' }, signer).props.attachments).toMatchObject([{ actions: [] }]);
  });

  it('property: every message kind renders; texts cannot @-mention a channel or break out of Markdown', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const messages: Message[] = [{ kind: 'reply', text }, { ...samplePage(), title: text, details: text }, { ...sampleVerification }];
        for (const m of messages) {
          const post = renderMattermost(m, signer);
          expect(post.props.disable_group_highlight).toBe(true);
          expect(post.message.length).toBeLessThanOrEqual(16_383);
        }
        expect(escapeMattermost(text)).not.toMatch(/@(channel|all|here)/);
        expect(escapeMattermost(text)).not.toMatch(/(^|[^\\])[*_`[]/);
      }),
    );
  });
});

describe('Mattermost client', () => {
  it('sends a direct message to a user id and a post to #channel; maps errors', async () => {
    const ada = mm.addUser('ada');
    const r = await client.send(outgoing('mattermost', ada.id, sampleVerification));
    const post = await mm.waitForPost((p) => p.id === r.providerMessageId);
    expect(mm.channels.get(post.channel_id)?.type).toBe('D');
    const ch = mm.addChannel('oncall');
    await client.send(outgoing('mattermost', `#${ch.id}`, samplePage()));
    await mm.waitForPost((p) => p.channel_id === ch.id);
    const unknown = await client.send(outgoing('mattermost', '#nosuchchannel0000000000000', sampleVerification)).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(ProviderError);
    expect((unknown as ProviderError).permanent).toBe(true);
    const badAuth = new MattermostClient({ baseUrl, token: 'nope', actionKey: KEY, publicUrl: () => '', egress });
    expect(await badAuth.send(outgoing('mattermost', ada.id, sampleVerification)).catch((e: ProviderError) => e.providerStatus)).toBe('api.context.session_expired.app_error');
    const down = new MattermostClient({ baseUrl: 'http://127.0.0.1:1', token: 'x', actionKey: KEY, publicUrl: () => '', egress });
    expect(await down.send(outgoing('mattermost', '#c', sampleVerification)).catch((e: ProviderError) => e.permanent)).toBe(false);
    const refused = new MattermostClient({ baseUrl: 'http://10.0.0.1', token: 'x', actionKey: KEY, publicUrl: () => '', egress: new EgressPolicy(undefined) });
    expect(await refused.send(outgoing('mattermost', '#c', sampleVerification)).catch((e: ProviderError) => e.providerStatus)).toBe('egress_refused');
  });

  it('creates channels in the team; a taken name is a permanent error', async () => {
    const id = await client.createChannel('inc-1-db', '#1 DB');
    expect(mm.channels.get(id)?.team_id).toBe(mm.teamId);
    await expect(client.createChannel('inc-1-db', '#1 DB')).rejects.toMatchObject({ permanent: true, providerStatus: 'store.sql_channel.save_channel.exists.app_error' });
  });
});

describe('Mattermost inbound', () => {
  const platform = () => mattermostPlatform(client, { actionKey: KEY, commandToken: 'cmd', webhookToken: 'hook' });

  it('refuses a wrong token or secret; drops the bot own posts', async () => {
    const p = platform();
    expect((await p.inbound('commands', req('token=bad&text=ack+1', 'application/x-www-form-urlencoded'))).kind).toBe('refuse');
    expect(await p.inbound('commands', req('token=cmd&text=ack+1&user_id=u&channel_id=c', 'application/x-www-form-urlencoded'))).toEqual({
      kind: 'command',
      channelId: 'c',
      userId: 'u',
      text: 'ack 1',
    });
    const noToken = mattermostPlatform(client, { actionKey: KEY });
    expect((await noToken.inbound('commands', req('token=&text=ack+1', 'application/x-www-form-urlencoded'))).kind).toBe('refuse');
    const bot = await client.botUserId();
    expect(await p.inbound('messages', req(JSON.stringify({ token: 'hook', user_id: bot, channel_id: 'c', post_id: 'p', text: 'x' })))).toEqual({ kind: 'ignore' });
    const secret = mattermostActionSecret(KEY, 'ack', 'i1');
    expect(await p.inbound('actions', req(JSON.stringify({ user_id: 'u', context: { action: 'ack', incident: 'i1', secret } })))).toEqual({
      kind: 'action',
      userId: 'u',
      incident: 'i1',
      action: 'ack',
    });
    expect((await p.inbound('actions', req(JSON.stringify({ user_id: 'u', context: { action: 'resolve', incident: 'i1', secret } })))).kind).toBe('refuse');
  });

  it('property: any body to any endpoint is answered without throwing; nothing unsigned becomes an action or command', async () => {
    const p = platform();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('actions', 'commands', 'messages'),
        fc.oneof(fc.string(), fc.json()),
        fc.constantFrom('application/json', 'application/x-www-form-urlencoded'),
        async (path, body, type) => {
          const r = await p.inbound(path, req(body, type));
          expect(['refuse', 'reply', 'ignore']).toContain(r.kind);
        },
      ),
    );
  });
});
