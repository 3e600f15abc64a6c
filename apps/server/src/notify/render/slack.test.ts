import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allKinds, samplePage, sampleReply, sampleTest, sampleVerification } from '../../../test/fakes/messages.js';
import { renderSlack } from './slack.js';

interface Block {
  type: string;
  block_id?: string;
  text?: { type: string; text: string };
  elements?: { type: string; action_id?: string; value?: string; style?: string; url?: string; text?: { text: string } }[];
}

describe('renderSlack', () => {
  it('renders a section with title/service/severity and ack/resolve/open buttons', () => {
    const page = samplePage();
    const { text, blocks } = renderSlack(page);
    expect(text).toBe('#42 CRITICAL checkout-api: DB down');
    const bs = blocks as Block[];
    const section = bs[0];
    expect(section?.type).toBe('section');
    expect(section?.text?.type).toBe('mrkdwn');
    expect(section?.text?.text).toContain('<https://klaxon.example.com/incidents/42|#42 DB down>');
    expect(section?.text?.text).toContain('*Service:* checkout-api');
    expect(section?.text?.text).toContain('*Severity:* CRITICAL');
    const actions = bs.find((b) => b.type === 'actions');
    expect(actions?.elements).toEqual([
      expect.objectContaining({ type: 'button', action_id: 'klaxon_ack', value: page.incidentId, style: 'primary' }),
      expect.objectContaining({ type: 'button', action_id: 'klaxon_resolve', value: page.incidentId, style: 'danger' }),
      expect.objectContaining({ type: 'button', url: page.incidentUrl }),
    ]);
    expect(JSON.stringify(blocks)).toContain('connection refused');
  });

  it('puts DRILL first for drills', () => {
    const { text, blocks } = renderSlack(samplePage({ drill: true }));
    expect(text.startsWith('DRILL ')).toBe(true);
    expect((blocks[0] as Block).text?.text).toMatch(/^:rotating_light: \*DRILL\*/);
  });

  it('escapes mrkdwn control characters so titles cannot mention @channel or inject links', () => {
    const { blocks } = renderSlack(samplePage({ title: '<!channel> <https://evil|click> & co', serviceName: '<@U123>' }));
    const t = (blocks[0] as Block).text?.text ?? '';
    expect(t).not.toContain('<!channel>');
    expect(t).not.toContain('<@U123>');
    expect(t).toContain('&lt;!channel&gt; &lt;https://evil|click&gt; &amp; co');
  });

  it('drops the ack button once acknowledged and both once resolved', () => {
    const ids = (status: string) => ((renderSlack(samplePage({ status })).blocks as Block[]).find((b) => b.type === 'actions')?.elements ?? []).map((e) => e.action_id);
    expect(ids('acknowledged')).toEqual(['klaxon_resolve', 'klaxon_open']);
    expect(ids('resolved')).toEqual(['klaxon_open']);
  });

  it('renders verification, test and reply messages', () => {
    expect(renderSlack(sampleVerification).text).toBe('Your Klaxon verification code is 123456');
    expect(renderSlack(sampleTest).text).toContain('Ada Lovelace');
    expect(renderSlack(sampleReply).text).toBe('Incident #42 acknowledged.');
    for (const m of allKinds) {
      const r = renderSlack(m);
      expect(r.text.length).toBeGreaterThan(0);
      expect(r.blocks.length).toBeGreaterThan(0);
    }
  });

  it('escapes the top-level text like the blocks, for every kind of message (property)', () => {
    const nasty = fc.string().map((s) => `${s}<!channel> <@U1> <https://evil|x> & ${s}`);
    fc.assert(
      fc.property(nasty, (text) => {
        for (const m of [
          ...allKinds.map((k) => ({ ...k, ...('text' in k && { text }), ...('title' in k && { title: text }), ...('summary' in k && { summary: text }), ...('subject' in k && { subject: text }) })),
          { ...sampleReply, text },
        ]) {
          const r = renderSlack(m as typeof sampleReply);
          // Slack's control sequences start with < and end with >: none may survive unescaped.
          expect(r.text).not.toMatch(/[<>]/);
          expect(r.text.replace(/&(amp|lt|gt);/g, '')).not.toContain('&');
        }
      }),
      { numRuns: 100 },
    );
    expect(renderSlack({ ...sampleReply, text: 'Ivy: <!channel> look & see' }).text).toBe('Ivy: &lt;!channel&gt; look &amp; see');
  });
});
