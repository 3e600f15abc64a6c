import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderVoiceGatherResult, renderVoiceTwiml } from '../../src/notify/render/voice.js';
import { createTwilioProviders } from '../../src/notify/providers/twilio/index.js';
import { validateTwilioSignature } from '../../src/notify/providers/twilio/signature.js';
import { outgoing, samplePage } from './messages.js';
import { FakeTwilio, parseGather } from './twilio.js';
import { closeServer, listenLocal, parseForm, readBody } from './util.js';

const twilio = new FakeTwilio();
let apiUrl = '';
let klaxon: Server;
let klaxonUrl = '';
const inbound: Record<string, string>[] = [];

// A stand-in for Klaxon's Twilio webhooks: checks signatures, serves TwiML, answers digits.
beforeAll(async () => {
  apiUrl = (await twilio.start()).url;
  klaxon = createServer((req, res) => {
    void readBody(req).then((raw) => {
      const url = `${klaxonUrl}${req.url ?? ''}`;
      const params = parseForm(raw.toString('utf8'));
      if (!validateTwilioSignature(twilio.authToken, req.headers['x-twilio-signature'], url, params)) {
        res.writeHead(403).end('bad signature');
        return;
      }
      const path = new URL(url).pathname;
      res.setHeader('Content-Type', 'text/xml');
      if (path === '/sms') {
        inbound.push(params);
        res.end('<?xml version="1.0" encoding="UTF-8"?><Response></Response>');
      } else if (path === '/voice') {
        // Relative action URL: the fake must resolve it against the call URL, like Twilio.
        res.end(renderVoiceTwiml(samplePage(), { gatherUrl: '/gather?m=1&x=y' }));
      } else if (path === '/gather') {
        const text = params.Digits === '4' ? 'Incident 42 acknowledged. Goodbye.' : params.Digits === '6' ? 'Incident 42 resolved. Goodbye.' : 'Unknown key.';
        res.end(renderVoiceGatherResult(`${text} (${params.CallSid})`));
      } else if (path === '/status') {
        inbound.push(params);
        res.end('');
      } else {
        res.writeHead(404).end();
      }
    });
  });
  klaxonUrl = await listenLocal(klaxon);
});
afterAll(async () => {
  await twilio.close();
  await closeServer(klaxon);
});

describe('FakeTwilio', () => {
  it('sends a correctly signed inbound SMS with Twilio field names', async () => {
    const answer = await twilio.sendInboundSms({ to: `${klaxonUrl}/sms`, from: '+14155550100', body: '42A' });
    expect(answer.status).toBe(200);
    const p = inbound.at(-1) ?? {};
    expect(p).toMatchObject({ From: '+14155550100', To: twilio.phoneNumber, Body: '42A', AccountSid: twilio.accountSid, NumSegments: '1', SmsStatus: 'received', ApiVersion: '2010-04-01' });
    expect(p.MessageSid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(p.SmsSid).toBe(p.MessageSid);
  });

  it('signs with another token on request, which a receiver rejects', async () => {
    const answer = await twilio.sendInboundSms({ to: `${klaxonUrl}/sms`, from: '+14155550100', body: '42A', signWith: 'wrong' });
    expect(answer.status).toBe(403);
  });

  it('answers a call: fetches the TwiML, follows the Gather action and posts the digits', async () => {
    const { voice } = createTwilioProviders({
      baseUrl: apiUrl,
      accountSid: twilio.accountSid,
      authToken: twilio.authToken,
      sms: { from: twilio.phoneNumber },
      voice: { from: twilio.phoneNumber, voiceUrl: () => `${klaxonUrl}/voice`, statusCallback: `${klaxonUrl}/status` },
    });
    const { providerMessageId } = await voice.send(outgoing('voice', '+14155550111', samplePage(), 'call-1'));
    const call = await twilio.waitForCall((c) => c.sid === providerMessageId);
    const final = await twilio.answerCall(call, '4');
    expect(final).toContain(`<Say>Incident 42 acknowledged. Goodbye. (${call.sid})</Say><Hangup/>`);
    expect(call.twiml).toContain('Press 4 to acknowledge');
    expect(parseGather(call.twiml ?? '')).toEqual({ action: '/gather?m=1&x=y', method: 'POST' });
    expect(await twilio.answerCall(call, '6')).toContain('Incident 42 resolved.');

    const cb = await twilio.sendStatusCallback(call, 'completed');
    expect(cb.status).toBe(200);
    expect(inbound.at(-1)).toMatchObject({ CallSid: call.sid, CallStatus: 'completed', To: '+14155550111' });
  });

  it('answers Twilio-shaped errors: 401 for bad credentials, 404 for unknown resources', async () => {
    const path = `/2010-04-01/Accounts/${twilio.accountSid}/Messages.json`;
    const bad = await fetch(`${apiUrl}${path}`, {
      method: 'POST',
      headers: { Authorization: `Basic ${Buffer.from(`${twilio.accountSid}:nope`).toString('base64')}`, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'To=%2B14155550100&From=%2B15005550006&Body=hi',
    });
    expect(bad.status).toBe(401);
    expect(await bad.json()).toMatchObject({ code: 20003, message: 'Authenticate', status: 401 });
    const auth = `Basic ${Buffer.from(`${twilio.accountSid}:${twilio.authToken}`).toString('base64')}`;
    const missing = await fetch(`${apiUrl}/2010-04-01/Accounts/${twilio.accountSid}/Messages/SMnope.json`, { headers: { Authorization: auth } });
    expect(missing.status).toBe(404);
    const noBody = await fetch(`${apiUrl}${path}`, {
      method: 'POST',
      headers: { Authorization: auth, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'To=%2B14155550100&From=%2B15005550006',
    });
    expect(await noBody.json()).toMatchObject({ code: 21602, status: 400 });
  });

  it('waitForMessage is event-driven and times out with a clear error', async () => {
    const pending = twilio.waitForMessage((m) => m.body === 'later', 2000);
    const auth = `Basic ${Buffer.from(`${twilio.accountSid}:${twilio.authToken}`).toString('base64')}`;
    await fetch(`${apiUrl}/2010-04-01/Accounts/${twilio.accountSid}/Messages.json`, {
      method: 'POST',
      headers: { Authorization: auth, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'To=%2B14155550100&From=%2B15005550006&Body=later',
    });
    const m = await pending;
    expect(m.body).toBe('later');
    const got = await fetch(`${apiUrl}/2010-04-01/Accounts/${twilio.accountSid}/Messages/${m.sid}.json`, { headers: { Authorization: auth } });
    expect(await got.json()).toMatchObject({ sid: m.sid, status: 'queued', body: 'later' });
    await expect(twilio.waitForMessage((x) => x.body === 'never', 50)).rejects.toThrow(/nothing matching within 50 ms/);
  });
});
