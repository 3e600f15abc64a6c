/**
 * People's words for an incident's timeline: "Alice joined as incident manager", "Bob acknowledged",
 * "Severity raised from SEV2 to SEV1", never the event's kind (`role.assigned`). One phrase per kind
 * the server writes (apps/server/src/incident/types.ts TIMELINE_TYPES; test/timeline-words.test.ts
 * fails when a kind has no phrase here), and a fallback that still reads as words for a kind this
 * build does not know.
 */

/** A timeline entry as the API returns it (GET /incidents/{id}/timeline). */
export interface WordsEvent {
  type: string;
  actor: { type: string; id: string | null; name: string };
  channel: string;
  message: string;
  data: Record<string, unknown>;
}

/** What a phrase may look up: people's names by id, and how to say a time of day (the viewer's zone). */
export interface WordsContext {
  nameOf?: (userId: string) => string | undefined;
  timeOfDay?: (at: number) => string;
}

const ROLE: Record<string, string> = { im: 'incident manager', comms: 'communications lead', scribe: 'scribe', responder: 'responder' };
const CHANNEL: Record<string, string> = { email: 'email', sms: 'SMS', voice: 'phone call', push: 'push notification', slack: 'Slack', webhook: 'webhook' };
const PROVIDER: Record<string, string> = { twilio: 'Twilio', vonage: 'Vonage', plivo: 'Plivo', telnyx: 'Telnyx' };
const VIA: Record<string, string> = {
  email: ' by email',
  sms: ' by SMS',
  voice: ' by phone',
  slack: ' in Slack',
  push: ' from a push notification',
  api: ' through the API',
  cli: ' from the command line',
  webhook: ' by webhook',
  config: ' by configuration',
};

const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
/** A channel's or provider's name from `table`, or `key` itself when the table does not know it. */
const named = (table: Record<string, string>, key: string | undefined): string => (key === undefined ? '' : (table[key] ?? key));
/** The part of a message after its first ": ", or the whole message. */
const after = (message: string): string => {
  const i = message.indexOf(': ');
  return i >= 0 ? message.slice(i + 2) : message;
};
/** "SEV1" -> 1; lower is more severe. */
const sevRank = (s: string | undefined): number | undefined => {
  const m = s ? /(\d+)/.exec(s) : null;
  return m ? Number(m[1]) : undefined;
};

function who(e: WordsEvent): string {
  if (e.actor.type === 'system' || !e.actor.name) return 'Klaxon';
  return e.actor.name;
}
const via = (e: WordsEvent): string => VIA[e.channel] ?? '';
function person(e: WordsEvent, ctx: WordsContext, fallback?: string): string | undefined {
  const id = str(e.data.userId);
  return (id && ctx.nameOf?.(id)) || fallback;
}

type Phrase = (e: WordsEvent, ctx: WordsContext) => string;

