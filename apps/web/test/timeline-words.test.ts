import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { kindWords, PHRASED_KINDS, timelineWords, type WordsEvent } from '../src/incidents/timeline-words.ts';
import { must } from '../src/lib/must.ts';

/** .ts files under a folder (no node_modules). */
function tsFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (name === 'node_modules' || name === 'dist') return [];
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/**
 * The kinds the server can write, read from its source: `TIMELINE_TYPES` in
 * apps/server/src/incident/types.ts, or wherever it moved to under packages/ (a shared contract).
 */
function serverKinds(): string[] {
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  const files = [join(root, 'apps/server/src/incident/types.ts'), ...tsFiles(join(root, 'packages'))];
  for (const f of files) {
    if (!existsSync(f)) continue;
    const list = /export const TIMELINE_TYPES\b[^=]*= \[([\s\S]*?)\]/.exec(readFileSync(f, 'utf8'));
    if (list) return [...must(list[1]).matchAll(/'([^']+)'/g)].map((m) => must(m[1]));
  }
  throw new Error('TIMELINE_TYPES not found in apps/server/src/incident/types.ts nor under packages/');
}

const user: WordsEvent['actor'] = { type: 'user', id: 'u-alice', name: 'Alice Park' };
const system: WordsEvent['actor'] = { type: 'system', id: null, name: 'Klaxon' };
const ev = (type: string, message: string, data: Record<string, unknown> = {}, actor = user, channel = 'web'): WordsEvent => ({ type, actor, channel, message, data });

