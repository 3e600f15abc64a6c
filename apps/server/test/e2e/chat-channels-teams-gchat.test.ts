import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFromEnv } from '../../src/app/config.js';
import { must } from '../../src/lib/must.js';
import { FakeGoogleChat, type FakeChatMessage, type FakeChatSpace, type FakeChatUser } from '../fakes/googlechat/server.js';
import { FakeTeams, type FakeTeamsUser } from '../fakes/teams/server.js';
import { DIALECTS, startTestKlaxon, type TestKlaxon } from '../harness.js';

describe.each(DIALECTS)('Chat channels announce a service’s incidents in Microsoft Teams (the bot) and Google Chat (the Chat API) (%s)', (dialect) => {
  let t: TestKlaxon | undefined;
  let tm: FakeTeams;
  let gc: FakeGoogleChat;
  let erin: FakeTeamsUser;
  let gErin: FakeChatUser;
  let space: FakeChatSpace;
  let erinId: string;
  let key: string;
  let svc: string;
  const k = () => must(t, 'the test server');
  const incident = async (n: number) => (await k().api('GET', `/api/v1/incidents/${n}`)).body.incident;
  const teamsText = (activity: any): string => JSON.stringify(activity.attachments[0].content.body);
  const gButtons = (m: FakeChatMessage) => m.cardsV2[0].card.sections[0].widgets.find((w: any) => w.buttonList).buttonList.buttons as any[];

  beforeAll(async () => {
    const now = () => (t ? t.clock.now() : Date.parse('2026-03-02T09:00:00Z'));
    tm = new FakeTeams(now);
    gc = new FakeGoogleChat(now);
    await tm.start();
    const { url, jwksUrl } = await gc.start();
    erin = tm.addUser('Erin');
    gErin = gc.addUser('Erin');
    space = gc.addSpace('Web incidents');
    const googlechat = configFromEnv({
      KLAXON_GOOGLECHAT_AUDIENCE: gc.projectNumber,
      KLAXON_GOOGLECHAT_JWKS_URL: jwksUrl,
      KLAXON_GOOGLECHAT_SERVICE_ACCOUNT: JSON.stringify(await gc.serviceAccount()),
      KLAXON_GOOGLECHAT_API_BASE_URL: url,
    }).googlechat;
    t = await startTestKlaxon(dialect, {
      teams: { appId: tm.appId, appPassword: tm.appPassword, openIdMetadataUrl: tm.openIdMetadataUrl, tokenUrl: tm.tokenUrl },
      googlechat,
      pageLimits: {},
      pageBundling: false,
    });
    // Erin is linked on both platforms (an admin marks them verified); she has no notification rules, so only the channels hear of incidents.
    erinId = (await t.api('POST', '/api/v1/users', { email: 'erin@example.com', name: 'Erin', role: 'responder', timeZone: 'UTC' })).body.user.id;
    for (const [type, address] of [
      ['teams', erin.aadObjectId],
      ['googlechat', gErin.name],
    ]) {
      const cm = await t.api('POST', `/api/v1/users/${erinId}/contact-methods`, { name: type, type, address });
      expect(cm.status).toBe(201);
      expect((await t.api('POST', `/api/v1/contact-methods/${cm.body.contactMethod.id}/mark-verified`, { consent: 'Erin gave her chat ids in person' })).status).toBe(200);
    }
    const policy = await t.api('POST', '/api/v1/escalation-policies', { name: 'Web', levels: [{ delayMinutes: 5, targets: [{ type: 'user', id: erinId }] }] });
    svc = (await t.api('POST', '/api/v1/services', { name: 'web', escalationPolicyId: policy.body.escalationPolicy.id })).body.service.id;
    key = (await t.api('POST', `/api/v1/services/${svc}/integrations`, { name: 'pd', kind: 'pagerduty' })).body.integration.key;
  });
  afterAll(async () => {
    await t?.stop();
    await tm?.close();
    await gc?.close();
  });

  async function trigger(summary: string): Promise<{ n: number; id: string }> {
    const r = await fetch(`${k().url}/v2/enqueue`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ routing_key: key, event_action: 'trigger', payload: { summary, source: 'web-1', severity: 'critical' } }),
    });
    expect(r.status).toBe(202);
    await k().cycle();
    const inc = (await k().api('GET', '/api/v1/incidents?limit=1')).body.incidents[0];
    return { n: inc.number, id: inc.id };
  }

  it('Teams: the bot posts the page card with Action.Submit to the service’s channel; a signed Acknowledge from Erin acknowledges; the status follows in the channel', async () => {
    const channel = tm.addChannel();
    // A channel id must look like one; Google Chat takes spaces, not threads.
    const bad = await k().api('PUT', `/api/v1/services/${svc}/chat-channels`, {
      channels: [
        { platform: 'teams', channel: 'general' },
        { platform: 'googlechat', channel: `${space.name}/threads/x` },
      ],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('channels/0/channel: Microsoft Teams: a Microsoft Teams channel conversation id');
    expect(bad.body.error.message).toContain('channels/1/channel: Google Chat: a Google Chat space, spaces/<space id>');
    const put = await k().api('PUT', `/api/v1/services/${svc}/chat-channels`, { channels: [{ platform: 'teams', channel }] });
    expect(put.status).toBe(200);
    expect(put.body.platforms).toEqual(
      expect.arrayContaining([
        { name: 'teams', label: 'Microsoft Teams' },
        { name: 'googlechat', label: 'Google Chat' },
      ]),
    );
    // The app installed in the team: a signed activity teaches the bot the tenant and its service URL.
    expect(await tm.send(`${k().url}/integrations/v1/teams/messages`, tm.installedInTeam(erin, channel))).toEqual({ status: 200, body: {} });

    const { n, id } = await trigger('Checkout down');
    const page = await tm.posts.waitFor((p) => p.conversationId === channel && teamsText(p.activity).includes(`#${n} Checkout down`));
    const card = page.activity.attachments[0].content;
    expect(card.actions).toEqual([
      { type: 'Action.Submit', title: 'Acknowledge', data: { action: 'ack', incident: id } },
      { type: 'Action.Submit', title: 'Resolve', data: { action: 'resolve', incident: id } },
      { type: 'Action.OpenUrl', title: 'Open incident', url: `${k().url}/incidents/${n}` },
    ]);

    const press = tm.activity(erin, channel, { value: card.actions[0].data });
    expect(await tm.send(`${k().url}/integrations/v1/teams/messages`, press)).toEqual({ status: 200, body: {} });
    expect(await incident(n)).toMatchObject({ status: 'acknowledged', acknowledgedBy: erinId });
    await k().cycle();
    const status = await tm.posts.waitFor((p) => p.conversationId === channel && teamsText(p.activity).includes(`#${n} Checkout down: Acknowledged by Erin`));
    expect(status.activity.attachments[0].content.actions ?? []).toEqual([]);
  });

  it('Google Chat: the app posts the page card with buttons to the service’s space; a signed Acknowledge acknowledges; the status follows in the space', async () => {
    expect((await k().api('PUT', `/api/v1/services/${svc}/chat-channels`, { channels: [{ platform: 'googlechat', channel: space.name }] })).status).toBe(200);
    const { n, id } = await trigger('Search slow');
    const page = await gc.waitForMessage((m) => m.space.name === space.name && m.cardsV2.length > 0 && m.cardsV2[0].card.header.title.startsWith(`#${n} `));
    expect(page.via).toBe('api');
    expect(gButtons(page).map((b) => b.text)).toEqual(['Acknowledge', 'Resolve', 'Open incident']);
    const ack = must(
      gButtons(page).find((b) => b.text === 'Acknowledge'),
      'the Acknowledge button',
    );
    expect(ack.onClick).toEqual({ action: { function: 'klaxon_ack', parameters: [{ key: 'incident', value: id }] } });
    expect((await gc.click(`${k().url}/integrations/v1/googlechat/events`, page, ack, gErin)).body.text).toBe(`Incident #${n} acknowledged.`);
    expect(await incident(n)).toMatchObject({ status: 'acknowledged', acknowledgedBy: erinId });
    await k().cycle();
    const status = await gc.waitForMessage((m) => m.space.name === space.name && m.text.includes(`#${n} Search slow: Acknowledged by Erin`));
    expect(status.via).toBe('api');
  });
});
