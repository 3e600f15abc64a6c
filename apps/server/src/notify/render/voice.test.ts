import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allKinds, samplePage, sampleReply, sampleTest, sampleVerification } from '../../../test/fakes/messages.js';
import { renderVoiceGatherResult, renderVoiceTwiml } from './voice.js';

const gatherUrl = 'https://klaxon.example.com/hooks/twilio/gather?m=msg-1&sig=x';

/** Minimal well-formedness check: only the TwiML tags we emit, attribute values and text without raw markup. */
function assertWellFormedTwiml(xml: string): void {
  expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?><Response>')).toBe(true);
  expect(xml.endsWith('</Response>')).toBe(true);
  const entity = '&(?:amp|lt|gt|quot|apos);';
  const attr = `\\s+[A-Za-z]+="(?:[^"<&]|${entity})*"`;
  const tag = new RegExp(`<\\/?(?:Response|Gather|Say|Hangup)(?:${attr})*\\s*\\/?>`, 'g');
  const text = xml.replace(/^<\?xml[^>]*\?>/, '').replace(tag, '');
  expect(text).not.toMatch(/[<>]/);
  expect(text.replace(new RegExp(entity, 'g'), '')).not.toContain('&');
  // eslint-disable-next-line no-control-regex
  expect(xml).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/);
}

describe('renderVoiceTwiml', () => {
  it('reads the page inside a one-digit Gather, then says Goodbye', () => {
    const xml = renderVoiceTwiml(samplePage(), { gatherUrl });
    assertWellFormedTwiml(xml);
    expect(xml).toContain('<Gather numDigits="1" action="https://klaxon.example.com/hooks/twilio/gather?m=msg-1&amp;sig=x" method="POST" timeout="10"><Say>');
    const say = /<Gather[^>]*><Say>(.*)<\/Say><\/Gather>/.exec(xml)?.[1] ?? '';
    expect(say).toContain('Critical incident 42 on checkout-api: DB down.');
    expect(say).toContain('3 alerts');
    expect(say.endsWith('Press 4 to acknowledge. Press 6 to resolve. Press 1 to repeat.')).toBe(true);
    expect(xml).toMatch(/<\/Gather><Say>Goodbye<\/Say><Hangup\/><\/Response>$/);
  });

  it('says that a conference bridge is open', () => {
    expect(renderVoiceTwiml(samplePage({ bridgeUrl: 'https://meet.example.com/x' }), { gatherUrl })).toContain('A conference bridge is open');
    expect(renderVoiceTwiml(samplePage(), { gatherUrl })).not.toContain('bridge');
  });

  it('says DRILL first for drills', () => {
    const xml = renderVoiceTwiml(samplePage({ drill: true }), { gatherUrl });
    expect(xml).toMatch(/<Say>This is a drill\./);
  });

  it('XML-escapes everything', () => {
    const xml = renderVoiceTwiml(samplePage({ title: '</Say><Hangup/> & "quotes" \u0007bell', serviceName: "o'reilly<svc>" }), { gatherUrl });
    assertWellFormedTwiml(xml);
    expect(xml).toContain('&lt;/Say&gt;&lt;Hangup/&gt; &amp; &quot;quotes&quot; bell');
    expect(xml).toContain('o&apos;reilly&lt;svc&gt;');
  });

  it('only offers resolve once acknowledged', () => {
    const xml = renderVoiceTwiml(samplePage({ status: 'acknowledged' }), { gatherUrl });
    expect(xml).not.toContain('Press 4');
    expect(xml).toContain('Press 6 to resolve. Press 1 to repeat.');
  });

  it('spells a verification code digit by digit, and renders test and reply', () => {
    const v = renderVoiceTwiml(sampleVerification, { gatherUrl });
    assertWellFormedTwiml(v);
    expect(v).toContain('Your Klaxon verification code is 1, 2, 3, 4, 5, 6.');
    const t = renderVoiceTwiml(sampleTest, { gatherUrl });
    assertWellFormedTwiml(t);
    expect(t).toContain('test call from Klaxon for Ada Lovelace');
    expect(t).toContain('<Hangup/>');
    expect(renderVoiceTwiml(sampleReply, { gatherUrl })).toContain('<Say>Incident 42 acknowledged.</Say><Hangup/>');
    for (const m of allKinds) assertWellFormedTwiml(renderVoiceTwiml(m, { gatherUrl }));
  });

  it('property: any title / service / URL yields well-formed TwiML', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), fc.string({ maxLength: 50 }), fc.webUrl(), (title, serviceName, url) => {
        assertWellFormedTwiml(renderVoiceTwiml(samplePage({ title, serviceName }), { gatherUrl: url }));
      }),
    );
  });
});

describe('renderVoiceGatherResult', () => {
  it('says the text and hangs up, escaped', () => {
    const xml = renderVoiceGatherResult('Incident 42 acknowledged <by Ada> & co. Goodbye.');
    assertWellFormedTwiml(xml);
    expect(xml).toBe('<?xml version="1.0" encoding="UTF-8"?><Response><Say>Incident 42 acknowledged &lt;by Ada&gt; &amp; co. Goodbye.</Say><Hangup/></Response>');
  });
});

describe('voice confirmations are read without "#"', () => {
  it('says "Incident 42 acknowledged", not "Incident hash 42" (property: no "#" is ever read)', () => {
    expect(renderVoiceGatherResult('Incident #42 acknowledged. Goodbye.')).toContain('<Say>Incident 42 acknowledged. Goodbye.</Say>');
    expect(renderVoiceGatherResult('There is no incident #7. Goodbye.')).toContain('<Say>There is no incident 7. Goodbye.</Say>');
    fc.assert(
      fc.property(fc.string(), (text) => {
        expect(renderVoiceGatherResult(text)).not.toContain('#');
      }),
    );
  });
});
