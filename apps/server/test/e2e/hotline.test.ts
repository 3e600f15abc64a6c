import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addResponder, DIALECTS, mustFind, startTestKlaxon, type Responder, type TestKlaxon } from '../harness.js';
import { parseDial } from '../fakes/twilio.js';
import { must } from '../../src/lib/must.js';

type TimelineEntry = { type: string; message: string; data: Record<string, unknown> };

describe.each(DIALECTS)('hotline number: a call through the Twilio stand-in opens an incident and rings the on-call people in turn (%s)', (dialect) => {
  let t: TestKlaxon;
  let alice: Responder;
  let bob: Responder;
  let serviceId: string;
  let voiceUrl: string;
  const HOTLINE = '+15005550100';
  const CALLER = '+447700900123';

  beforeAll(async () => {
    t = await startTestKlaxon(dialect);
    alice = await addResponder(t, { name: 'Alice', email: 'alice@example.com', phone: '+15552220001', rules: [{ type: 'sms', delayMinutes: 0 }] });
    bob = await addResponder(t, { name: 'Bob', email: 'bob@example.com', phone: '+15552220002', rules: [{ type: 'voice', delayMinutes: 0 }] });
    // Carol is on level 2 too but has no phone: the hotline cannot ring her (she is still paged by email).
    const carol = await addResponder(t, { name: 'Carol', email: 'carol@example.com', rules: [{ type: 'email', delayMinutes: 0 }] });
    const sch = await t.api('POST', '/api/v1/schedules', { name: 'Primary', timeZone: 'UTC', layers: [{ participants: [alice.id], turn: { unit: 'week', count: 1 }, start: '2020-01-06T09:00' }] });
    expect(sch.status).toBe(201);
    const policy = await t.api('POST', '/api/v1/escalation-policies', {
      name: 'Support',
      levels: [
        { delayMinutes: 10, targets: [{ type: 'schedule', id: sch.body.schedule.id }] },
        {
          delayMinutes: 10,
          targets: [
            { type: 'user', id: carol.id },
            { type: 'user', id: bob.id },
          ],
        },
      ],
    });
    expect(policy.status).toBe(201);
    const svc = await t.api('POST', '/api/v1/services', { name: 'customer-support', escalationPolicyId: policy.body.escalationPolicy.id });
    serviceId = svc.body.service.id;
  });
  afterAll(() => t?.stop());

  const incidents = async () => (await t.api('GET', '/api/v1/incidents?limit=100')).body.incidents as { id: string; number: number; title: string; status: string }[];
  const timeline = async (id: string) => (await t.api('GET', `/api/v1/incidents/${id}/timeline`)).body.timeline as TimelineEntry[];

  it('a hotline is created with its number and allow-list normalised; bad numbers are a 400 that names them', async () => {
    const bad = await t.api('POST', `/api/v1/services/${serviceId}/hotlines`, { name: 'Support line', number: '0800 NOT A NUMBER', allowedCallers: ['+44 7700 900123', 'call me'] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details).toEqual([
      { path: 'number', message: expect.stringContaining('not a phone number') },
      { path: 'allowedCallers.1', message: expect.stringContaining('"call me"') },
    ]);
    const r = await t.api('POST', `/api/v1/services/${serviceId}/hotlines`, {
      name: 'Support line',
      number: '+1 (500) 555-0100',
      ringSeconds: 15,
      allowedCallers: ['+44 7700 900123', '+447700900123'],
    });
    expect(r.status).toBe(201);
    expect(r.body.hotline).toMatchObject({ number: HOTLINE, ringSeconds: 15, allowedCallers: [CALLER], enabled: true, provider: 'twilio', callsTaken: 0, callsRefused: 0 });
    voiceUrl = r.body.hotline.webhookUrl;
    expect(voiceUrl).toBe(`${t.url}/integrations/v1/twilio/hotline`);
    const dup = await t.api('POST', `/api/v1/services/${serviceId}/hotlines`, { name: 'Other', number: HOTLINE });
    expect(dup.status).toBe(409);
  });

  it('an allowed caller opens one incident and is put through to the first on-call person; no answer rings the next; the one who answers is on the timeline', async () => {
    const before = (await incidents()).length;
    const { call, answer } = await t.twilio.callIn({ url: voiceUrl, from: CALLER, toNumber: HOTLINE });
    expect(answer.status).toBe(200);
    expect(answer.contentType).toContain('xml');
    expect(answer.body).toContain('<Say>You have reached the customer-support hotline.');
    const dial1 = must(parseDial(answer.body), 'parseDial(answer.body)');
    // Alice is on call on the schedule of level 1: rung first, on her verified SMS number, for 15 s.
    expect(dial1).toMatchObject({ numbers: [alice.phone], timeout: 15, method: 'POST' });

    const list = await incidents();
    expect(list).toHaveLength(before + 1);
    const inc = mustFind(list, 'the Support line incident', (i) => i.title.startsWith('Hotline call to Support line'));
    expect(inc.title).toBe('Hotline call to Support line from +44•••••••123');
    expect(inc.status).toBe('triggered');

    // Twilio retries the Voice webhook for the same call: the same TwiML, no second incident.
    const again = await t.twilio.post(voiceUrl, {
      AccountSid: t.twilio.accountSid,
      ApiVersion: '2010-04-01',
      CallSid: call.sid,
      CallStatus: 'ringing',
      From: CALLER,
      To: HOTLINE,
      Direction: 'inbound',
      Called: HOTLINE,
      Caller: CALLER,
    });
    expect(again.status).toBe(200);
    expect(must(parseDial(again.body), 'parseDial(again.body)').numbers).toEqual([alice.phone]);
    expect(await incidents()).toHaveLength(before + 1);

    // The same call posted five times at once (retries racing): still one incident, the same answer to each.
    const raced = await Promise.all(
      Array.from({ length: 5 }, () =>
        t.twilio.post(voiceUrl, { AccountSid: t.twilio.accountSid, CallSid: 'CA' + 'b'.repeat(32), From: CALLER, To: HOTLINE, CallStatus: 'ringing', Direction: 'inbound' }),
      ),
    );
    expect(raced.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(new Set(raced.map((r) => must(parseDial(r.body), 'parseDial(r.body)').numbers[0]))).toEqual(new Set([alice.phone]));
    expect(await incidents()).toHaveLength(before + 2);

    // Alice does not pick up: Bob (level 2; Carol has no phone) is rung next.
    const second = await t.twilio.endDial(call, answer.body, 'no-answer');
    expect(second.status).toBe(200);
    expect(must(parseDial(second.body), 'parseDial(second.body)').numbers).toEqual([bob.phone]);
    // The same callback delivered twice moves nothing further.
    const dupCallback = await t.twilio.endDial(call, answer.body, 'no-answer');
    expect(must(parseDial(dupCallback.body), 'parseDial(dupCallback.body)').numbers).toEqual([bob.phone]);

    // Bob answers and they talk; the Dial ends completed: Klaxon hangs up and records it.
    const done = await t.twilio.endDial(call, second.body, 'completed', { durationSeconds: 95 });
    expect(done.status).toBe(200);
    expect(done.body).toContain('<Hangup/>');
    expect(parseDial(done.body)).toBeNull();
    // What the caller heard ring, in order (the retried webhook above was a raw post; the repeated callback rang Bob again).
    expect(call.dialed).toEqual([alice.phone, bob.phone, bob.phone]);

    const tl = await timeline(inc.id);
    const hot = tl.filter((e) => e.type.startsWith('hotline.'));
    expect(hot.map((e) => [e.type, e.message])).toEqual([
      ['hotline.call', 'Hotline Support line (+15005550100) received a call from +44•••••••123; ringing Alice, then Bob'],
      ['hotline.dialing', 'Ringing Alice (1 of 2) for up to 15 s'],
      ['hotline.missed', 'Alice did not answer (no-answer)'],
      ['hotline.dialing', 'Ringing Bob (2 of 2) for up to 15 s'],
      ['hotline.answered', 'Bob answered the hotline call (talked 95 s)'],
    ]);
    expect(must(hot.at(-1), 'hot.at(-1)').data).toMatchObject({ userId: bob.id });
    expect(JSON.stringify(tl)).not.toContain('900123');

    // The incident escalates as any other: Alice (on call, level 1) is paged by SMS.
    await t.cycle();
    await t.twilio.waitForMessage((m) => m.to === alice.phone && /Hotline call to Support line/.test(m.body));
    const h = (await t.api('GET', `/api/v1/services/${serviceId}/hotlines`)).body.hotlines[0];
    expect(h).toMatchObject({ callsTaken: 2, callsRefused: 0, lastCallAt: t.clock.now() });
  });

  it('when nobody answers, the caller is told the team has been paged and the call ends; the incident stays open', async () => {
    const { call, answer } = await t.twilio.callIn({ url: voiceUrl, from: CALLER, toNumber: HOTLINE });
    const second = await t.twilio.endDial(call, answer.body, 'busy');
    const last = await t.twilio.endDial(call, second.body, 'failed');
    expect(last.status).toBe(200);
    expect(last.body).toContain('The on-call team has been paged');
    expect(last.body).toContain('<Hangup/>');
    expect(parseDial(last.body)).toBeNull();
    const inc = must((await incidents()).filter((i) => i.title.startsWith('Hotline call'))[0], 'a hotline incident');
    const hot = (await timeline(inc.id)).filter((e) => e.type.startsWith('hotline.'));
    expect(hot.map((e) => e.type)).toEqual(['hotline.call', 'hotline.dialing', 'hotline.missed', 'hotline.dialing', 'hotline.missed', 'hotline.unanswered']);
    expect(must(hot[4], 'hot[4]').message).toBe('Bob did not answer (failed)');
    expect(inc.status).toBe('triggered');
  });

  it('a caller not on the allow-list is refused politely and nothing is opened (the refusal is counted)', async () => {
    const before = (await incidents()).length;
    const { answer } = await t.twilio.callIn({ url: voiceUrl, from: '+15551234567', toNumber: HOTLINE });
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('only takes calls from registered numbers');
    expect(answer.body).toContain('<Hangup/>');
    expect(parseDial(answer.body)).toBeNull();
    // A withheld number is refused too.
    const anon = await t.twilio.callIn({ url: voiceUrl, from: 'anonymous', toNumber: HOTLINE });
    expect(parseDial(anon.answer.body)).toBeNull();
    expect(await incidents()).toHaveLength(before);
    const h = (await t.api('GET', `/api/v1/services/${serviceId}/hotlines`)).body.hotlines[0];
    expect(h).toMatchObject({ callsTaken: 3, callsRefused: 2 });
  });

  it('a caller who hangs up while someone is ringing ends the call: nobody else is rung', async () => {
    const { call, answer } = await t.twilio.callIn({ url: voiceUrl, from: CALLER, toNumber: HOTLINE });
    const ended = await t.twilio.endDial(call, answer.body, 'canceled');
    expect(ended.status).toBe(200);
    expect(ended.body).toContain('<Hangup/>');
    expect(parseDial(ended.body)).toBeNull();
    const inc = must((await incidents()).filter((i) => i.title.startsWith('Hotline call'))[0], 'a hotline incident');
    const hot = (await timeline(inc.id)).filter((e) => e.type.startsWith('hotline.'));
    expect(hot.map((e) => [e.type, e.message]).slice(1)).toEqual([
      ['hotline.dialing', 'Ringing Alice (1 of 2) for up to 15 s'],
      ['hotline.missed', 'The caller hung up while Alice was ringing'],
    ]);
  });

  it('a forged signature is a 403 and changes nothing; malformed Twilio fields are a 400', async () => {
    const before = (await incidents()).length;
    const forged = await t.twilio.callIn({ url: voiceUrl, from: CALLER, toNumber: HOTLINE, signWith: 'not-the-auth-token' });
    expect(forged.answer.status).toBe(403);
    expect(await incidents()).toHaveLength(before);

    // A forged Dial callback on a real call does not move it on.
    const { call, answer } = await t.twilio.callIn({ url: voiceUrl, from: CALLER, toNumber: HOTLINE });
    const inc = must((await incidents()).filter((i) => i.title.startsWith('Hotline call'))[0], 'a hotline incident');
    const forgedDial = await t.twilio.endDial(call, answer.body, 'completed', { signWith: 'not-the-auth-token' });
    expect(forgedDial.status).toBe(403);
    expect((await timeline(inc.id)).map((e) => e.type)).not.toContain('hotline.answered');
    const h = (await t.api('GET', `/api/v1/services/${serviceId}/hotlines`)).body.hotlines[0];
    expect(h).toMatchObject({ callsTaken: 5, callsRefused: 2 });

    const badStatus = await t.twilio.endDial(call, answer.body, 'exploded');
    expect(badStatus.status).toBe(400);
    expect(badStatus.body).toContain('DialCallStatus must be one of');
    const noSid = await t.twilio.post(voiceUrl, { From: CALLER, To: HOTLINE });
    expect(noSid.status).toBe(400);
    expect(noSid.body).toContain('CallSid');
    const unknown = await t.twilio.post(`${t.url}/integrations/v1/twilio/hotline/dial?call=nope&attempt=0`, { CallSid: call.sid, DialCallStatus: 'completed' });
    expect(unknown.status).toBe(404);
  });

  it('a number that is no hotline, and a disabled hotline, open nothing', async () => {
    const before = (await incidents()).length;
    const other = await t.twilio.callIn({ url: voiceUrl, from: CALLER, toNumber: '+15005550199' });
    expect(other.answer.body).toContain('not in service');
    const h = (await t.api('GET', `/api/v1/services/${serviceId}/hotlines`)).body.hotlines[0];
    expect((await t.api('PATCH', `/api/v1/services/${serviceId}/hotlines/${h.id}`, { enabled: false })).status).toBe(200);
    const off = await t.twilio.callIn({ url: voiceUrl, from: CALLER, toNumber: HOTLINE });
    expect(parseDial(off.answer.body)).toBeNull();
    expect(await incidents()).toHaveLength(before);
    expect((await t.api('DELETE', `/api/v1/services/${serviceId}/hotlines/${h.id}`)).status).toBe(204);
    expect((await t.api('GET', `/api/v1/services/${serviceId}/hotlines`)).body.hotlines).toEqual([]);
  });
});
