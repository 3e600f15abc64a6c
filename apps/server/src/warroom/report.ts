import { requirePermission, SYSTEM, type Actor } from '../auth/actor.js';
import { inTransaction, type Ctx, type Tx } from '../context.js';
import { appendTimeline, readTimeline } from '../incident/timeline.js';
import { incidentOrThrow } from './service.js';
import { pagesOfIncident, readReceipts } from './store.js';
import { userNameRow } from '../user/store.js';
import { must } from '../lib/must.js';

/** A drill's summary: who was paged on which channels, how fast each acknowledged, which contact methods failed. */
export interface DrillSummary {
  incidentId: string;
  incidentNumber: number;
  startedAt: number;
  paged: {
    userId: string;
    name: string;
    channels: { channel: string; status: string; queuedAt: number; sentAt: number | null; error: string | null }[];
    acknowledgedAfterMs: number | null;
    readAfterMs: number | null;
  }[];
  failedContactMethods: { userId: string; name: string; channel: string; error: string | null }[];
  markdown: string;
}

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const secs = (ms: number | null) => (ms === null ? '—' : `${Math.round(ms / 1000)} s`);

async function computeDrillSummary(db: Tx, incidentId: string): Promise<DrillSummary> {
  const inc = await incidentOrThrow(db, incidentId);
  const rows = await pagesOfIncident(db, incidentId);
  const receipts = await readReceipts(db, incidentId);
  const byUser = new Map<string, DrillSummary['paged'][number]>();
  for (const r of rows) {
    const uid = must(r.user_id, 'r.user_id');
    let p = byUser.get(uid);
    if (!p) {
      const read = receipts.filter((x) => x.user_id === uid).map((x) => Number(x.read_at));
      p = {
        userId: uid,
        name: r.name ?? uid,
        channels: [],
        acknowledgedAfterMs: inc.acknowledgedBy === uid && inc.acknowledgedAt !== null ? inc.acknowledgedAt - inc.createdAt : null,
        readAfterMs: read.length ? Math.min(...read) - inc.createdAt : null,
      };
      byUser.set(uid, p);
    }
    p.channels.push({ channel: r.channel, status: r.status, queuedAt: Number(r.created_at), sentAt: r.sent_at === null ? null : Number(r.sent_at), error: r.last_error });
  }
  const paged = [...byUser.values()];
  const failed = paged.flatMap((p) => p.channels.filter((c) => c.status === 'failed').map((c) => ({ userId: p.userId, name: p.name, channel: c.channel, error: c.error })));
  const lines = [
    `# DRILL summary: #${inc.number} ${inc.title}`,
    '',
    `Started ${iso(inc.createdAt)}.`,
    '',
    '| Person | Channels (status) | Acknowledged after | Read priority after |',
    '| --- | --- | --- | --- |',
    ...paged.map((p) => `| ${p.name} | ${[...new Set(p.channels.map((c) => `${c.channel} (${c.status})`))].join(', ')} | ${secs(p.acknowledgedAfterMs)} | ${secs(p.readAfterMs)} |`),
    '',
    failed.length ? `Failed contact methods: ${failed.map((f) => `${f.name} ${f.channel}${f.error ? ` (${f.error})` : ''}`).join('; ')}` : 'No contact method failed.',
  ];
  return { incidentId, incidentNumber: inc.number, startedAt: inc.createdAt, paged, failedContactMethods: failed, markdown: lines.join('\n') };
}

/** The drill summary of an incident (computed from the outbox, acknowledgements and read receipts). */
export async function drillSummary(ctx: Ctx, actor: Actor, idOrNumber: string): Promise<DrillSummary> {
  requirePermission(actor, 'read');
  const inc = await incidentOrThrow(ctx.db.kysely, idOrNumber);
  return computeDrillSummary(ctx.db.kysely, inc.id);
}

/** Records the drill summary on the timeline (when a drill is resolved). */
export async function appendDrillSummary(ctx: Ctx, incidentId: string): Promise<void> {
  const s = await computeDrillSummary(ctx.db.kysely, incidentId);
  await inTransaction(ctx, (trx, live) =>
    appendTimeline(
      trx,
      { incidentId, at: ctx.clock.now(), type: 'drill.summary', actor: SYSTEM, via: 'engine', message: s.markdown, data: { paged: s.paged, failedContactMethods: s.failedContactMethods } },
      live,
    ),
  );
}

/** The incident's timeline as Markdown: the postmortem's first draft. */
export async function exportTimelineMarkdown(ctx: Ctx, actor: Actor, idOrNumber: string): Promise<string> {
  requirePermission(actor, 'read');
  const inc = await incidentOrThrow(ctx.db.kysely, idOrNumber);
  const events = await readTimeline(ctx.db.kysely, inc.id);
  const im = inc.incidentManagerId ? (await userNameRow(ctx.db.kysely, inc.incidentManagerId))?.name : undefined;
  const esc = (s: string) => s.replace(/\r?\n/g, '<br>').replace(/\|/g, '\\|');
  return [
    `# ${inc.drill ? 'DRILL ' : ''}Incident #${inc.number}: ${inc.title}`,
    '',
    `- Service: ${inc.serviceName}`,
    `- Severity: ${inc.sev ?? 'not set'}${inc.major ? ' (major)' : ''}`,
    `- Status: ${inc.status}`,
    `- Incident manager: ${im ?? 'none'}`,
    `- Opened: ${iso(inc.createdAt)}${inc.resolvedAt ? `, resolved ${iso(inc.resolvedAt)}` : ''}`,
    '',
    '## Timeline',
    '',
    '| Time (UTC) | Event | Who | Via | What |',
    '| --- | --- | --- | --- | --- |',
    ...events.map((e) => `| ${iso(e.at)} | ${e.type} | ${esc(e.actor.name)} | ${e.channel} | ${esc(e.message)} |`),
    '',
  ].join('\n');
}
