import { actorLabel, type Actor, type Via } from './auth/actor.js';
import { inTransaction, type Ctx, type Tx } from './context.js';
import { newId } from './lib/ids.js';
import { insertAudit } from './store.js';
import { must } from './lib/must.js';

/** What an audit entry may say beyond its action and subject (all optional). */
export interface AuditExtra {
  /** The object before a configuration change (undefined: not a change of configuration, or it did not exist). */
  before?: unknown;
  /** The object after a configuration change. */
  after?: unknown;
  /** The channel, when the actor does not carry it (an SMS or e-mail reply, a Slack button). */
  via?: Via | string;
  /** The remote address, when the actor does not carry it. */
  address?: string | null;
  /** What kind of object `subject` is; by default the first word of the action (`schedule.update`: schedule). */
  subjectType?: string;
  /** The actor's kind when it is none of Actor's (`anonymous`: a failed sign-in). */
  actorType?: string;
}

/** The kind of object an action is about: its first word (`schedule.override.add`: schedule). */
export function subjectTypeOf(action: string): string {
  return must(action.split('.')[0], 'action.split(".")[0]');
}

/**
 * Records who changed what, in the same transaction as the change: who (the actor's label, id and
 * type), when, from where (the channel and remote address, from `extra` or the actor's origin),
 * what (action, subject, data) and, for configuration, the object before and after.
 */
export async function audit(trx: Tx, at: number, actor: Actor, action: string, subject: string, data: Record<string, unknown>, extra: AuditExtra = {}): Promise<void> {
  const origin = actor.origin;
  await insertAudit(trx, {
    id: newId(),
    at,
    actor: actorLabel(actor),
    actor_id: actor.type === 'system' || extra.actorType === 'anonymous' ? null : actor.id,
    actor_type: extra.actorType ?? actor.type,
    action,
    subject,
    subject_type: extra.subjectType ?? subjectTypeOf(action),
    data: JSON.stringify(data),
    via: extra.via ?? origin?.via ?? null,
    address: extra.address ?? origin?.address ?? null,
    before: extra.before === undefined ? null : JSON.stringify(extra.before),
    after: extra.after === undefined ? null : JSON.stringify(extra.after),
  });
}

/**
 * Records an action that is not part of a verb's transaction (a sign-in, an export) in one of its
 * own. Not a verb (it checks no permission: its callers have already decided), hence `by`.
 */
export async function auditNow(ctx: Ctx, by: Actor, action: string, subject: string, data: Record<string, unknown>, extra: AuditExtra = {}): Promise<void> {
  await inTransaction(ctx, (trx) => audit(trx, ctx.clock.now(), by, action, subject, data, extra));
}
