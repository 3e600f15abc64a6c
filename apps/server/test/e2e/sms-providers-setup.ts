/** Shared by the SMS-provider end-to-end tests: Klaxon with fake Vonage (and the harness's fake Twilio), and responders verified through whichever provider reached them. */
import { generateKeyPairSync } from 'node:crypto';
import { expect } from 'vitest';
import type { KlaxonConfig } from '../../src/app/config.js';
import type { DialectName } from '../../src/lib/db/index.js';
import { must } from '../../src/lib/must.js';
import { FakePlivo } from '../fakes/plivo/server.js';
import { FakeTelnyx } from '../fakes/telnyx/server.js';
import { FakeVonage } from '../fakes/vonage/server.js';
import { capture, startTestKlaxon, type TestKlaxon } from '../harness.js';

export interface ProvidersKlaxon extends TestKlaxon {
  vonage: FakeVonage;
  plivo: FakePlivo;
  telnyx: FakeTelnyx;
}

/** Starts Klaxon with Twilio (from the harness) and Vonage (SMS and voice) configured; `over` adds routes and order. */
export async function startWithProviders(dialect: DialectName, over: Partial<KlaxonConfig> = {}): Promise<ProvidersKlaxon> {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
  let clock: () => number = () => Date.now();
  const vonage = new FakeVonage({ clock: () => clock(), applicationPublicKey: publicKey });
  const plivo = new FakePlivo();
  const telnyx = new FakeTelnyx(() => clock());
  const [{ url }, pl, tx] = await Promise.all([vonage.start(), plivo.start(), telnyx.start()]);
  const t = await startTestKlaxon(dialect, {
    vonage: { apiKey: vonage.apiKey, apiSecret: vonage.apiSecret, signatureSecret: vonage.signatureSecret, fromNumber: vonage.number, baseUrl: url, applicationId: vonage.applicationId, privateKey },
    plivo: { authId: plivo.authId, authToken: plivo.authToken, fromNumber: plivo.number, baseUrl: pl.url },
    telnyx: { apiKey: telnyx.apiKey, publicKey: telnyx.publicKey, fromNumber: telnyx.number, baseUrl: tx.url, connectionId: telnyx.connectionId },
    // These files page the same people many times on one server and follow each page through its
    // provider: no rate limits or bundles here (storm-bundling.test.ts tests those).
    pageLimits: {},
    pageBundling: false,
    ...over,
  });
  clock = () => t.clock.now();
  const stop = t.stop.bind(t);
  return Object.assign(t, { vonage, plivo, telnyx, stop: async () => (await stop(), await Promise.all([vonage.close(), plivo.close(), telnyx.close()])) });
}

/** The verification code that reached `phone` by SMS or call through either provider. */
async function codeFor(t: ProvidersKlaxon, type: 'sms' | 'voice', phone: string): Promise<string> {
  const digits = phone.slice(1);
  if (type === 'sms') {
    const v = t.vonage.messages.items.find((m) => m.to === digits && /verification/i.test(m.text));
    const tw = t.twilio.messages.find((m) => m.to === phone && /verification/i.test(m.body));
    const pl = t.plivo.messages.items.find((m) => m.dst === digits && /verification/i.test(m.text));
    const tx = t.telnyx.messages.items.find((m) => m.to === phone && /verification/i.test(m.text));
    const text = v?.text ?? tw?.body ?? pl?.text ?? tx?.text;
    expect(text, `a verification SMS to ${phone}`).toBeDefined();
    return capture(/\b(\d{6})\b/, must(text, `a verification SMS to ${phone}`));
  }
  const call = t.vonage.calls.items.find((c) => c.to === digits);
  if (call) return capture(/verification code is ([\d, ]+?)\./, String(must(call.ncco[0], 'the first NCCO action of the call').text)).replace(/\D/g, '');
  const xc = t.telnyx.calls.items.find((c) => c.to === phone);
  if (xc) {
    await t.telnyx.callEvent(xc, 'call.answered');
    const said = await t.telnyx.commands.waitFor((c) => c.call_control_id === xc.call_control_id && c.action === 'gather_using_speak');
    return capture(/verification code is ([\d, ]+?)\./, String(said.body.payload)).replace(/\D/g, '');
  }
  const pc = t.plivo.calls.items.find((c) => c.to === digits);
  if (pc) return capture(/verification code is ([\d, ]+?)\./, (await t.plivo.answerCall(pc)).text).replace(/\D/g, '');
  const tc = t.twilio.calls.find((c) => c.to === phone);
  expect(tc, `a verification call to ${phone}`).toBeDefined();
  return capture(/verification code is ([\d, ]+?)\./, await t.twilio.fetchTwiml(must(tc, `a verification call to ${phone}`))).replace(/\D/g, '');
}

