/**
 * Vonage's side of a Voice application's webhooks, for tests, written from Vonage's documentation:
 *
 * - Answer webhook: when a call to a Vonage number comes in, Vonage requests the application's
 *   answer_url, by default GET with `to`, `from`, `uuid` and `conversation_uuid` in the query (numbers
 *   without the +, e.g. 447700900000), or POST with the same fields as a JSON body; it runs the NCCO
 *   (a JSON array of actions) answered.
 * - A `connect` action with `eventType: synchronous`: when the call it places ends in a failed state
 *   (timeout, unanswered, busy, failed, rejected) Vonage POSTs an event (JSON: `status`, `uuid`,
 *   `conversation_uuid`, `from`, `to`, `direction`, `timestamp`) to the action's `eventUrl` and runs the
 *   NCCO answered instead of the rest of the current one; an `answered` event is posted when it is
 *   picked up.
 * - Signed webhooks: each request carries `Authorization: Bearer <JWT>`, HS256 with the account's
 *   signature secret; its claims include `iat`, `jti`, `iss`, `api_key`, `application_id` and
 *   `payload_hash`, the SHA-256 (hex) of the JSON of the body (or of the query parameters for a GET).
 */
import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';

/** A call into a Vonage number of the fake's application. */
export interface FakeVonageCall {
  uuid: string;
  conversationUuid: string;
  /** Without the +. */
  from: string;
  to: string;
  /** The numbers each connect of the call rang, in order (without the +). */
  connected: string[];
}

export interface VonageAnswer {
  status: number;
  body: string;
  contentType: string;
}

type Ncco = { action: string; eventUrl?: string[]; eventType?: string; timeout?: number; from?: string; endpoint?: { type: string; number?: string }[]; text?: string }[];

/** The first connect action of an NCCO (JSON text), or null. */
export function connectOf(ncco: string): Ncco[number] | null {
  const parsed = JSON.parse(ncco) as Ncco;
  return parsed.find((a) => a.action === 'connect') ?? null;
}

/** Plays Vonage's side of a Voice application's answer and event webhooks, signed. */
export class FakeVonageVoice {
  readonly signatureSecret: string;
  readonly apiKey = 'abcd1234';
  readonly applicationId = randomUUID();

  constructor(opts: { signatureSecret?: string } = {}) {
    this.signatureSecret = opts.signatureSecret ?? randomBytes(24).toString('hex');
  }

  /** The JWT Vonage puts in Authorization for `payload` (the JSON hashed into payload_hash). */
  sign(payload: string, secret = this.signatureSecret): string {
    const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const header = enc({ alg: 'HS256', typ: 'JWT' });
    const claims = enc({
      iat: Math.floor(Date.now() / 1000),
      jti: randomUUID(),
      iss: 'Vonage',
      payload_hash: createHash('sha256').update(payload).digest('hex'),
      api_key: this.apiKey,
      application_id: this.applicationId,
    });
    const sig = createHmac('sha256', secret).update(`${header}.${claims}`).digest('base64url');
    return `${header}.${claims}.${sig}`;
  }

  /** An incoming call from `from` to `to` (E.164 or bare digits): requests the answer URL (GET by default) and returns the call and the NCCO answered. */
  async callIn(opts: { answerUrl: string; from: string; to: string; method?: 'GET' | 'POST'; signWith?: string }): Promise<{ call: FakeVonageCall; answer: VonageAnswer }> {
    const bare = (n: string) => n.replace(/^\+/, '');
    const call: FakeVonageCall = { uuid: randomUUID(), conversationUuid: `CON-${randomUUID()}`, from: bare(opts.from), to: bare(opts.to), connected: [] };
    const params = { to: call.to, from: call.from, uuid: call.uuid, conversation_uuid: call.conversationUuid };
    let res: Response;
    if ((opts.method ?? 'GET') === 'GET') {
      const u = new URL(opts.answerUrl);
      for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
      res = await fetch(u, { headers: { authorization: `Bearer ${this.sign(JSON.stringify(params), opts.signWith)}` } });
    } else {
      const body = JSON.stringify(params);
      res = await fetch(opts.answerUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${this.sign(body, opts.signWith)}` }, body });
    }
    const answer = { status: res.status, body: await res.text(), contentType: res.headers.get('content-type') ?? '' };
    this.noteConnect(call, answer);
    return { call, answer };
  }

  /** An event of the connect in `ncco` (timeout, unanswered, busy, failed, rejected, answered, cancelled...), POSTed signed to its eventUrl. */
  async connectEvent(call: FakeVonageCall, ncco: string, status: string, opts: { signWith?: string } = {}): Promise<VonageAnswer> {
    const c = connectOf(ncco);
    if (!c?.eventUrl?.[0]) throw new Error(`FakeVonageVoice: no connect with an eventUrl in ${ncco}`);
    const to = c.endpoint?.[0]?.number ?? '';
    const body = JSON.stringify({ from: call.to, to, uuid: randomUUID(), conversation_uuid: call.conversationUuid, status, direction: 'outbound', timestamp: new Date().toISOString() });
    const res = await fetch(c.eventUrl[0], { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${this.sign(body, opts.signWith)}` }, body });
    const answer = { status: res.status, body: await res.text(), contentType: res.headers.get('content-type') ?? '' };
    this.noteConnect(call, answer);
    return answer;
  }

  private noteConnect(call: FakeVonageCall, answer: VonageAnswer): void {
    if (answer.status !== 200 || !answer.contentType.includes('json')) return;
    const c = connectOf(answer.body);
    if (c?.endpoint?.[0]?.number) call.connected.push(c.endpoint[0].number);
  }
}
