import type { Ctx, Tx } from '../context.js';
import { signLink } from './links.js';
import { pageFacts } from './store.js';
import type { PageMessage } from './types.js';

/** Builds the page message about an incident for one user, with links signed for that user. */
export async function buildPage(ctx: Ctx, db: Tx, incidentId: string, userId: string, now: number, channel = 'email'): Promise<PageMessage | null> {
  const [inc] = (await pageFacts(db, { incidentId })).rows;
  if (!inc) return null;
  const link = (action: 'ack' | 'resolve') => `${ctx.publicUrl}/actions/${signLink(ctx.linkSecret, { incidentId, userId, action, channel }, now)}`;
  return {
    kind: 'page',
    incidentId: inc.id,
    incidentNumber: Number(inc.number),
    title: inc.title,
    serviceName: inc.service_name,
    severity: inc.severity,
    status: inc.status,
    details: inc.details.split('\n').slice(0, 8).join('\n').slice(0, 1000),
    alertCount: Number(inc.alert_count ?? 0),
    createdAt: inc.created_at,
    incidentUrl: `${ctx.publicUrl}/incidents/${inc.number}`,
    ackUrl: link('ack'),
    resolveUrl: link('resolve'),
    ...(inc.drill === 1 && { drill: true }),
    ...(Number(inc.major) === 1 && { major: true }),
    ...((inc.urgency === 'high' || inc.urgency === 'low') && { urgency: inc.urgency }),
    ...(inc.bridge_url && { bridgeUrl: inc.bridge_url }),
  };
}