/** One phrase per kind the server writes. */
export const PHRASES = {
  'incident.opened': (e) => {
    const m = /^Incident #\d+ opened on (.+?): ([\s\S]*)$/.exec(e.message);
    const where = m ? ` on ${m[1]}: ${m[2]}` : '';
    return e.actor.type === 'user' ? `${who(e)} opened the incident${via(e)}${where}` : `An alert opened the incident${where}`;
  },
  'alert.triggered': (e) => {
    const m = /via (.+?) \((\w+)\): ([\s\S]*)$/.exec(e.message);
    return m ? `Alert from ${m[1]}: ${m[3]}` : `Alert came in: ${after(e.message)}`;
  },
  'alert.grouped': (e) => {
    const m = /via (.+?) \((\w+)\): ([\s\S]*)$/.exec(e.message);
    return m ? `Another alert from ${m[1]} joined this incident: ${m[3]}` : `Another alert joined this incident: ${after(e.message)}`;
  },
  'alert.acknowledged': (e) => {
    const m = / acknowledged by (.+)$/.exec(e.message);
    return `${m ? m[1] : 'The monitoring tool'} acknowledged its alert`;
  },
  'alert.resolved': (e) => {
    const m = / resolved by (.+)$/.exec(e.message);
    return `${m ? m[1] : 'The monitoring tool'} reported its alert resolved`;
  },
  'incident.acknowledged': (e) => `${who(e)} acknowledged${via(e)}`,
  'incident.resolved': (e) => `${who(e)} resolved the incident${via(e)}`,
  // Heartbeats (the server's message already says it in words: "No check-in from nightly-backup for 26 h").
  'heartbeat.missed': (e) => e.message || 'A heartbeat missed its check-in',
  'heartbeat.checkin': (e) => `The heartbeat checked in again${str(e.message) ? `: ${after(e.message)}` : ''}`,
  // Hotline calls (the server's message names the hotline, the masked caller and the person: said as it is).
  'hotline.call': (e) => e.message || 'A call came in on the hotline',
  'hotline.dialing': (e) => e.message || 'Ringing the next person on call',
  'hotline.missed': (e) => e.message || 'The person rung did not answer',
  'hotline.answered': (e, ctx) => (str(e.message) ? e.message : `${person(e, ctx, 'Someone on call')} answered the hotline call`),
  'hotline.unanswered': (e) => e.message || 'Nobody answered the hotline call; the team has been paged',
  'incident.reopened': (e) => (e.data.escalate === true ? `${who(e)} reopened the incident and paged again from level 1` : `${who(e)} reopened the incident (acknowledged, nobody paged)`),
  'incident.escalated': (e) => `${who(e)} escalated to the next level${via(e)}`,
  'incident.reassigned': (e, ctx) => {
    const m = /^Reassigned to (.+?) by /.exec(e.message);
    const whom = person(e, ctx, m?.[1]) ?? 'someone else';
    return `${who(e)} reassigned the incident to ${whom}`;
  },
  'incident.snoozed': (e, ctx) => {
    const minutes = num(e.data.minutes);
    const until = num(e.data.until);
    const span = minutes === undefined ? '' : minutes % 60 === 0 && minutes >= 60 ? ` for ${minutes / 60} hour${minutes === 60 ? '' : 's'}` : ` for ${minutes} minute${minutes === 1 ? '' : 's'}`;
    return `${who(e)} snoozed the incident${span}${until !== undefined && ctx.timeOfDay ? `: pages again at ${ctx.timeOfDay(until)}` : ''}`;
  },
  'incident.unsnoozed': (e) =>
    /no escalation policy/.test(e.message) ? 'Snooze ended: the incident is open again (no escalation policy, nobody is paged)' : 'Snooze ended: paging again from where it was',
  'responder.added': (e, ctx) => {
    const m = /^(.+?) added as a responder/.exec(e.message);
    const name = person(e, ctx, m?.[1]) ?? 'Someone';
    const channels = Array.isArray(e.data.channels) ? (e.data.channels as unknown[]).filter((c): c is string => typeof c === 'string') : [];
    return `${who(e)} added ${name} as a responder: ${channels.length ? `paged by ${channels.map((c) => CHANNEL[c] ?? c).join(', ')}` : 'not paged (no high-priority contact method)'}`;
  },
  'escalation.level': (e) => {
    const m = /^Escalation (level \d+ of \d+(?:, round \d+)?): paging ([\s\S]*)$/.exec(e.message);
    return m ? `Escalated to ${m[1]}: paging ${m[2]}` : `Escalated: ${after(e.message)}`;
  },
  'escalation.skipped': (e) => {
    const m = /^Escalation (level \d+ of \d+(?:, round \d+)?): nobody could be paged \(([\s\S]*)\); escalating at once$/.exec(e.message);
    return m ? `Skipped ${m[1]}: nobody there could be paged (${m[2]})` : `Skipped a level: ${after(e.message)}`;
  },
  'escalation.exhausted': (e) => {
    if (/has no escalation policy/.test(e.message)) return `Nobody will be paged: ${e.message.replace(/: nobody will be paged$/, '').replace(/^Service /, 'the service ')} `.trim();
    return `Nobody acknowledged: ${after(e.message).replace(/^nobody acknowledged /, 'escalation ended ')}`;
  },
  'notification.sent': (e) => {
    const m = /^Paged (.+?) by (\w+) \((.*?)\)/.exec(e.message);
    return m ? `Paged ${m[1]} by ${named(CHANNEL, m[2])} (${m[3]})` : `Paged: ${after(e.message)}`;
  },
  'notification.failed': (e) => {
    const m = /^Paging (.+?) by (\w+) \((.*?)\) failed \(attempt (\d+)\): ([\s\S]*)$/.exec(e.message);
    return m ? `Could not page ${m[1]} by ${named(CHANNEL, m[2])} (${m[3]}), attempt ${m[4]}: ${m[5]}` : `Could not page: ${after(e.message)}`;
  },
  'notification.failover': (e) => {
    const m = /^Paging (.+?) by (\w+) \((.*?)\) through (\S+) failed \(([\s\S]*)\); trying (.+)$/.exec(e.message);
    return m ? `Could not page ${m[1]} by ${named(CHANNEL, m[2])} (${m[3]}) through ${named(PROVIDER, m[4])} (${m[5]}): trying ${named(PROVIDER, m[6])}` : `Switched provider: ${after(e.message)}`;
  },
  'notification.cancelled': (e) => {
    const m = /^Did not page (.+?) by (\w+) \((.*?)\): ([\s\S]*)$/.exec(e.message);
    return m ? `Did not page ${m[1]} by ${named(CHANNEL, m[2])} (${m[3]}): ${m[4]}` : `Did not page: ${after(e.message)}`;
  },
  'notification.held': (e, ctx) => {
    const m = /^Held the page to (.+?) by (\w+) \((.*?)\): its limit of (.+?) is reached/.exec(e.message);
    const until = num(e.data.until);
    const when = until !== undefined && ctx.timeOfDay ? ` at ${ctx.timeOfDay(until)}` : '';
    return m ? `Held back the page to ${m[1]} by ${named(CHANNEL, m[2])} (${m[3]}): ${m[4]} reached; it goes out in one message with the others${when}` : `Held back a page: ${after(e.message)}`;
  },
  'notification.bundled': (e) => {
    const m = /^Paged (.+?) by (\w+) \((.*?)\) in one message about (\d+) incidents/.exec(e.message);
    return m ? `Paged ${m[1]} by ${named(CHANNEL, m[2])} (${m[3]}) in one message about ${m[4]} incidents` : `Paged in a bundle: ${after(e.message)}`;
  },
  note: (e) => `${who(e)} noted: ${e.message}`,
  'major.declared': (e) => {
    const sev = str(e.data.sev);
    const bridge = str(e.data.bridgeUrl);
    return `${who(e)} declared a major incident${sev ? ` (${sev})` : ''} and opened the war room${bridge ? `; bridge ${bridge}` : ''}`;
  },
  'severity.changed': (e) => {
    const from = str(e.data.from);
    const to = str(e.data.to);
    if (!to) return `${who(e)} changed the severity`;
    if (!from) return `Severity set to ${to} by ${who(e)}`;
    const a = sevRank(from);
    const b = sevRank(to);
    const how = a !== undefined && b !== undefined ? (b < a ? 'raised' : b > a ? 'lowered' : 'changed') : 'changed';
    return `Severity ${how} from ${from} to ${to} by ${who(e)}`;
  },
  'role.assigned': (e, ctx) => {
    const role = ROLE[str(e.data.role) ?? ''] ?? 'a member';
    const handover = /^Incident manager handed over from (.+?) to (.+)$/.exec(e.message);
    if (handover) return `${person(e, ctx, handover[2]) ?? handover[2]} took over as incident manager from ${handover[1]}`;
    const m = /^(.+?) is /.exec(e.message);
    const name = person(e, ctx, m?.[1]) ?? 'Someone';
    return `${name} joined as ${role === 'responder' ? 'a responder' : role}`;
  },
  'chat.message': (e) => {
    const i = e.message.indexOf(': ');
    return i > 0 ? `${e.message.slice(0, i)} wrote: ${e.message.slice(i + 2)}` : `${who(e)} wrote: ${e.message}`;
  },
  'chat.priority': (e) => {
    const i = e.message.indexOf(': ');
    return i > 0 ? `${e.message.slice(0, i)} sent a priority message: ${e.message.slice(i + 2)}` : `${who(e)} sent a priority message: ${e.message}`;
  },
  'chat.repage': (e) => {
    const m = /^(.+?) has not read a priority message: paged again \((\d+)\)$/.exec(e.message);
    return m ? `Paged ${m[1]} again (page ${m[2]}): the priority message is still unread` : `Paged again: a priority message is still unread`;
  },
  'page.manual': (e) => {
    const m = /^Paging ([\s\S]+?): ([\s\S]*)$/.exec(e.message);
    return m ? `${who(e)} paged ${m[1]}: ${m[2]}` : `${who(e)} paged people into the war room`;
  },
  'status.update': (e) => {
    const m = /^(Public|Internal) status update \((\w+)\): ([\s\S]*)$/.exec(e.message);
    return m ? `${who(e)} posted ${m[1] === 'Public' ? 'a public' : 'an internal'} status update (${m[2]}): ${m[3]}` : `${who(e)} posted a status update: ${after(e.message)}`;
  },
  'task.created': (e) => `${who(e)} added a task: ${e.message.replace(/^Task: /, '')}`,
  'action.run': (e) => {
    const action = str(e.data.action);
    const status = num(e.data.status);
    return `${who(e)} ran ${action ?? 'an action'}: ${status === undefined ? (e.data.status === null ? 'it failed' : 'done') : `HTTP ${status}`}`;
  },
  'runbook.shown': (e) => `${who(e)} opened a runbook: ${after(e.message)}`,
  'slack.bridged': (e) => {
    const channel = str(e.data.channel);
    const name = str(e.data.name);
    if (!channel) return `Could not link the war room to Slack${str(e.data.error) ? `: ${str(e.data.error)}` : ''}`;
    return `War room linked to the Slack channel ${name ? `#${name}` : channel}`;
  },
  'chat.bridged': (e) => {
    const platform = str(e.data.platformLabel) ?? str(e.data.platform) ?? 'chat';
    const channel = str(e.data.channel);
    const name = str(e.data.name);
    if (!channel) return `Could not link the war room to ${platform}${str(e.data.error) ? `: ${str(e.data.error)}` : ''}`;
    return `War room linked to the ${platform} channel ${name ?? channel}`;
  },
  'chat.announce_failed': (e) => {
    const platform = str(e.data.platform) ?? 'chat';
    const channel = str(e.data.channel);
    const error = str(e.data.error);
    return `Could not post to the ${platform} channel${channel ? ` ${channel}` : ''}: it was not told${error ? ` (${error})` : ''}`;
  },
  'bridge.changed': (e) => {
    const url = str(e.data.bridgeUrl);
    return url ? `${who(e)} set the bridge to ${url}` : `${who(e)} removed the bridge`;
  },
  'impact.changed': (e) => `${who(e)} updated the impact: ${e.message.replace(/^Impact updated: /, '')}`,
  'drill.summary': (e) => `Drill finished: ${(e.message.split('\n').find((l) => l.trim()) ?? 'summary').replace(/^#+\s*/, '')}`,
  'status.reminder': (e) => {
    const m = /^Status update overdue(?: by (\d+) min)?: reminded (.+)$/.exec(e.message);
    return m ? `Reminded ${m[2]}: the status update is ${m[1] ? `${m[1]} min ` : ''}overdue` : `Reminder: ${e.message}`;
  },
  'escalation.condition_skipped': (e) => {
    const reason = str(e.data.reason);
    const level = num(e.data.level);
    return `Skipped ${level !== undefined ? `level ${level + 1}` : 'a level'}: its condition does not hold${reason ? ` (${reason})` : ''}`;
  },
  'escalation.suppressed': (e) => {
    const m = /maintenance window "(.*)"/.exec(e.message);
    return m ? `Nobody paged: the maintenance window "${m[1]}" is on` : `Nobody paged: ${after(e.message)}`;
  },
  'sla.warning': (e) => `Close to missing a target: ${e.message.replace(/^SLA warning: /, '')}`,
  'postmortem.created': (e) => `${who(e)} started the postmortem draft`,
} satisfies Record<string, Phrase>;

/** Every kind with a phrase. */
export const PHRASED_KINDS = Object.keys(PHRASES) as (keyof typeof PHRASES)[];

/** "bridge.changed" -> "Bridge changed": a kind this build does not know, still as words. */
export function kindWords(type: string): string {
  const words = type
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .join(' ')
    .toLowerCase();
  return cap(words || 'something happened');
}

/** The timeline entry in people's words. */
export function timelineWords(e: WordsEvent, ctx: WordsContext = {}): string {
  const phrase = (PHRASES as Record<string, Phrase>)[e.type];
  if (phrase && Object.prototype.hasOwnProperty.call(PHRASES, e.type)) {
    try {
      const s = phrase(e, ctx).trim();
      if (s) return s;
    } catch {
      /* a malformed entry: fall through to the plain words */
    }
  }
  const actor = e.actor.type === 'system' || !e.actor.name ? '' : ` (${e.actor.name})`;
  return `${kindWords(e.type)}${actor}${e.message ? `: ${e.message}` : ''}`;
}
