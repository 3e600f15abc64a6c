import type { IncidentTrace } from '@klaxon/contract';
import { requirePermission, type Actor } from '../auth/actor.js';
import type { Ctx } from '../context.js';
import { notFound } from '../lib/errors.js';
import { traceRows } from './store.js';
import type { Policy } from './types.js';
import type { RuleTraceEntry } from '../rules/types.js';

function parseJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}

/**
 * Event rules evaluated on an incident's alerts, from what ingest recorded on each alert event
 * (`alert_events.rule_trace`, docs/event-rules.md): every rule that matched or failed in full (with
 * its actions or error), and each one evaluated that did not match by id. Empty: no event rules.
 */
function eventRules(events: readonly { alert_id: string | null; rule_trace?: string | null }[], snapshots: readonly { id: string; rules: string }[]): IncidentTrace['rules'] {
  const out: IncidentTrace['rules'] = [];
  const lists = new Map(snapshots.map((s) => [s.id, parseJson(s.rules) as [string, string, string][]]));
  for (const e of events) {
    if (!e.alert_id || !e.rule_trace) continue;
    const t = parseJson(e.rule_trace) as { rules?: RuleTraceEntry[]; notMatched?: string[]; snapshot?: string; catchAll?: boolean; suppressed?: boolean } | null;
    if (!t || typeof t !== 'object') continue;
    for (const r of t.rules ?? []) {
      const detail =
        r.result === 'failed' ? `failed to evaluate (counted as not matching): ${r.error ?? 'error'}` : r.actions ? `${r.scope} rule; actions ${JSON.stringify(r.actions)}` : `${r.scope} rule`;
      out.push({ alertId: e.alert_id, rule: r.name, matched: r.result === 'matched', detail });
    }
    for (const id of t.notMatched ?? []) out.push({ alertId: e.alert_id, rule: id, matched: false, detail: 'did not match (rule id)' });
    // Newer traces name the snapshot of the rules evaluated: each one not listed above did not match.
    const list = t.snapshot ? lists.get(t.snapshot) : undefined;
    if (list) {
      const seen = new Set((t.rules ?? []).map((r) => r.ruleId));
      for (const [id, name, scope] of list) if (!seen.has(id)) out.push({ alertId: e.alert_id, rule: name, matched: false, detail: `${scope} rule; did not match` });
    }
    if (t.catchAll) out.push({ alertId: e.alert_id, rule: 'catch-all', matched: true, detail: 'its route named no existing service: sent to the catch-all service' });
  }
  return out;
}

const utc = (ms: number) => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/** True for a delivery attempt the provider refused for its rate limit (HTTP 429, Twilio's 20429): retried later. */
export function rateLimitedAttempt(a: { providerStatus: string | null; error: string | null }): boolean {
  return /(^|_)(429|20429)$/.test(a.providerStatus ?? '') || /\b429\b|too many requests|rate limit/i.test(a.error ?? '');
}

/** The event rule that paused the incident: the last matched rule with `pauseMinutes` on its alerts' events. */
function pausingRule(events: readonly { alert_id: string | null; rule_trace?: string | null }[]): { name: string; minutes: number } | null {
  let found: { name: string; minutes: number } | null = null;
  for (const e of events) {
    if (!e.alert_id || !e.rule_trace) continue;
    const t = parseJson(e.rule_trace) as { rules?: RuleTraceEntry[]; pauseMinutes?: number } | null;
    if (!t || typeof t !== 'object' || t.pauseMinutes === undefined) continue;
    const r = [...(t.rules ?? [])].reverse().find((x) => x.result === 'matched' && x.actions?.pauseMinutes !== undefined);
    found = { name: r?.name ?? 'an event rule', minutes: t.pauseMinutes };
    break; // the event that opened the incident decided its hold
  }
  return found;
}

/**
 * The notification decisions the timeline does not hold as escalation events, made from what was
 * recorded: an event rule's pause (the incident held, snoozed, until then), a snooze by a person, and
 * each page a provider refused for its rate limit (retried later).
 */