/** One event of each kind as the server writes it (messages as in the server's appendTimeline calls). */
const SAMPLES: Record<string, WordsEvent> = {
  'incident.opened': ev('incident.opened', 'Incident #7 opened on checkout-api: Disk full', { severity: 'critical' }, { type: 'integration', id: 'i1', name: 'integration pd' }, 'ingest'),
  'alert.triggered': ev('alert.triggered', 'Alert triggered via pd (pagerduty): Disk full', {}, { type: 'integration', id: 'i1', name: 'integration pd' }, 'ingest'),
  'alert.grouped': ev('alert.grouped', 'Alert grouped into this incident via pd (pagerduty): Disk full again', {}, { type: 'integration', id: 'i1', name: 'integration pd' }, 'ingest'),
  'alert.acknowledged': ev('alert.acknowledged', 'Alert k-1 acknowledged by pd', {}, { type: 'integration', id: 'i1', name: 'integration pd' }, 'ingest'),
  'alert.resolved': ev('alert.resolved', 'Alert k-1 resolved by pd', {}, { type: 'integration', id: 'i1', name: 'integration pd' }, 'ingest'),
  'incident.acknowledged': ev('incident.acknowledged', 'Acknowledged by Alice Park via sms', {}, user, 'sms'),
  'incident.resolved': ev('incident.resolved', 'Resolved by Alice Park via web'),
  'incident.reopened': ev('incident.reopened', 'Reopened by Alice Park via web: paging again from level 1', { escalate: true }),
  'incident.escalated': ev('incident.escalated', 'Escalated by Alice Park via web'),
  'incident.reassigned': ev('incident.reassigned', 'Reassigned to Bob Stone by Alice Park via web', { userId: 'u-bob' }),
  'incident.snoozed': ev('incident.snoozed', 'Snoozed for 30 minutes by Alice Park via web: pages again at 2026-01-01T10:30:00.000Z', { until: Date.UTC(2026, 0, 1, 10, 30), minutes: 30 }),
  'incident.unsnoozed': ev('incident.unsnoozed', 'Snooze over: triggered again, paging from where it was', {}, system, 'engine'),
  'responder.added': ev('responder.added', 'Bob Stone added as a responder by Alice Park via web: paged on sms', { userId: 'u-bob', channels: ['sms'] }),
  'escalation.level': ev('escalation.level', 'Escalation level 2 of 3: paging Carol Diaz', { step: 1, users: ['u-carol'] }, system, 'engine'),
  'escalation.skipped': ev('escalation.skipped', 'Escalation level 1 of 3: nobody could be paged (Dan has no verified contact method); escalating at once', { step: 0 }, system, 'engine'),
  'escalation.condition_skipped': ev(
    'escalation.condition_skipped',
    'Escalation level 1 of 2 skipped: its condition does not hold (03:00 is outside 08:00–18:00 in Europe/Berlin)',
    { step: 0, level: 0, reason: '03:00 is outside 08:00–18:00 in Europe/Berlin' },
    system,
    'engine',
  ),
  'escalation.exhausted': ev('escalation.exhausted', 'Escalation finished: nobody acknowledged after 3 level(s) × 1 round(s)', {}, system, 'engine'),
  'notification.sent': ev('notification.sent', 'Paged Carol Diaz by sms (+1415***0100): delivered', { channel: 'sms', userId: 'u-carol' }, system, 'engine'),
  'notification.failover': ev(
    'notification.failover',
    'Paging Carol Diaz by sms (+14…0100) through vonage failed (Vonage Messages: HTTP 500); trying twilio',
    { channel: 'sms', from: 'vonage', to: 'twilio' },
    system,
    'engine',
  ),
  'notification.failed': ev('notification.failed', 'Paging Carol Diaz by email (c***@example.com) failed (attempt 1): 421 try later; will retry', { channel: 'email' }, system, 'engine'),
  'notification.held': ev(
    'notification.held',
    'Held the page to Carol Diaz by sms (phone): its limit of 5 per 15 min is reached; it goes out in one bundle with the others held at 2026-03-02 09:15 UTC',
    { channel: 'sms', userId: 'u-carol', until: Date.parse('2026-03-02T09:15:00Z') },
    system,
    'engine',
  ),
  'notification.bundled': ev(
    'notification.bundled',
    'Paged Carol Diaz by sms (+1415***0100) in one message about 5 incidents (#12, #13, #14, #15, #16): delivered',
    { channel: 'sms', userId: 'u-carol', bundleId: 'b1', incidents: [12, 13, 14, 15, 16] },
    system,
    'engine',
  ),
  'notification.cancelled': ev('notification.cancelled', 'Did not page Carol Diaz by sms (+1415***0100): acknowledged meanwhile', { channel: 'sms' }, system, 'engine'),
  note: ev('note', 'Rolled back the deploy'),
  'heartbeat.missed': ev('heartbeat.missed', 'No check-in from nightly-backup for 26 h (expected every 25 h)', { heartbeatId: 'h1', lastCheckinAt: 0 }, system, 'engine'),
  'heartbeat.checkin': ev('heartbeat.checkin', 'Check-in from heartbeat nightly-backup received (check-in URL): resolving', { heartbeatId: 'h1' }, system, 'ingest'),
  'hotline.call': ev(
    'hotline.call',
    'Hotline Support line (+15005550100) received a call from +44•••••••123; ringing Alice, then Bob',
    { hotlineId: 'h1', callId: 'c1' },
    { type: 'system', id: null, name: 'Hotline' },
    'voice',
  ),
  'hotline.dialing': ev('hotline.dialing', 'Ringing Alice (1 of 2) for up to 15 s', { callId: 'c1', userId: 'u-alice', attempt: 0 }, { type: 'system', id: null, name: 'Hotline' }, 'voice'),
  'hotline.missed': ev(
    'hotline.missed',
    'Alice did not answer (no-answer)',
    { callId: 'c1', userId: 'u-alice', attempt: 0, status: 'no-answer' },
    { type: 'system', id: null, name: 'Hotline' },
    'voice',
  ),
  'hotline.answered': ev('hotline.answered', 'Bob answered the hotline call (talked 95 s)', { callId: 'c1', userId: 'u-bob', attempt: 1 }, { type: 'system', id: null, name: 'Hotline' }, 'voice'),
  'hotline.unanswered': ev(
    'hotline.unanswered',
    'Nobody answered the hotline call. The caller was told the team has been paged; the incident keeps escalating.',
    { callId: 'c1' },
    { type: 'system', id: null, name: 'Hotline' },
    'voice',
  ),
  'chat.announce_failed': ev(
    'chat.announce_failed',
    'Could not post the page card to mattermost channel abc (attempt 1): Mattermost: HTTP 403; the channel was not told',
    { messageId: 'm1', platform: 'mattermost', channel: 'abc', error: 'Mattermost: HTTP 403' },
    system,
    'engine',
  ),
  'major.declared': ev('major.declared', 'Major incident declared (SEV2); war room opened', { sev: 'SEV2', bridgeUrl: null }),
  'severity.changed': ev('severity.changed', 'Severity SEV2 → SEV1', { from: 'SEV2', to: 'SEV1' }),
  'role.assigned': ev('role.assigned', 'Alice Park is incident manager (declared it)', { role: 'im', userId: 'u-alice' }),
  'chat.message': ev('chat.message', 'Alice Park: looking at the database', { messageId: 'm1', source: 'web' }),
  'chat.priority': ev('chat.priority', 'Alice Park: everyone stop deploying', { messageId: 'm2', source: 'web' }),
  'chat.repage': ev('chat.repage', 'Bob Stone has not read a priority message: paged again (2)', { userId: 'u-bob' }, system, 'engine'),
  'page.manual': ev('page.manual', 'Paging Bob Stone: need the DBA', { paged: ['u-bob'] }),
  'status.update': ev('status.update', 'Public status update (investigating): We are looking into it', { phase: 'investigating', public: true }),
  'task.created': ev('task.created', 'Task: restart the replica (owner Bob Stone)', { taskId: 't1', ownerId: 'u-bob' }),
  'action.run': ev('action.run', 'Alice Park ran restart: HTTP 200\nok', { action: 'restart', status: 200 }),
  'runbook.shown': ev('runbook.shown', 'Runbook: Database failover', {}),
  'slack.bridged': ev('slack.bridged', 'Slack channel #inc-7 (C123) created for the war room', { channel: 'C123', name: 'inc-7' }, system, 'engine'),
  'chat.bridged': ev(
    'chat.bridged',
    'Mattermost channel inc-7 (abc) created for the war room',
    { platform: 'mattermost', platformLabel: 'Mattermost', channel: 'abc', name: 'inc-7' },
    system,
    'engine',
  ),
  'bridge.changed': ev('bridge.changed', 'Bridge: https://meet.example.com/inc-7', { bridgeUrl: 'https://meet.example.com/inc-7' }),
  'impact.changed': ev('impact.changed', 'Impact updated: checkout is slow', {}),
  'drill.summary': ev('drill.summary', '# Drill summary\n\n3 people paged', { paged: 3 }, system, 'engine'),
  'status.reminder': ev('status.reminder', 'Status update overdue by 5 min: reminded Alice Park', { userId: 'u-alice' }, system, 'engine'),
  'escalation.suppressed': ev('escalation.suppressed', 'Suppressed by maintenance window "DB upgrade": nobody paged', {}, system, 'engine'),
  'sla.warning': ev('sla.warning', 'SLA warning: acknowledge within 5 min (2 min left)', {}, system, 'engine'),
  'postmortem.created': ev('postmortem.created', 'Postmortem draft created', { postmortemId: 'p1' }, user, 'api'),
};

