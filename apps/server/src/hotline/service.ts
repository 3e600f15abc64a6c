import { requirePermission, requirePermissionSomewhere, type Actor } from '../auth/actor.js';
import { audit } from '../audit.js';
import { inTransaction, type Ctx, type LiveEvent, type Tx } from '../context.js';
import { findPolicy } from '../escalation/service.js';
import { resolveTargets } from '../escalation/targets.js';
import { openIncident } from '../incident/lifecycle.js';
import { appendTimeline } from '../incident/timeline.js';
import { conflict, invalid, notFound } from '../lib/errors.js';
import { newId } from '../lib/ids.js';
import { parse } from '../lib/validate.js';
import { findService } from '../service/service.js';
import type { Service } from '../service/types.js';
import { listContactMethods, userNames } from '../user/store.js';
import { callerAllowed, maskNumber, normalizePhone, parseAllowList } from './phone.js';
import * as store from './store.js';
import { nccoDocument } from './ncco.js';
import { twimlDocument, type TwimlVerb } from './twiml.js';
import { HotlineInput, HotlinePatch, type Hotline } from './types.js';
import { must } from '../lib/must.js';

/** Where Twilio posts when the hotline number is called: paste it as the number's Voice webhook (HTTP POST). */
export function twilioVoiceUrl(publicUrl: string): string {
  return `${publicUrl}/integrations/v1/twilio/hotline`;
}

/** Where Twilio posts when a <Dial> of a hotline call ends (its `action`). */
export function twilioDialUrl(publicUrl: string, callId: string, attempt: number): string {
  return `${publicUrl}/integrations/v1/twilio/hotline/dial?call=${encodeURIComponent(callId)}&attempt=${attempt}`;
}

/** Where Vonage sends a call to a hotline number: the Voice application's answer URL (GET or POST). */
export function vonageAnswerUrl(publicUrl: string): string {
  return `${publicUrl}/integrations/v1/vonage/hotline/answer`;
}

/** Where Vonage posts the events of a hotline call's `connect` (its `eventUrl`, synchronous). */
export function vonageEventUrl(publicUrl: string, callId: string, attempt: number): string {
  return `${publicUrl}/integrations/v1/vonage/hotline/event?call=${encodeURIComponent(callId)}&attempt=${attempt}`;
}

export type HotlineProvider = 'twilio' | 'vonage';

/** How each provider is answered: the same steps (say, ring someone, hang up) as TwiML or as an NCCO. */
const RENDER: Record<
  HotlineProvider,
  { doc: (verbs: readonly TwimlVerb[]) => string; dialUrl: (publicUrl: string, callId: string, attempt: number) => string; webhookUrl: (publicUrl: string) => string }
> = {
  twilio: { doc: twimlDocument, dialUrl: twilioDialUrl, webhookUrl: twilioVoiceUrl },
  vonage: { doc: nccoDocument, dialUrl: vonageEventUrl, webhookUrl: vonageAnswerUrl },
};
const render = (provider: string) => RENDER[provider === 'vonage' ? 'vonage' : 'twilio'];

const DEFAULT_RING_SECONDS = 20;

type Stats = { taken: number; refused: number; lastAt: number | null };

function toHotline(r: store.HotlineRow, stats: Stats | undefined, publicUrl: string): Hotline {
  return {
    id: r.id,
    serviceId: r.service_id,
    name: r.name,
    provider: r.provider as Hotline['provider'],
    number: r.number,
    ringSeconds: r.ring_seconds,
    allowedCallers: JSON.parse(r.allowed_callers) as string[],
    enabled: r.enabled === 1,
    webhookUrl: render(r.provider).webhookUrl(publicUrl),
    callsTaken: stats?.taken ?? 0,
    callsRefused: stats?.refused ?? 0,
    lastCallAt: stats?.lastAt ?? null,
    createdAt: Number(r.created_at),
  };
}

async function withStats(db: Tx, rows: store.HotlineRow[], publicUrl: string): Promise<Hotline[]> {
  const stats = await store.callStats(
    db,
    rows.map((r) => r.id),
  );
  return rows.map((r) => toHotline(r, stats.get(r.id), publicUrl));
}

async function serviceOrFail(db: Tx, idOrName: string): Promise<Service> {
  const s = await findService(db, idOrName);
  if (!s) throw notFound('Service');
  return s;
}

