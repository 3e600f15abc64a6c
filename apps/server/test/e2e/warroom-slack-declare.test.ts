import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { must } from '../../src/lib/must.js';
import { computeSlackSignature } from '../../src/notify/providers/slack/signature.js';
import { capture, DIALECTS } from '../harness.js';
import { warRoomWorld, type WarRoomWorld } from './warroom-setup.js';

describe.each(DIALECTS)('declaring a major incident from Slack; the bridge on every page (%s)', (dialect) => {
  let w: WarRoomWorld;
  beforeAll(async () => {
    w = await warRoomWorld(dialect);
  });
  afterAll(() => w?.t.stop());

  async function slash(text: string, userId = 'U0CAROL01'): Promise<string> {
    const { t } = w;
    const ts = Math.floor(t.clock.now() / 1000);
    const form = new URLSearchParams({ command: '/klaxon', text, channel_id: 'C0GENERAL', user_id: userId, team_id: t.slack.teamId }).toString();
    const res = await fetch(`${t.url}/integrations/v1/slack/commands`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(ts), 'x-slack-signature': computeSlackSignature(t.slack.signingSecret, ts, form) },
      body: form,
    });
    expect(res.status).toBe(200);
    return (await res.json()).text as string;
  }

  it('`/klaxon declare SEV1 <service> <title>` declares a fresh major incident from any channel; the IM is paged with the bridge link', async () => {
    const { t, ivy } = w;
    expect(await slash('declare')).toContain('Usage');
    expect(await slash('declare SEV1 checkout Card payments failing', 'U0STRANGER')).toContain('not linked');
    const answer = await slash('declare SEV1 checkout Card payments failing');
    const n = Number(capture(/Declared #(\d+) SEV1 major/, answer));
    expect(answer).toContain('incident manager Ivy');
    const inc = (await t.api('GET', `/api/v1/incidents/${n}`)).body.incident;
    expect(inc).toMatchObject({ title: 'Card payments failing', sev: 'SEV1', major: true });
    const timeline = (await t.api('GET', `/api/v1/incidents/${n}/timeline`)).body.timeline;
    expect(timeline.some((e: { channel: string }) => e.channel === 'slack')).toBe(true);

    // With a bridge set, the incident manager's SMS page carries the link.
    await t.api('PUT', `/api/v1/incidents/${n}/bridge`, { url: 'https://meet.example.com/card-payments' }, ivy.token);
    await slash(`declare #${n}`); // declaring again changes nothing
    expect((await t.api('POST', `/api/v1/incidents/${n}/page`, { target: '@ivy' }, ivy.token)).status).toBeLessThan(300);
    await t.cycle();
    const sms = t.twilio.messages.filter((m) => m.to === ivy.phone && m.body.includes(`#${n}`));
    expect(must(sms.at(-1), 'sms.at(-1)').body).toContain('Bridge: https://meet.example.com/card-payments');
  });

  it('`/klaxon declare #N SEV2` makes an existing incident major', async () => {
    const { t } = w;
    const fresh = await t.api('POST', '/api/v1/incidents', { service: 'checkout', title: 'Refunds slow', severity: 'warning' });
    const n = fresh.body.incident.number;
    expect(await slash(`declare #${n} SEV2`)).toContain(`Declared #${n} SEV2 major`);
    expect((await t.api('GET', `/api/v1/incidents/${n}`)).body.incident).toMatchObject({ sev: 'SEV2', major: true });
  });
});