const names: Record<string, string> = { 'u-alice': 'Alice Park', 'u-bob': 'Bob Stone', 'u-carol': 'Carol Diaz' };
const ctx = { nameOf: (id: string) => names[id], timeOfDay: (at: number) => new Date(at).toISOString().slice(11, 16) };

describe('timeline in words', () => {
  it('has a phrase for every kind the server can write, and no phrase for a kind it cannot', () => {
    const kinds = serverKinds();
    expect(kinds.length).toBeGreaterThan(30);
    expect([...PHRASED_KINDS].sort()).toEqual([...kinds].sort());
    expect(Object.keys(SAMPLES).sort()).toEqual([...kinds].sort());
  });

  it('says each kind in words: no event name, no fallback', () => {
    for (const kind of serverKinds()) {
      const s = timelineWords(must(SAMPLES[kind]), ctx);
      for (const other of serverKinds().filter((k) => k.includes('.'))) expect(s, kind).not.toContain(other); // no event name
      expect(s.startsWith(kindWords(kind)), `${kind}: "${s}" is the fallback`).toBe(false);
      expect(s.length, kind).toBeGreaterThan(8);
    }
  });

  it('reads as the issue asks', () => {
    const w = (k: string) => timelineWords(must(SAMPLES[k]), ctx);
    expect(w('role.assigned')).toBe('Alice Park joined as incident manager');
    expect(w('incident.acknowledged')).toBe('Alice Park acknowledged by SMS');
    expect(w('severity.changed')).toBe('Severity raised from SEV2 to SEV1 by Alice Park');
    expect(timelineWords(ev('severity.changed', '', { from: 'SEV1', to: 'SEV3' }), ctx)).toBe('Severity lowered from SEV1 to SEV3 by Alice Park');
    expect(w('escalation.level')).toBe('Escalated to level 2 of 3: paging Carol Diaz');
    expect(w('notification.sent')).toBe('Paged Carol Diaz by SMS (+1415***0100)');
    expect(w('notification.bundled')).toBe('Paged Carol Diaz by SMS (+1415***0100) in one message about 5 incidents');
    expect(w('notification.held')).toBe('Held back the page to Carol Diaz by SMS (phone): 5 per 15 min reached; it goes out in one message with the others at 09:15');
    expect(w('notification.failover')).toBe('Could not page Carol Diaz by SMS (+14…0100) through Vonage (Vonage Messages: HTTP 500): trying Twilio');
    expect(w('incident.snoozed')).toBe('Alice Park snoozed the incident for 30 minutes: pages again at 10:30');
    expect(w('responder.added')).toBe('Alice Park added Bob Stone as a responder: paged by SMS');
    expect(timelineWords(ev('role.assigned', 'Incident manager handed over from Alice Park to Bob Stone', { role: 'im', userId: 'u-bob' }), ctx)).toBe(
      'Bob Stone took over as incident manager from Alice Park',
    );
    expect(timelineWords(ev('role.assigned', 'Bob Stone is scribe', { role: 'scribe', userId: 'u-bob' }), {})).toBe('Bob Stone joined as scribe');
  });

  it('an unknown kind still reads as words', () => {
    expect(timelineWords(ev('runbook.linkedTo_service', 'Linked'))).toBe('Runbook linked to service (Alice Park): Linked');
    expect(timelineWords(ev('', '', {}, system))).toBe('Something happened');
  });

  it('never throws and never answers empty, whatever the entry (property)', () => {
    const kinds = serverKinds();
    fc.assert(
      fc.property(
        fc.oneof(fc.constantFrom(...kinds), fc.string()),
        fc.string(),
        fc.dictionary(
          fc.constantFrom('userId', 'role', 'from', 'to', 'sev', 'minutes', 'until', 'channels', 'escalate', 'status', 'action', 'channel', 'name', 'bridgeUrl', 'error'),
          fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.boolean(), fc.array(fc.string())),
        ),
        fc.constantFrom('user', 'system', 'integration'),
        fc.string(),
        (type, message, data, actorType, actorName) => {
          const s = timelineWords({ type, message, data, actor: { type: actorType, id: null, name: actorName }, channel: 'web' }, ctx);
          expect(typeof s).toBe('string');
          expect(s.trim().length).toBeGreaterThan(0);
        },
      ),
    );
  });
});
