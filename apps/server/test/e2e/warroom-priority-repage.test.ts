import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../harness.js';
import { declaredIncident, warRoomWorld, type WarRoomWorld } from './warroom-setup.js';

describe.each(DIALECTS)('priority messages (%s)', (dialect) => {
  let w: WarRoomWorld;
  beforeAll(async () => {
    w = await warRoomWorld(dialect);
  });
  afterAll(async () => w?.t.stop());

  it('page every member, keep receipts, and page again whoever has not read after the set time', async () => {
    const { t } = w;
    const n = await declaredIncident(w, 'Data loss in orders');
    // Only the IM or comms lead may send priority messages.
    expect((await t.api('POST', `/api/v1/incidents/${n}/chat`, { text: 'urgent', priority: true }, w.bob.token)).status).toBe(403);
    const sent = await t.api('POST', `/api/v1/incidents/${n}/chat`, { text: 'Stop all deploys now', priority: true }, w.ivy.token);
    expect(sent.status).toBe(201);
    const id = sent.body.message.id as string;
    await t.cycle();
    await t.smtp.waitFor((m) => m.to.includes('bob@example.com') && m.text.includes('PRIORITY') && m.text.includes('Stop all deploys'));
    await t.slack.waitForPost((p) => p.channel === 'D0CAROL01' && p.text.includes('PRIORITY') && p.text.includes('Stop all deploys'));

    // Priority messages are listed apart, with receipts.
    const prio = (await t.api('GET', `/api/v1/incidents/${n}/chat?priority=true`, undefined, w.ivy.token)).body.messages;
    expect(prio).toHaveLength(1);
    expect(prio[0].receipts.map((r: { name: string }) => r.name).sort()).toEqual(['Bob', 'Carol']);
    expect((await t.api('GET', `/api/v1/incidents/${n}/chat?priority=false`)).body.messages.every((m: { priority: boolean }) => !m.priority)).toBe(true);

    // Carol reads it; Bob does not.
    expect((await t.api('POST', `/api/v1/chat/${id}/receipts`, { state: 'read' }, w.carol.token)).status).toBe(204);
    const bobMails = () => t.smtp.messages.filter((m) => m.to.includes('bob@example.com') && m.text.includes('Stop all deploys')).length;
    const carolPosts = () => t.slack.posts.filter((p) => p.channel === 'D0CAROL01' && p.text.includes('Stop all deploys')).length;
    expect(bobMails()).toBe(1);
    await t.advance(4 * 60_000);
    expect(bobMails()).toBe(1);
    await t.advance(60_000 + 1);
    await t.smtp.waitFor((m) => m.to.includes('bob@example.com') && m.text.includes('(again)'));
    expect(bobMails()).toBe(2);
    expect(carolPosts()).toBe(1);

    const after = (await t.api('GET', `/api/v1/incidents/${n}/chat?priority=true`, undefined, w.ivy.token)).body.messages[0].receipts;
    const byName = Object.fromEntries(after.map((r: { name: string }) => [r.name, r]));
    expect(byName.Carol.readAt).not.toBeNull();
    expect(byName.Bob).toMatchObject({ readAt: null, pages: 2 });
    const timeline = (await t.api('GET', `/api/v1/incidents/${n}/timeline`)).body.timeline as { type: string; message: string }[];
    expect(timeline.some((e) => e.type === 'chat.repage' && e.message.startsWith('Bob'))).toBe(true);
  });
});
