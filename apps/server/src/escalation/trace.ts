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
function eventRules(events: readonly { alert_id: string | null; rule_trace?: string | null }[]): IncidentTrace['rules'] {
  const out: IncidentTrace['rules'] = [];
  for (const e of events) {
    if (!e.alert_id || !e.rule_trace) continue;
    const t = parseJson(e.rule_trace) as { rules?: RuleTraceEntry[]; notMatched?: string[]; catchAll?: boolean; suppressed?: boolean } | null;
    if (!t || typeof t !== 'object') continue;
    for (const r of t.rules ?? []) {
      const detail =
        r.result === 'failed' ? `failed to evaluate (counted as not matching): ${r.error ?? 'error'}` : r.actions ? `${r.scope} rule; actions ${JSON.stringify(r.actions)}` : `${r.scope} rule`;
      out.push({ alertId: e.alert_id, rule: r.name, matched: r.result === 'matched', detail });
    }
    for (const id of t.notMatched ?? []) out.push({ alertId: e.alert_id, rule: id, matched: false, detail: 'did not match (rule id)' });
    if (t.catchAll) out.push({ alertId: e.alert_id, rule: 'catch-all', matched: true, detail: 'its route named no existing service: sent to the catch-all service' });
  }
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
  const sentTo = [...new Set(deliveries.filter((d) => d.messages.some((m) => m.status === 'sent')).map((d) => `${d.user} (${d.channel})`))];
  const paged = sentTo.length > 0;
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
    rules: eventRules(r.events),
    decisions,
    deliveries,
    paged,
    why: paged ? `Paged ${sentTo.join(', ')}` : whyNobody(policy, r.inc.service_name, decisions, deliveries),
  };
}

/** Why an incident paged nobody, from its recorded decisions, most decisive first. */
function whyNobody(policy: Policy | null, service: string, decisions: IncidentTrace['decisions'], deliveries: IncidentTrace['deliveries']): string {
  if (!policy) return `Nobody was paged: service ${service} has no escalation policy`;
  const suppressed = decisions.find((d) => d.type === 'escalation.suppressed');
  if (suppressed) return `Nobody was paged: ${suppressed.message.replace(/: nobody paged$/, '')}`;
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
  if (!reasons.length && !decisions.length) reasons.push('no escalation level has fired yet');
  return `Nobody was paged: ${reasons.join('; ') || 'no level paged anyone'}`;
}
