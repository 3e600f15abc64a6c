import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeSlack } from '../../../../test/fakes/slack.js';
import { outgoing, samplePage, sampleVerification } from '../../../../test/fakes/messages.js';
import { ProviderError } from '../../types.js';
import { SlackProvider } from './index.js';

const slack = new FakeSlack({ token: 'xoxb-good', channels: [{ id: 'C0000ONCALL', name: 'oncall' }] });
let baseUrl = '';
let provider: SlackProvider;

beforeAll(async () => {
  baseUrl = (await slack.start()).url;
  provider = new SlackProvider({ token: 'xoxb-good', baseUrl });
});
afterAll(() => slack.close());

async function failure(p: Promise<unknown>): Promise<ProviderError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ProviderError);
  return e as ProviderError;
}

describe('SlackProvider', () => {
  it('posts the rendered blocks with chat.postMessage and returns channel:ts', async () => {
    const page = samplePage();
    const result = await provider.send(outgoing('slack', 'C0000ONCALL', page));
    const post = await slack.waitForPost((p) => p.channel === 'C0000ONCALL');
    expect(result).toEqual({ providerMessageId: `C0000ONCALL:${post.ts}`, providerStatus: 'posted' });
    expect(post.text).toBe('#42 CRITICAL checkout-api: DB down');
    expect(JSON.stringify(post.blocks)).toContain('"action_id":"klaxon_ack"');
    expect(post.body.unfurl_links).toBe(false);
  });

  it('posts to a user id as a DM and reports the DM channel', async () => {
    const result = await provider.send(outgoing('slack', 'U0000ADA', sampleVerification));
    expect(result.providerMessageId).toMatch(/^D0000ADA:\d+\.\d{6}$/);
  });

  it('maps ok:false errors: channel_not_found / invalid_auth permanent, ratelimited / internal_error temporary', async () => {
    const notFound = await failure(provider.send(outgoing('slack', 'C9999NOPE', sampleVerification)));
    expect(notFound.permanent).toBe(true);
    expect(notFound.providerStatus).toBe('channel_not_found');

    const badAuth = await failure(new SlackProvider({ token: 'xoxb-bad', baseUrl }).send(outgoing('slack', 'C0000ONCALL', sampleVerification)));
    expect(badAuth.permanent).toBe(true);
    expect(badAuth.providerStatus).toBe('invalid_auth');

    slack.failNext(1, 'ratelimited');
    const limited = await failure(provider.send(outgoing('slack', 'C0000ONCALL', sampleVerification)));
    expect(limited.permanent).toBe(false);
    expect(limited.providerStatus).toBe('ratelimited');
    expect(slack.calls.at(-1)?.httpStatus).toBe(429);

    slack.failNext(1, 'internal_error', 500);
    expect((await failure(provider.send(outgoing('slack', 'C0000ONCALL', sampleVerification)))).permanent).toBe(false);

    slack.failNext(1, 'not_in_channel');
    expect((await failure(provider.send(outgoing('slack', 'C0000ONCALL', sampleVerification)))).permanent).toBe(true);

    // And the next call goes through again.
    await provider.send(outgoing('slack', 'C0000ONCALL', sampleVerification));
  });

  it('maps network errors to temporary', async () => {
    const down = new SlackProvider({ token: 'x', baseUrl: 'http://127.0.0.1:1' });
    expect((await failure(down.send(outgoing('slack', 'C1', sampleVerification)))).permanent).toBe(false);
  });

  it('exposes other Web API methods through call()', async () => {
    const created = await provider.call('conversations.create', { name: 'inc-42-db-down' });
    const channel = created.channel as { id: string; name: string };
    expect(channel.name).toBe('inc-42-db-down');
    await expect(provider.call('conversations.create', { name: 'inc-42-db-down' })).rejects.toMatchObject({ providerStatus: 'name_taken', permanent: true });
    const id = slack.addUser('ada@example.com', { id: 'U0000ADA' });
    const found = await provider.call('users.lookupByEmail', { email: 'ada@example.com' });
    expect((found.user as { id: string }).id).toBe(id);
  });
});
