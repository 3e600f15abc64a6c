import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { must } from '../../src/lib/must.js';
import { FakeMattermost, type FakeMattermostPost, type FakeMattermostUser } from '../fakes/mattermost/server.js';
import { DIALECTS, startTestKlaxon, type TestKlaxon } from '../harness.js';

const COMMAND_TOKEN = 'mm-slash-token-0123456789';
const WEBHOOK_TOKEN = 'mm-outgoing-token-0123456789';

describe.each(DIALECTS)('Chat channels announce a service’s incidents (Mattermost, %s)', (dialect) => {
  let t: TestKlaxon;
  let mm: FakeMattermost;
  let dana: FakeMattermostUser;
  let teamId: string;
  let checkout: string;
  let billing: string;
  let anaToken: string;
  let raviToken: string;

  beforeAll(async () => {
    mm = new FakeMattermost();
    const { url } = await mm.start();
    dana = mm.addUser('dana');
    t = await startTestKlaxon(dialect, { mattermost: { baseUrl: url, botToken: mm.token, teamId: mm.teamId, commandToken: COMMAND_TOKEN, webhookToken: WEBHOOK_TOKEN } });
    // Dana links her Mattermost user, so the card's buttons act as her.
    const danaId = (await t.api('POST', '/api/v1/users', { email: 'dana@example.com', name: 'Dana', role: 'responder', timeZone: 'UTC' })).body.user.id as string;
    const cm = await t.api('POST', `/api/v1/users/${danaId}/contact-methods`, { name: 'mm', type: 'mattermost', address: dana.id });
    await t.cycle();
    const code = await mm.waitForPost((p) => p.message.includes('verification code'));
    const digits = must(/\*\*(\d{6})\*\*/.exec(code.message), 'the code')[1];
    expect((await t.api('POST', `/api/v1/contact-methods/${cm.body.contactMethod.id}/verify`, { code: digits })).status).toBe(200);
    // Ana administers the Payments team (globally a viewer); Ravi is a responder with no team role.
    const ana = (await t.api('POST', '/api/v1/users', { email: 'ana@example.com', name: 'Ana', role: 'viewer', timeZone: 'UTC' })).body.user.id as string;
    const ravi = (await t.api('POST', '/api/v1/users', { email: 'ravi@example.com', name: 'Ravi', role: 'responder', timeZone: 'UTC' })).body.user.id as string;
    anaToken = (await t.api('POST', `/api/v1/users/${ana}/tokens`, { name: 't' })).body.token;
    raviToken = (await t.api('POST', `/api/v1/users/${ravi}/tokens`, { name: 't' })).body.token;
    teamId = (await t.api('POST', '/api/v1/teams', { name: 'Payments', members: [{ userId: ana, role: 'member', access: 'admin' }] })).body.team.id;
    checkout = (await t.api('POST', '/api/v1/services', { name: 'checkout', teamId })).body.service.id;
    billing = (await t.api('POST', '/api/v1/services', { name: 'billing', teamId })).body.service.id;
  });
  afterAll(async () => {
    await t?.stop();
    await mm?.close();
  });

  const open = async (service: string, title: string): Promise<number> => {
    const r = await t.api('POST', '/api/v1/incidents', { service, title });
    expect(r.status).toBe(201);
    await t.cycle();
    return r.body.incident.number as number;
  };
  const postsIn = (channelId: string) => mm.posts.items.filter((p) => p.channel_id === channelId);
  const card = (channelId: string, n: number) => mm.waitForPost((p) => p.channel_id === channelId && p.message.includes(`#${n} `) && mm.buttons(p).length > 0);

  it('refuses a bad channel id (400 naming the problem), an unconfigured platform (400) and a user without rights (403)', async () => {
    const bad = await t.api('PUT', `/api/v1/services/${checkout}/chat-channels`, { channels: [{ platform: 'mattermost', channel: 'C0123' }] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('a Mattermost channel id (26 lower-case letters and digits)');
    const off = await t.api('PUT', `/api/v1/services/${checkout}/chat-channels`, { channels: [{ platform: 'discord', channel: '123456789012345678' }] });
    expect(off.status).toBe(400);
    expect(off.body.error.message).toContain('discord is not configured on this server');
    // Teams and Google Chat say what to configure: their webhook URLs are a person's contact method, not a channel.
    const unset = await t.api('PUT', `/api/v1/services/${checkout}/chat-channels`, {
      channels: [
        { platform: 'teams', channel: '19:abc@thread.tacv2' },
        { platform: 'googlechat', channel: 'spaces/AAAA' },
      ],
    });
    expect(unset.status).toBe(400);
    expect(unset.body.error.message).toBe(
      'channels/0/platform: Microsoft Teams announces in a channel only through the bot: set KLAXON_TEAMS_APP_ID and KLAXON_TEAMS_APP_PASSWORD; channels/1/platform: Google Chat announces in a space only through the Chat API: set KLAXON_GOOGLECHAT_SERVICE_ACCOUNT',
    );
    const room = mm.addChannel('payments-alerts');
    const twice = await t.api('PUT', `/api/v1/services/${checkout}/chat-channels`, {
      channels: [
        { platform: 'mattermost', channel: room.id },
        { platform: 'mattermost', channel: room.id },
      ],
    });
    expect(twice.status).toBe(400);
    expect((await t.api('PUT', `/api/v1/services/${checkout}/chat-channels`, { channels: [{ platform: 'mattermost', channel: room.id }] }, raviToken)).status).toBe(403);
    expect((await t.api('PUT', `/api/v1/teams/${teamId}/chat-channels`, { channels: [] }, raviToken)).status).toBe(403);
    expect((await t.api('GET', `/api/v1/services/${checkout}/chat-channels`)).body.channels).toEqual([]);
  });

  it('a team admin sets a service’s channel: the card appears there with buttons; ack and resolve reply in its thread', async () => {
    const room = mm.addChannel('checkout-incidents');
    const put = await t.api('PUT', `/api/v1/services/${checkout}/chat-channels`, { channels: [{ platform: 'mattermost', channel: room.id }] }, anaToken);
    expect(put.status).toBe(200);
    expect(put.body.announcedIn).toEqual([{ platform: 'mattermost', channel: room.id }]);

    const n = await open('checkout', 'Checkout down');
    const page = await card(room.id, n);
    expect(mm.buttons(page).map((b) => b.name)).toEqual(['Acknowledge', 'Resolve']);

    // Dana presses Acknowledge in the channel: acknowledged as her; the channel hears it under the card.
    const ok = await mm.press(page, 'klaxonack', dana);
    expect(ok.body).toEqual({ ephemeral_text: `Incident #${n} acknowledged.` });
    await t.cycle();
    const acked: FakeMattermostPost = await mm.waitForPost((p) => p.channel_id === room.id && p.message.includes('Acknowledged by Dana'));
    expect(acked.root_id).toBe(page.id);
    expect(acked.message).toContain(`#${n} Checkout down`);

    expect((await t.api('POST', `/api/v1/incidents/${n}/resolve`)).status).toBe(200);
    await t.cycle();
    const resolved = await mm.waitForPost((p) => p.channel_id === room.id && p.message.includes('Resolved by Admin'));
    expect(resolved.root_id).toBe(page.id);
  });

  it('a service without channels uses its team’s; a service with its own does not (its own replace the team’s)', async () => {
    const teamRoom = mm.addChannel('payments-team');
    expect((await t.api('PUT', `/api/v1/teams/${teamId}/chat-channels`, { channels: [{ platform: 'mattermost', channel: teamRoom.id }] }, anaToken)).status).toBe(200);
    const got = await t.api('GET', `/api/v1/services/${billing}/chat-channels`);
    expect(got.body).toMatchObject({ channels: [], team: { id: teamId, name: 'Payments' }, announcedIn: [{ platform: 'mattermost', channel: teamRoom.id }] });
    const n = await open('billing', 'Invoices stuck');
    await card(teamRoom.id, n);
    const m = await open('checkout', 'Cart slow');
    await card((await t.api('GET', `/api/v1/services/${checkout}/chat-channels`)).body.channels[0].channel, m);
    expect(postsIn(teamRoom.id).some((p) => p.message.includes(`#${m} `))).toBe(false);
  });

  it('a drill declared major is marked DRILL in the channel; a send-a-test reaches the channel', async () => {
    const teamRoom = (await t.api('GET', `/api/v1/teams/${teamId}/chat-channels`)).body.channels[0].channel as string;
    const d = await t.api('POST', '/api/v1/major-incidents', { service: 'billing', title: 'Failover rehearsal', sev: 'SEV2', drill: true });
    expect(d.status).toBe(201);
    await t.cycle();
    const n = d.body.incident.number as number;
    const page = await card(teamRoom, n);
    expect(page.message).toContain('DRILL');
    await t.cycle();
    const major = await mm.waitForPost((p) => p.channel_id === teamRoom && p.message.includes('Major incident declared'));
    expect(major.message.startsWith('DRILL')).toBe(true);

    expect((await t.api('POST', `/api/v1/teams/${teamId}/chat-channels/test`, { platform: 'mattermost', channel: teamRoom }, anaToken)).status).toBe(202);
    await t.cycle();
    await mm.waitForPost((p) => p.channel_id === teamRoom && p.message.includes('Klaxon test: the incidents of team Payments'));
  });

  it('a post the platform refuses for good is on the incident’s timeline', async () => {
    // A well-formed id of a channel the bot cannot post in: Mattermost answers 403.
    const gone = 'a'.repeat(26);
    expect((await t.api('PUT', `/api/v1/services/${checkout}/chat-channels`, { channels: [{ platform: 'mattermost', channel: gone }] })).status).toBe(200);
    const n = await open('checkout', 'Nobody told');
    await t.cycle();
    const timeline = (await t.api('GET', `/api/v1/incidents/${n}/timeline`)).body.timeline as { type: string; message: string }[];
    const failed = timeline.find((e) => e.type === 'chat.announce_failed');
    expect(must(failed, 'the failure').message).toContain(`mattermost channel ${gone}`);
    expect(must(failed, 'the failure').message).toContain('the channel was not told');
  });
});
