import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addResponder, DIALECTS, mustFind, startTestKlaxon, type Responder, type TestKlaxon } from '../harness.js';
import { connectOf, FakeVonageVoice } from '../fakes/vonage/voice.js';
import { must } from '../../src/lib/must.js';

type TimelineEntry = { type: string; message: string };

describe.each(DIALECTS)('hotline number on Vonage: signed answer and connect events, NCCO connect in turn (%s)', (dialect) => {
  let t: TestKlaxon;
  let alice: Responder;
  let bob: Responder;
  let serviceId: string;
  let answerUrl: string;
  const vonage = new FakeVonageVoice();
  const HOTLINE = '+442079460000';
  const CALLER = '+447700900123';

  beforeAll(async () => {
    t = await startTestKlaxon(dialect, { vonageSignatureSecret: vonage.signatureSecret });
    alice = await addResponder(t, { name: 'Alice', email: 'alice@example.com', phone: '+15552220001', rules: [{ type: 'sms', delayMinutes: 0 }] });
    bob = await addResponder(t, { name: 'Bob', email: 'bob@example.com', phone: '+15552220002', rules: [{ type: 'voice', delayMinutes: 0 }] });
    const policy = await t.api('POST', '/api/v1/escalation-policies', {
      name: 'Support',
      levels: [
        { delayMinutes: 10, targets: [{ type: 'user', id: alice.id }] },
        { delayMinutes: 10, targets: [{ type: 'user', id: bob.id }] },
      ],
    });
    serviceId = (await t.api('POST', '/api/v1/services', { name: 'customer-support', escalationPolicyId: policy.body.escalationPolicy.id })).body.service.id;
    const h = await t.api('POST', `/api/v1/services/${serviceId}/hotlines`, { name: 'UK line', provider: 'vonage', number: HOTLINE, ringSeconds: 25, allowedCallers: [CALLER] });
    expect(h.status).toBe(201);
    answerUrl = h.body.hotline.webhookUrl;
    expect(answerUrl).toBe(`${t.url}/integrations/v1/vonage/hotline/answer`);
  });
  afterAll(() => t?.stop());

  const incidents = async () => (await t.api('GET', '/api/v1/incidents?limit=100')).body.incidents as { id: string; title: string }[];
  const hotlineEntries = async (id: string) => ((await t.api('GET', `/api/v1/incidents/${id}/timeline`)).body.timeline as TimelineEntry[]).filter((e) => e.type.startsWith('hotline.'));

  it('an allowed caller (GET answer URL) opens an incident and is connected to Alice; a timeout connects Bob; Bob answering is on the timeline', async () => {
    const before = (await incidents()).length;
    const { call, answer } = await vonage.callIn({ answerUrl, from: CALLER, to: HOTLINE });
    expect(answer.status).toBe(200);
    expect(answer.contentType).toContain('application/json');
    const ncco = JSON.parse(answer.body) as { action: string; text?: string }[];
    expect(ncco[0]).toMatchObject({ action: 'talk', text: expect.stringContaining('customer-support hotline') });
    expect(connectOf(answer.body)).toEqual({
      action: 'connect',
      from: '442079460000',
      timeout: 25,
      eventType: 'synchronous',
      eventUrl: [expect.stringMatching(/\/integrations\/v1\/vonage\/hotline\/event\?call=.+&attempt=0$/)],
      endpoint: [{ type: 'phone', number: '15552220001' }],
    });
    expect(await incidents()).toHaveLength(before + 1);
    const inc = mustFind(await incidents(), 'the hotline incident', (i) => i.title === 'Hotline call to UK line from +44•••••••123');

    const next = await vonage.connectEvent(call, answer.body, 'timeout');
    expect(next.status).toBe(200);
    expect(must(connectOf(next.body), 'connectOf(next.body)').endpoint).toEqual([{ type: 'phone', number: '15552220002' }]);
    const answered = await vonage.connectEvent(call, next.body, 'answered');
    expect(answered.status).toBe(204);
    expect(call.connected).toEqual(['15552220001', '15552220002']);
    expect((await hotlineEntries(inc.id)).map((e) => [e.type, e.message])).toEqual([
      ['hotline.call', 'Hotline UK line (+442079460000) received a call from +44•••••••123; ringing Alice, then Bob'],
      ['hotline.dialing', 'Ringing Alice (1 of 2) for up to 25 s'],
      ['hotline.missed', 'Alice did not answer (timeout)'],
      ['hotline.dialing', 'Ringing Bob (2 of 2) for up to 25 s'],
      ['hotline.answered', 'Bob answered the hotline call'],
    ]);
    // Events that change nothing (the call completing, ringing) are acknowledged with 204.
    expect((await vonage.connectEvent(call, next.body, 'completed')).status).toBe(204);
  });

  it('POST answer URL works the same; nobody answering tells the caller the team has been paged', async () => {
    const { call, answer } = await vonage.callIn({ answerUrl, from: CALLER, to: HOTLINE, method: 'POST' });
    expect(answer.status).toBe(200);
    const second = await vonage.connectEvent(call, answer.body, 'busy');
    const last = await vonage.connectEvent(call, second.body, 'unanswered');
    expect(last.status).toBe(200);
    const ncco = JSON.parse(last.body) as { action: string; text?: string }[];
    expect(ncco).toEqual([{ action: 'talk', text: expect.stringContaining('The on-call team has been paged') }]);
  });

  it('a caller not on the allow-list hears a refusal and nothing opens; a forged signature is a 403 and changes nothing', async () => {
    const before = (await incidents()).length;
    const refused = await vonage.callIn({ answerUrl, from: '+15551234567', to: HOTLINE });
    expect(JSON.parse(refused.answer.body)).toEqual([{ action: 'talk', text: expect.stringContaining('only takes calls from registered numbers') }]);
    const forged = await vonage.callIn({ answerUrl, from: CALLER, to: HOTLINE, signWith: 'not-the-secret' });
    expect(forged.answer.status).toBe(403);
    // A good signature over another payload (payload_hash does not match) is forged too.
    const u = new URL(answerUrl);
    for (const [k, v] of Object.entries({ to: '442079460000', from: '447700900123', uuid: 'aaaaaaaa-bbbb-cccc-dddd-0123456789ab', conversation_uuid: 'CON-x' })) u.searchParams.set(k, v);
    const swapped = await fetch(u, { headers: { authorization: `Bearer ${vonage.sign(JSON.stringify({ to: '442079460000', from: '447700900999', uuid: 'x', conversation_uuid: 'y' }))}` } });
    expect(swapped.status).toBe(403);
    const unsigned = await fetch(u);
    expect(unsigned.status).toBe(403);
    expect(await incidents()).toHaveLength(before);
    expect((await t.api('GET', `/api/v1/services/${serviceId}/hotlines`)).body.hotlines[0]).toMatchObject({ callsTaken: 2, callsRefused: 1 });

    // A forged connect event on a real call moves nothing.
    const { call, answer } = await vonage.callIn({ answerUrl, from: CALLER, to: HOTLINE });
    const forgedEvent = await vonage.connectEvent(call, answer.body, 'answered', { signWith: 'not-the-secret' });
    expect(forgedEvent.status).toBe(403);
    const inc = must((await incidents()).filter((i) => i.title.startsWith('Hotline call'))[0], 'a hotline incident');
    expect((await hotlineEntries(inc.id)).map((e) => e.type)).not.toContain('hotline.answered');
  });
});