/** A responder with phone contact methods (verified) and rules, and a service whose policy pages only them. Returns the service's integration key. */
export async function phoneResponder(
  t: ProvidersKlaxon,
  o: { name: string; phone: string; rules: { type: 'sms' | 'voice'; delayMinutes: number }[] },
): Promise<{ id: string; key: string; methods: Record<string, string> }> {
  const slug = o.name.toLowerCase();
  const u = await t.api('POST', '/api/v1/users', { email: `${slug}@example.com`, name: o.name, role: 'responder', timeZone: 'Europe/London' });
  expect(u.status).toBe(201);
  const id = u.body.user.id as string;
  const methods: Record<string, string> = {};
  for (const rule of o.rules) {
    if (methods[rule.type]) continue;
    const cm = await t.api('POST', `/api/v1/users/${id}/contact-methods`, { name: rule.type, type: rule.type, address: o.phone });
    expect(cm.status).toBe(201);
    await t.cycle();
    const v = await t.api('POST', `/api/v1/contact-methods/${cm.body.contactMethod.id}/verify`, { code: await codeFor(t, rule.type, o.phone) });
    expect(v.status).toBe(200);
    methods[rule.type] = cm.body.contactMethod.id;
  }
  for (const rule of o.rules) expect((await t.api('POST', `/api/v1/users/${id}/notification-rules`, { contactMethodId: methods[rule.type], delayMinutes: rule.delayMinutes })).status).toBe(201);
  const policy = await t.api('POST', '/api/v1/escalation-policies', { name: `${o.name} policy`, levels: [{ delayMinutes: 30, targets: [{ type: 'user', id }] }] });
  const svc = await t.api('POST', '/api/v1/services', { name: `${slug}-svc`, escalationPolicyId: policy.body.escalationPolicy.id });
  const integ = await t.api('POST', `/api/v1/services/${svc.body.service.id}/integrations`, { name: 'generic', kind: 'generic' });
  return { id, key: integ.body.integration.key as string, methods };
}

/** Triggers an alert on the integration and runs a cycle; returns the incident's number. */
export async function trigger(t: TestKlaxon, key: string, summary: string): Promise<number> {
  const r = await fetch(`${t.url}/integrations/v1/generic/${key}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ dedup_key: summary, summary, severity: 'critical', source: 'host-1' }),
  });
  expect(r.status).toBe(202);
  await t.cycle();
  const list = await t.api('GET', '/api/v1/incidents?limit=50');
  const inc = (list.body.incidents as { number: number; title: string }[]).find((i) => i.title === summary);
  expect(inc, summary).toBeDefined();
  return must(inc, `the incident ${summary}`).number;
}

/** The incident's status and timeline. */
export async function incidentState(t: TestKlaxon, n: number): Promise<{ status: string; timeline: { type: string; message: string; data?: Record<string, unknown> }[] }> {
  const inc = await t.api('GET', `/api/v1/incidents/${n}`);
  const tl = await t.api('GET', `/api/v1/incidents/${n}/timeline`);
  return { status: inc.body.incident.status as string, timeline: tl.body.timeline };
}
