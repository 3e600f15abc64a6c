import { actorLabel, type Actor } from './auth/actor.js';
import type { Tx } from './context.js';
import { newId } from './lib/ids.js';
import { insertAudit } from './store.js';

/** Records who changed what, in the same transaction as the change. */
export async function audit(trx: Tx, at: number, actor: Actor, action: string, subject: string, data: Record<string, unknown>): Promise<void> {
  await insertAudit(trx, { id: newId(), at, actor: actorLabel(actor), action, subject, data: JSON.stringify(data) });
}
