import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../harness.js';
import { declaredIncident, warRoomWorld, type WarRoomWorld } from './warroom-setup.js';

// Slack reads the top-level `text` of chat.postMessage as mrkdwn too: a chat message saying
// <!channel> must not ping the whole channel.
describe.each(DIALECTS)('Slack top-level text is escaped like the blocks (%s)', (dialect) => {
  let w: WarRoomWorld;
  let n: number;
  beforeAll(async () => {
    w = await warRoomWorld(dialect);
    n = await declaredIncident(w, 'Login broken');
  });
  afterAll(async () => w?.t.stop());

  it('a war-room chat message with <!channel>, a link and & reaches Slack escaped in text and blocks', async () => {
    const { t } = w;
    expect((await t.api('POST', `/api/v1/incidents/${n}/slack`, { create: true }, w.ivy.token)).status).toBe(200);
    await t.cycle();
    const channel = (await t.api('GET', `/api/v1/incidents/${n}/war-room`)).body.warRoom.slackChannel as string;
    await t.api('POST', `/api/v1/incidents/${n}/chat`, { text: '<!channel> roll back <https://evil.example|here> & <@U0CAROL01>' }, w.ivy.token);
    await t.cycle();
    const post = await t.slack.waitForPost((p) => p.channel === channel && p.text.includes('roll back'));
    expect(post.text).toBe('Ivy: &lt;!channel&gt; roll back &lt;https://evil.example|here&gt; &amp; &lt;@U0CAROL01&gt;');
    expect(JSON.stringify(post.body.blocks)).not.toContain('<!channel>');
  });
});