function notificationDecisions(
  lifecycle: readonly { at: number; type: string; message: string; data: string; channel: string }[],
  events: readonly { alert_id: string | null; rule_trace?: string | null }[],
  deliveries: IncidentTrace['deliveries'],
): IncidentTrace['decisions'] {
  const out: IncidentTrace['decisions'] = [];
  const pause = pausingRule(events);
  let first = true;
  for (const e of lifecycle) {
    if (e.type !== 'incident.snoozed') continue;
    const d = (parseJson(e.data) ?? {}) as { until?: number; minutes?: number };
    const until = Number(d.until);
    if (first && pause && e.channel === 'ingest') {
      out.push({
        at: Number(e.at),
        type: 'notification.paused',
        message: `Held until ${utc(until)} because rule "${pause.name}" pauses ${pause.minutes} minute${pause.minutes === 1 ? '' : 's'}: nobody is paged unless the alert is still open then`,
        data: { until, minutes: pause.minutes, rule: pause.name },
      });
    } else {
      out.push({ at: Number(e.at), type: 'notification.snoozed', message: `${e.message}: nobody is paged until then`, data: { until, minutes: d.minutes ?? null } });
    }
    first = false;
  }
  for (const n of deliveries)
    for (const m of n.messages)
      for (const a of m.attempts)
        if (rateLimitedAttempt(a))
          out.push({
            at: a.at,
            type: 'notification.rate_limited',
            message: `The ${n.channel} page to ${n.user} was refused by the provider's rate limit (${a.providerStatus ?? 'HTTP 429'})${a.status === 'retrying' ? ': retried later' : ''}`,
            data: { userId: n.userId, channel: n.channel, messageId: m.id, providerStatus: a.providerStatus },
          });
  return out;
}

/** `{ bundle: { id, incidents } }` for a message about several incidents, else nothing. */
function bundleOf(content: string): { bundle?: { id: string; incidents: number } } {
  if (!content.includes('"bundle"')) return {};
  const m = parseJson(content) as { bundle?: { id?: unknown; items?: unknown[] } } | null;
  return m?.bundle && typeof m.bundle.id === 'string' && Array.isArray(m.bundle.items) ? { bundle: { id: m.bundle.id, incidents: m.bundle.items.length } } : {};
}

/**
 * An incident's routing trace, read from what was recorded when each decision was made: the alerts
 * and raw payloads, the policy snapshot, the escalation timeline (with who was on call and why), the
 * notifications, their messages and delivery attempts. Ends with one sentence on who was paged, or why nobody was.
 */
export async function incidentTrace(ctx: Ctx, actor: Actor, idOrNumber: string): Promise<IncidentTrace> {
  requirePermission(actor, 'read');
  const r = await traceRows(ctx.db.kysely, idOrNumber);
  if (!r) throw notFound('Incident');
  const policy = r.inc.policy_snapshot ? (JSON.parse(r.inc.policy_snapshot) as Policy) : null;
  const decisions = r.timeline.map((e) => ({ at: Number(e.at), type: e.type, message: e.message, data: (parseJson(e.data) ?? {}) as Record<string, unknown> }));
  const attemptsOf = (id: string) => r.attempts.filter((a) => a.message_id === id).map((a) => ({ at: Number(a.at), status: a.status, providerStatus: a.provider_status, error: a.error }));
  const deliveries = r.notifications.map((n) => ({
    userId: n.user_id,
    user: n.user_name,
    channel: n.channel,
    contactMethod: n.cm_name,
    step: Number(n.step),
    dueAt: Number(n.due_at),
    decision: n.status,
    ...(n.held_at != null && { heldAt: Number(n.held_at) }),
    // The message that carried this notification (recorded since bundles); before that, the first message to
    // this contact method for this incident from the notification's due time on.
    messages:
      n.status === 'queued'
        ? r.messages
            .filter((m) => (n.outbox_id ? m.id === n.outbox_id : m.contact_method_id === n.cm_id && Number(m.created_at) >= Number(n.due_at)))
            .slice(0, 1)
            .map((m) => ({ id: m.id, status: m.status, ...bundleOf(m.content), attempts: attemptsOf(m.id) }))
        : [],
  }));
  // Escalation decisions and the notification decisions made outside escalation, in time order (stable).
  const extra = notificationDecisions(r.lifecycle, r.events, deliveries);
  const all = [...decisions, ...extra]
    .map((d, i) => ({ d, i }))
    .sort((a, b) => a.d.at - b.d.at || a.i - b.i)
    .map((x) => x.d);
  const sentTo = [...new Set(deliveries.filter((d) => d.messages.some((m) => m.status === 'sent')).map((d) => `${d.user} (${d.channel})`))];
  const paged = sentTo.length > 0;
  const ended = r.lifecycle.find((e) => e.type === 'incident.resolved' || e.type === 'incident.acknowledged');
  return {
    incidentId: r.inc.id,
    number: Number(r.inc.number),
    service: { id: r.inc.service_id, name: r.inc.service_name },
    policy: policy ? { id: policy.id, name: policy.name } : null,
    severity: r.inc.severity,
    urgency: r.inc.urgency,
    alerts: r.alerts.map((a) => ({
      id: a.id,
      dedupKey: a.dedup_key,
      summary: a.summary,
      severity: a.severity,
      integration: a.integration_id ? { id: a.integration_id, name: a.integration_name ?? '', kind: a.integration_kind ?? '' } : null,
      events: r.events.filter((e) => e.alert_id === a.id).map((e) => ({ receivedAt: Number(e.received_at), action: e.action, outcome: e.outcome, payload: parseJson(e.payload) })),
    })),
    rules: eventRules(r.events, r.snapshots),
    decisions: all,
    deliveries,
    paged,
    why: paged ? `Paged ${sentTo.join(', ')}` : whyNobody(policy, r.inc.service_name, all, deliveries, ended ? { at: Number(ended.at), type: ended.type, channel: ended.channel } : null),
  };
}

