/*
 * Generating a postmortem draft from an incident's timeline and status updates. Pure functions over
 * the rows, so the draft is testable without a database.
 */
import type { TimelineEvent } from '../incident/types.js';
import { formatDuration, formatUtcSeconds } from '../lib/format.js';
import type { KeyEvent, PostmortemFacts, PostmortemSections } from './types.js';

/** Timeline types worth a line in the postmortem (pages and deliveries are summarized, not listed). */
const KEY_TYPES = new Set([
  'incident.opened',
  'alert.triggered',
  'incident.acknowledged',
  'incident.escalated',
  'incident.reassigned',
  'escalation.level',
  'escalation.exhausted',
  'incident.resolved',
  'note',
  'sla.warning',
  // The war room's key events: the declaration, severity, roles, tasks, updates, impact, the bridge,
  // priority messages, actions run and people paged by hand.
  'major.declared',
  'severity.changed',
  'role.assigned',
  'task.created',
  'status.update',
  'impact.changed',
  'bridge.changed',
  'chat.priority',
  'action.run',
  'page.manual',
]);

/** A status update as the draft needs it. */
export interface DraftStatusUpdate {
  at: number;
  phase: string;
  message: string;
  author: string;
}

export { formatDuration };
const utc = formatUtcSeconds;

/** The facts of an incident: times to detect, acknowledge, mitigate, resolve; key events; who did what. */
export function draftFacts(
  i: { number: number; createdAt: number; acknowledgedAt: number | null; resolvedAt: number | null; firstAlertAt: number | null },
  timeline: readonly TimelineEvent[],
  updates: readonly DraftStatusUpdate[],
): PostmortemFacts {
  const keyEvents: KeyEvent[] = timeline.filter((e) => KEY_TYPES.has(e.type)).map((e) => ({ at: e.at, type: e.type, actor: e.actor.name, message: e.message }));
  const people = new Map<string, string[]>();
  for (const e of timeline) {
    if (e.actor.type !== 'user') continue;
    const l = people.get(e.actor.name) ?? [];
    l.push(`${e.type.replace(/^incident\./, '')} at ${utc(e.at)}`);
    people.set(e.actor.name, l);
  }
  for (const u of updates) {
    const l = people.get(u.author) ?? [];
    l.push(`status update (${u.phase}) at ${utc(u.at)}`);
    people.set(u.author, l);
  }
  const ack = timeline.find((e) => e.type === 'incident.acknowledged')?.at ?? i.acknowledgedAt;
  const mitigated = updates.find((u) => u.phase === 'monitoring')?.at ?? null;
  return {
    incidentNumber: i.number,
    openedAt: i.createdAt,
    resolvedAt: i.resolvedAt,
    timeToDetect: i.firstAlertAt === null ? null : Math.max(0, i.createdAt - i.firstAlertAt),
    timeToAcknowledge: ack === null || ack === undefined ? null : ack - i.createdAt,
    timeToMitigate: mitigated === null ? (i.resolvedAt === null ? null : i.resolvedAt - i.createdAt) : mitigated - i.createdAt,
    timeToResolve: i.resolvedAt === null ? null : i.resolvedAt - i.createdAt,
    keyEvents,
    participants: [...people].map(([name, actions]) => ({ name, actions })),
  };
}

/** The Markdown sections of a fresh draft. */
export function draftSections(
  i: { number: number; title: string; serviceName: string; severity: string; impact: { customerFacing?: boolean; businessImpact?: string } },
  f: PostmortemFacts,
  updates: readonly DraftStatusUpdate[],
): PostmortemSections {
  const timeline = [
    '| Time (UTC) | Event | By |',
    '| --- | --- | --- |',
    ...f.keyEvents.map((e) => `| ${utc(e.at).replace(' UTC', '')} | ${e.message.replace(/\|/g, '\\|').replace(/\n/g, ' ')} | ${e.actor.replace(/\|/g, '\\|')} |`),
  ].join('\n');
  const who = f.participants.map((p) => `- **${p.name}**: ${p.actions.join('; ')}`).join('\n');
  const measures = [
    `- Time to detect: ${formatDuration(f.timeToDetect)}`,
    `- Time to acknowledge: ${formatDuration(f.timeToAcknowledge)}`,
    `- Time to mitigate: ${formatDuration(f.timeToMitigate)}`,
    `- Time to resolve: ${formatDuration(f.timeToResolve)}`,
  ].join('\n');
  return {
    summary: `Incident #${i.number} (${i.severity}) on ${i.serviceName}: ${i.title}.\n\n${measures}${who ? `\n\n### Who did what\n\n${who}` : ''}`,
    impact: [i.impact.customerFacing === undefined ? '' : `Customer facing: ${i.impact.customerFacing ? 'yes' : 'no'}.`, i.impact.businessImpact ?? ''].filter(Boolean).join('\n\n'),
    timeline,
    statusUpdates: updates.length ? updates.map((u) => `- ${utc(u.at)} **${u.phase}** (${u.author}): ${u.message}`).join('\n') : '_No status updates were posted._',
    // Prompts are the editor's placeholders, never text in the draft (issue 20).
    rootCause: '',
    wentWell: '',
    wentBadly: '',
  };
}

const TITLES: Record<keyof PostmortemSections, string> = {
  summary: 'Summary',
  impact: 'Impact',
  timeline: 'Timeline',
  statusUpdates: 'Status updates',
  rootCause: 'Root cause',
  wentWell: 'What went well',
  wentBadly: 'What went badly',
};

/** The whole postmortem as one Markdown document. */
export function postmortemMarkdown(p: {
  title: string;
  state: string;
  sections: PostmortemSections;
  actionItems: { title: string; owner: string | null; dueAt: number | null; state: string; problemUrl: string | null }[];
}): string {
  const out = [`# ${p.title}`, '', `_State: ${p.state.replace('_', ' ')}_`, ''];
  for (const k of ['summary', 'impact', 'timeline', 'statusUpdates', 'rootCause', 'wentWell', 'wentBadly'] as const) out.push(`## ${TITLES[k]}`, '', p.sections[k].trim() || '_None._', '');
  out.push('## Action items', '');
  if (!p.actionItems.length) out.push('_None._', '');
  for (const a of p.actionItems) {
    out.push(
      `- [${a.state === 'done' ? 'x' : ' '}] ${a.title} — ${a.owner ?? 'unassigned'}${a.dueAt ? `, due ${new Date(a.dueAt).toISOString().slice(0, 10)}` : ''} (${a.state.replace('_', ' ')})${a.problemUrl ? ` [problem](${a.problemUrl})` : ''}`,
    );
  }
  return out.join('\n').trimEnd() + '\n';
}