/** The number and allow-list as written, normalised; a 400 that names each entry that is not a number. */
function numbers(number: string | undefined, allowed: readonly string[] | undefined): { number?: string; allowed?: string[] } {
  const problems: { path: string; message: string }[] = [];
  let n: string | undefined;
  if (number !== undefined) {
    n = normalizePhone(number) ?? undefined;
    if (n === undefined) problems.push({ path: 'number', message: `"${number.slice(0, 40)}" is not a phone number in E.164 form (+ then country code and number, e.g. +442079460000)` });
  }
  let list: string[] | undefined;
  if (allowed !== undefined) {
    const p = parseAllowList(allowed);
    list = p.numbers;
    for (const x of p.problems) problems.push({ path: `allowedCallers.${x.index}`, message: x.message });
  }
  if (problems.length) throw invalid(`Invalid hotline: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, problems);
  return { ...(n !== undefined && { number: n }), ...(list !== undefined && { allowed: list }) };
}

/** A service's hotlines. */
export async function listHotlines(ctx: Ctx, actor: Actor, serviceIdOrName: string): Promise<Hotline[]> {
  requirePermission(actor, 'read');
  const s = await serviceOrFail(ctx.db.kysely, serviceIdOrName);
  return withStats(ctx.db.kysely, await store.listByService(ctx.db.kysely, s.id), ctx.publicUrl);
}

/** Every hotline (config export). */
export async function allHotlines(ctx: Ctx, actor: Actor): Promise<Hotline[]> {
  requirePermission(actor, 'read');
  return withStats(ctx.db.kysely, await store.listAll(ctx.db.kysely), ctx.publicUrl);
}

/** One hotline of a service. */
export async function getHotline(ctx: Ctx, actor: Actor, serviceIdOrName: string, id: string): Promise<Hotline> {
  requirePermission(actor, 'read');
  const s = await serviceOrFail(ctx.db.kysely, serviceIdOrName);
  const r = await store.findById(ctx.db.kysely, s.id, id);
  if (!r) throw notFound('Hotline');
  return must((await withStats(ctx.db.kysely, [r], ctx.publicUrl))[0], 'the hotline with its stats');
}

/** Creates a hotline on a service. Admins only. */
export async function createHotline(ctx: Ctx, actor: Actor, serviceIdOrName: string, input: unknown): Promise<Hotline> {
  requirePermissionSomewhere(actor, 'admin');
  const v = parse(HotlineInput, input, 'hotline');
  const n = numbers(v.number, v.allowedCallers ?? []);
  const now = ctx.clock.now();
  return inTransaction(ctx, async (trx, live) => {
    live.push({ type: 'config' });
    const s = await serviceOrFail(trx, serviceIdOrName);
    requirePermission(actor, 'admin', s.teamId);
    const provider = v.provider ?? 'twilio';
    if (await store.findByName(trx, s.id, v.name)) throw conflict(`Service ${s.name} already has a hotline named "${v.name}"`);
    if (await store.findByNumber(trx, provider, must(n.number, 'n.number'))) throw conflict(`The number ${n.number} is already a hotline`);
    const row: store.HotlineRow = {
      id: newId(),
      service_id: s.id,
      name: v.name,
      provider,
      number: must(n.number, 'n.number'),
      ring_seconds: v.ringSeconds ?? DEFAULT_RING_SECONDS,
      allowed_callers: JSON.stringify(n.allowed ?? []),
      enabled: v.enabled === false ? 0 : 1,
      created_at: now,
      updated_at: now,
    };
    await store.insert(trx, row);
    await audit(trx, now, actor, 'hotline.create', row.id, { serviceId: s.id, name: v.name, number: row.number });
    return toHotline(row, undefined, ctx.publicUrl);
  });
}

/** Changes a hotline. Admins only. */
export async function updateHotline(ctx: Ctx, actor: Actor, serviceIdOrName: string, id: string, patch: unknown): Promise<Hotline> {
  requirePermissionSomewhere(actor, 'admin');
  const v = parse(HotlinePatch, patch, 'hotline');
  const n = numbers(v.number, v.allowedCallers);
  const now = ctx.clock.now();
  return inTransaction(ctx, async (trx, live) => {
    live.push({ type: 'config' });
    const s = await serviceOrFail(trx, serviceIdOrName);
    requirePermission(actor, 'admin', s.teamId);
    const r = await store.findById(trx, s.id, id);
    if (!r) throw notFound('Hotline');
    const next: store.HotlineRow = {
      ...r,
      name: v.name ?? r.name,
      provider: v.provider ?? r.provider,
      number: n.number ?? r.number,
      ring_seconds: v.ringSeconds ?? r.ring_seconds,
      allowed_callers: n.allowed === undefined ? r.allowed_callers : JSON.stringify(n.allowed),
      enabled: v.enabled === undefined ? r.enabled : v.enabled ? 1 : 0,
      updated_at: now,
    };
    if (next.name !== r.name && (await store.findByName(trx, s.id, next.name))) throw conflict(`Service ${s.name} already has a hotline named "${next.name}"`);
    if ((next.number !== r.number || next.provider !== r.provider) && (await store.findByNumber(trx, next.provider, next.number))) throw conflict(`The number ${next.number} is already a hotline`);
    const { id: _id, service_id: _s, created_at: _c, ...set } = next;
    await store.update(trx, r.id, set);
    await audit(trx, now, actor, 'hotline.update', r.id, { serviceId: s.id, name: next.name });
    return must((await withStats(trx, [next], ctx.publicUrl))[0], 'the hotline with its stats');
  });
}

/** Deletes a hotline (incidents its calls opened stay). Admins only. */
export async function deleteHotline(ctx: Ctx, actor: Actor, serviceIdOrName: string, id: string): Promise<void> {
  requirePermissionSomewhere(actor, 'admin');
  await inTransaction(ctx, async (trx, live) => {
    live.push({ type: 'config' });
    const s = await serviceOrFail(trx, serviceIdOrName);
    requirePermission(actor, 'admin', s.teamId);
    const r = await store.findById(trx, s.id, id);
    if (!r || !(await store.remove(trx, r.id))) throw notFound('Hotline');
    await audit(trx, ctx.clock.now(), actor, 'hotline.delete', r.id, { serviceId: s.id, name: r.name });
  });
}

// ---- calls ----

/** A person the hotline rings: on call on the service's policy, with a verified phone number. */
export interface Candidate {
  userId: string;
  name: string;
  number: string;
}

/**
 * Who a hotline call rings, in order: the people every level of the service's escalation policy
 * stands for at `now` (resolveTargets, as the engine pages them: schedules, overrides, teams),
 * level by level, each person once, each on their first verified, enabled voice number, else SMS
 * number. People without one are left out (they are still paged by the incident's escalation).
 */
export async function ringOrder(db: Tx, service: Service, now: number): Promise<Candidate[]> {
  if (!service.escalationPolicyId) return [];
  const policy = await findPolicy(db, service.escalationPolicyId);
  if (!policy) return [];
  const ids: string[] = [];
  for (const level of policy.levels) for (const id of (await resolveTargets(db, level.targets, now)).userIds) if (!ids.includes(id)) ids.push(id);
  if (!ids.length) return [];
  const names = new Map((await userNames(db, ids)).map((u) => [u.id, u.name]));
  const out: Candidate[] = [];
  for (const id of ids) {
    const methods = (await listContactMethods(db, id)).filter((m) => m.verified && !m.disabled && (m.type === 'voice' || m.type === 'sms'));
    const m = methods.find((x) => x.type === 'voice') ?? methods[0];
    if (m) out.push({ userId: id, name: names.get(id) ?? id, number: m.address });
  }
  return out;
}

const ANSWERED = new Set(['completed', 'answered']);
/** Twilio's documented DialCallStatus values. */
export const DIAL_CALL_STATUSES = ['completed', 'answered', 'busy', 'no-answer', 'failed', 'canceled'] as const;

const PAGED = 'Nobody could take your call right now. The on-call team has been paged and will get back to you. Goodbye.';
const REFUSED = 'Sorry, this line only takes calls from registered numbers. Please contact the team another way. Goodbye.';
const NOT_IN_SERVICE = 'Sorry, this number is not in service. Goodbye.';

function dial(publicUrl: string, call: store.HotlineCallRow, ringSeconds: number, c: Candidate, hotlineNumber: string | undefined): TwimlVerb {
  return { dial: { number: c.number, timeoutSeconds: ringSeconds, action: render(call.provider).dialUrl(publicUrl, call.id, call.attempt), ...(hotlineNumber && { callerId: hotlineNumber }) } };
}

/** What the provider is told for a call in its present state (a repeated webhook gets the same answer again). */
function replay(publicUrl: string, call: store.HotlineCallRow, h: store.HotlineRow | undefined): string {
  const doc = render(call.provider).doc;
  if (call.status === 'refused') return doc([{ say: REFUSED }, { hangup: true }]);
  const cs = JSON.parse(call.candidates) as Candidate[];
  const c = cs[call.attempt];
  if (call.status === 'ringing' && c) return doc([dial(publicUrl, call, h?.ring_seconds ?? DEFAULT_RING_SECONDS, c, h?.number)]);
  if (call.status === 'unanswered') return doc([{ say: PAGED }, { hangup: true }]);
  return doc([{ hangup: true }]);
}

async function dialing(trx: Tx, now: number, call: store.HotlineCallRow, c: Candidate, of: number, ringSeconds: number, live: LiveEvent[]): Promise<void> {
  await appendTimeline(
    trx,
    {
      incidentId: must(call.incident_id, 'call.incident_id'),
      at: now,
      type: 'hotline.dialing',
      actor: { type: 'system', name: 'Hotline' },
      via: 'voice',
      message: `Ringing ${c.name} (${call.attempt + 1} of ${of}) for up to ${ringSeconds} s`,
      data: { callId: call.id, userId: c.userId, attempt: call.attempt },
    },
    live,
  );
}

async function unanswered(trx: Tx, now: number, call: store.HotlineCallRow, why: string, live: LiveEvent[]): Promise<void> {
  await appendTimeline(
    trx,
    { incidentId: must(call.incident_id, 'call.incident_id'), at: now, type: 'hotline.unanswered', actor: { type: 'system', name: 'Hotline' }, via: 'voice', message: why, data: { callId: call.id } },
    live,
  );
}

/**
 * A call to a hotline number on Twilio (the Voice webhook, already signature-checked): the TwiML to
 * answer. An unknown number is "not in service"; a disabled hotline or a caller not on the
 * allow-list is refused politely and only counted; otherwise one incident is opened per CallSid
 * (a repeated webhook for the same call answers again without opening another) and the first
 * on-call person is dialled.
 */
export async function twilioIncomingCall(ctx: Ctx, p: { to: string; from: string; callSid: string }): Promise<string> {
  return incomingCall(ctx, 'twilio', p);
}

/** A call to a hotline number on Vonage (the answer webhook, already signature-checked): the NCCO to answer; as {@link twilioIncomingCall}, keyed on the call's uuid. */
export async function vonageIncomingCall(ctx: Ctx, p: { to: string; from: string; uuid: string }): Promise<string> {
  // Vonage writes numbers without the + (447700900000).
  const plus = (n: string) => (/^\d{7,15}$/.test(n) ? `+${n}` : n);
  return incomingCall(ctx, 'vonage', { to: plus(p.to), from: plus(p.from), callSid: p.uuid });
}

async function incomingCall(ctx: Ctx, provider: HotlineProvider, p: { to: string; from: string; callSid: string }): Promise<string> {
  try {
    return await openCall(ctx, provider, p);
  } catch (e) {
    // The same call posted twice at once (a retry racing the first request) on PostgreSQL: the
    // second insert breaks the unique (provider, call_sid) index and its transaction rolls back
    // (no second incident). It answers like a retry: the call as the first request left it.
    const call = await store.findCall(ctx.db.kysely, provider, p.callSid);
    if (!call) throw e;
    return replay(ctx.publicUrl, call, await store.findByIdAnyService(ctx.db.kysely, call.hotline_id));
  }
}

async function openCall(ctx: Ctx, provider: HotlineProvider, p: { to: string; from: string; callSid: string }): Promise<string> {
  const doc = render(provider).doc;
  const now = ctx.clock.now();
  let opened = false;
  const out = await inTransaction(ctx, async (trx, live) => {
    const existing = await store.findCall(trx, provider, p.callSid);
    if (existing) return replay(ctx.publicUrl, existing, await store.findByIdAnyService(trx, existing.hotline_id));
    const number = normalizePhone(p.to);
    const h = number === null ? undefined : await store.findByNumber(trx, provider, number);
    if (!h) {
      ctx.log.warn({ to: p.to }, 'hotline: a call to a number that is no hotline');
      return doc([{ say: NOT_IN_SERVICE }, { hangup: true }]);
    }
    const masked = maskNumber(p.from);
    const base = { id: newId(), hotline_id: h.id, provider, call_sid: p.callSid, from_number: p.from.slice(0, 40), answered_by: null, attempt: 0, created_at: now, updated_at: now };
    if (h.enabled !== 1 || !callerAllowed(JSON.parse(h.allowed_callers) as string[], p.from)) {
      await store.insertCall(trx, { ...base, status: 'refused', incident_id: null, candidates: '[]' });
      ctx.log.info({ hotline: h.name, from: masked, enabled: h.enabled === 1 }, 'hotline: call refused (caller not on the allow-list, or hotline disabled)');
      return doc([{ say: REFUSED }, { hangup: true }]);
    }
    const service = await findService(trx, h.service_id);
    if (!service) return doc([{ say: NOT_IN_SERVICE }, { hangup: true }]);
    const candidates = await ringOrder(trx, service, now);
    const title = `Hotline call to ${h.name} from ${masked}`;
    const details = `hotline: ${h.name} (${h.number})\ncaller: ${masked}\ncall: ${p.callSid}`;
    const inc = await openIncident(trx, now, { service, title, severity: 'critical', details, groupKey: null, actor: { type: 'system', name: `Hotline ${h.name}` }, via: 'voice' }, live);
    opened = true;
    const call: store.HotlineCallRow = { ...base, status: candidates.length ? 'ringing' : 'unanswered', incident_id: inc.id, candidates: JSON.stringify(candidates) };
    await store.insertCall(trx, call);
    await appendTimeline(
      trx,
      {
        incidentId: inc.id,
        at: now,
        type: 'hotline.call',
        actor: { type: 'system', name: 'Hotline' },
        via: 'voice',
        message: `Hotline ${h.name} (${h.number}) received a call from ${masked}; ${candidates.length ? `ringing ${candidates.map((c) => c.name).join(', then ')}` : 'nobody on call has a phone number to ring'}`,
        data: { hotlineId: h.id, callId: call.id, from: masked, ringOrder: candidates.map((c) => ({ userId: c.userId, name: c.name })) },
      },
      live,
    );
    const greeting = `You have reached the ${service.name} hotline. Incident ${inc.number} is open and the on-call team is being paged.`;
    const first = candidates[0];
    if (!first) {
      await unanswered(trx, now, call, 'Nobody answered the hotline call: nobody on call has a verified phone number. The caller was told the team has been paged.', live);
      return doc([{ say: greeting }, { say: PAGED }, { hangup: true }]);
    }
    await dialing(trx, now, call, first, candidates.length, h.ring_seconds, live);
    return doc([{ say: `${greeting} Connecting you to the engineer on call.` }, dial(ctx.publicUrl, call, h.ring_seconds, first, h.number)]);
  });
  if (opened) ctx.wake();
  return out;
}

/**
 * The end of a hotline <Dial> (its action callback, already signature-checked): answered records who
 * answered and hangs up; not answered (no-answer, busy, failed) rings the next person, or, with
 * nobody left, tells the caller the team has been paged. The move is a compare-and-set on the
 * call's attempt, so a repeated callback changes nothing and gets the same TwiML. Null: no such call.
 */
export async function twilioDialEnded(
  ctx: Ctx,
  p: { callId: string; attempt: number; callSid: string; dialCallStatus: (typeof DIAL_CALL_STATUSES)[number]; duration: number | null },
): Promise<string | null> {
  const outcome = ANSWERED.has(p.dialCallStatus) ? 'answered' : p.dialCallStatus === 'canceled' ? 'canceled' : 'missed';
  return dialEnded(ctx, 'twilio', { callId: p.callId, attempt: p.attempt, callSid: p.callSid, outcome, status: p.dialCallStatus, duration: p.duration });
}

/**
 * An event of a hotline call's `connect` on Vonage (already signature-checked). `answered` records
 * who answered (answered 204: the conversation goes on); timeout, unanswered,
 * busy, failed and rejected ring the next person (the NCCO answered replaces the current one, as
 * the synchronous connect documents); cancelled ends it. Null: no such call; undefined: an event
 * that changes nothing (started, ringing, completed...).
 */
export async function vonageConnectEvent(ctx: Ctx, p: { callId: string; attempt: number; status: string; duration: number | null }): Promise<string | null | undefined> {
  const outcome = p.status === 'answered' ? 'answered' : p.status === 'cancelled' ? 'canceled' : VONAGE_MISSED.has(p.status) ? 'missed' : null;
  if (outcome === null) return undefined;
  const out = await dialEnded(ctx, 'vonage', { callId: p.callId, attempt: p.attempt, callSid: null, outcome, status: p.status, duration: p.duration });
  // Only a failed state's answer replaces the running NCCO; after answered or cancelled nothing is sent back.
  return out === null ? null : outcome === 'missed' ? out : undefined;
}

/** Vonage's failed states of a synchronous connect. */
const VONAGE_MISSED = new Set(['timeout', 'unanswered', 'busy', 'failed', 'rejected']);

async function dialEnded(
  ctx: Ctx,
  provider: HotlineProvider,
  p: { callId: string; attempt: number; callSid: string | null; outcome: 'answered' | 'canceled' | 'missed'; status: string; duration: number | null },
): Promise<string | null> {
  const now = ctx.clock.now();
  const doc = render(provider).doc;
  return inTransaction(ctx, async (trx, live) => {
    const call = await store.findCallById(trx, p.callId);
    if (!call || call.provider !== provider || (p.callSid !== null && call.call_sid !== p.callSid)) return null;
    const h = await store.findByIdAnyService(trx, call.hotline_id);
    const ring = h?.ring_seconds ?? DEFAULT_RING_SECONDS;
    const cs = JSON.parse(call.candidates) as Candidate[];
    const c = cs[p.attempt];
    if (!c || call.incident_id === null) return replay(ctx.publicUrl, call, h);
    const actor = { type: 'system' as const, name: 'Hotline' };
    if (p.outcome === 'answered') {
      if (!(await store.advanceCall(trx, call.id, p.attempt, { status: 'answered', answered_by: c.userId, updated_at: now }))) return replay(ctx.publicUrl, call, h);
      await appendTimeline(
        trx,
        {
          incidentId: call.incident_id,
          at: now,
          type: 'hotline.answered',
          actor,
          via: 'voice',
          message: `${c.name} answered the hotline call${p.duration !== null ? ` (talked ${p.duration} s)` : ''}`,
          data: { callId: call.id, userId: c.userId, attempt: p.attempt },
        },
        live,
      );
      return doc([{ hangup: true }]);
    }
    if (p.outcome === 'canceled') {
      if (!(await store.advanceCall(trx, call.id, p.attempt, { status: 'ended', updated_at: now }))) return replay(ctx.publicUrl, call, h);
      await appendTimeline(
        trx,
        {
          incidentId: call.incident_id,
          at: now,
          type: 'hotline.missed',
          actor,
          via: 'voice',
          message: `The caller hung up while ${c.name} was ringing`,
          data: { callId: call.id, userId: c.userId, attempt: p.attempt, status: p.status },
        },
        live,
      );
      return doc([{ hangup: true }]);
    }
    const next = p.attempt + 1;
    const nc = cs[next];
    const moved = nc
      ? await store.advanceCall(trx, call.id, p.attempt, { attempt: next, updated_at: now })
      : await store.advanceCall(trx, call.id, p.attempt, { status: 'unanswered', updated_at: now });
    if (!moved) {
      const fresh = await store.findCallById(trx, call.id);
      return replay(ctx.publicUrl, fresh ?? call, h);
    }
    await appendTimeline(
      trx,
      {
        incidentId: call.incident_id,
        at: now,
        type: 'hotline.missed',
        actor,
        via: 'voice',
        message: `${c.name} did not answer (${p.status})`,
        data: { callId: call.id, userId: c.userId, attempt: p.attempt, status: p.status },
      },
      live,
    );
    if (!nc) {
      await unanswered(trx, now, call, 'Nobody answered the hotline call. The caller was told the team has been paged; the incident keeps escalating.', live);
      return doc([{ say: PAGED }, { hangup: true }]);
    }
    const moved2 = { ...call, attempt: next };
    await dialing(trx, now, moved2, nc, cs.length, ring, live);
    return doc([{ say: 'Trying the next engineer on call.' }, dial(ctx.publicUrl, moved2, ring, nc, h?.number)]);
  });
}