/** Why an incident paged nobody, from its recorded decisions, most decisive first. */
function whyNobody(
  policy: Policy | null,
  service: string,
  decisions: IncidentTrace['decisions'],
  deliveries: IncidentTrace['deliveries'],
  ended: { at: number; type: string; channel: string } | null,
): string {
  if (!policy) return `Nobody was paged: service ${service} has no escalation policy`;
  const suppressed = decisions.find((d) => d.type === 'escalation.suppressed');
  if (suppressed) return `Nobody was paged: ${suppressed.message.replace(/: nobody paged$/, '')}`;
  const fired = decisions.some((d) => d.type.startsWith('escalation.'));
  const paused = decisions.find((d) => d.type === 'notification.paused');
  if (paused && !fired) {
    const until = Number(paused.data.until);
    const rule = String(paused.data.rule);
    const minutes = Number(paused.data.minutes);
    const hold = `held until ${utc(until)} because rule "${rule}" pauses ${minutes} minute${minutes === 1 ? '' : 's'}`;
    const resolvedInPause = ended && ended.type === 'incident.resolved' && ended.at <= until;
    if (resolvedInPause) return `Nobody was paged: ${hold}, and it was resolved at ${utc(ended.at)}, before the pause ended`;
    return `Nobody was paged yet: ${hold}`;
  }
  const reasons: string[] = [];
  for (const d of decisions) {
    if (d.type === 'escalation.condition_skipped') reasons.push(`level ${Number(d.data.level) + 1} skipped (${String(d.data.reason)})`);
    if (d.type === 'escalation.skipped') reasons.push(`level ${Number(d.data.level ?? 0) + 1}: nobody could be paged (${((d.data.notes as string[] | undefined) ?? []).join('; ') || 'no targets'})`);
  }
  const failed = deliveries.filter((x) => x.messages.some((m) => m.status === 'failed'));
  if (failed.length) reasons.push(`delivery failed to ${failed.map((x) => `${x.user} (${x.channel})`).join(', ')}`);
  const cancelled = deliveries.filter((x) => x.decision === 'cancelled');
  if (cancelled.length) reasons.push(`pages cancelled before sending (acknowledged or resolved first) for ${[...new Set(cancelled.map((x) => x.user))].join(', ')}`);
  const held = deliveries.filter((x) => x.decision === 'pending' && x.heldAt !== undefined);
  if (held.length) reasons.push(`pages held back by the rate limit until it has room, for ${[...new Set(held.map((x) => `${x.user} (${x.channel})`))].join(', ')}`);
  const waiting = deliveries.filter((x) => (x.decision === 'pending' && x.heldAt === undefined) || x.messages.some((m) => m.status === 'queued' || m.status === 'sending'));
  if (waiting.length) reasons.push(`pages still waiting for ${[...new Set(waiting.map((x) => x.user))].join(', ')}`);
  const limited = decisions.filter((d) => d.type === 'notification.rate_limited');
  if (limited.length) reasons.push(`${limited.length} page${limited.length === 1 ? ' was' : 's were'} refused by the provider's rate limit`);
  if (!fired && ended) reasons.push(`it was ${ended.type === 'incident.resolved' ? 'resolved' : 'acknowledged'} at ${utc(ended.at)} (via ${ended.channel}) before any escalation level fired`);
  if (!reasons.length && !fired) reasons.push('no escalation level has fired yet');
  return `Nobody was paged: ${reasons.join('; ') || 'no level paged anyone'}`;
}
