import type { InfiniteData } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import type { IncidentPage } from '../src/api/client.ts';
import type { Incident } from '@klaxon/contract';
import { backoffMs, matchesQuery, patchIncidentPages } from '../src/live/live.ts';

const inc = (number: number, status: Incident['status'] = 'triggered', serviceId = 's1'): Incident => ({
  id: `i${number}`,
  number,
  serviceId,
  serviceName: 'svc',
  title: `#${number}`,
  status,
  urgency: 'high',
  severity: 'critical',
  details: '',
  createdAt: number,
  updatedAt: number,
  acknowledgedAt: null,
  acknowledgedBy: null,
  resolvedAt: null,
  resolvedBy: null,
  escalationStep: 0,
  nextEscalationAt: null,
  escalationPolicyName: null,
  alertCount: 1,
  sev: null,
  major: false,
  drill: false,
  incidentManagerId: null,
  snoozedUntil: null,
  priority: null,
});
const data = (...pages: Incident[][]): InfiniteData<IncidentPage, number | undefined> => ({
  pages: pages.map((incidents): IncidentPage => ({ incidents, next: incidents.at(-1)?.number ?? null })),
  pageParams: pages.map(() => undefined),
});
const numbers = (d: InfiniteData<IncidentPage, number | undefined>) => d.pages.map((p) => p.incidents.map((i) => `${i.number}${i.status[0]}`));

describe('patchIncidentPages: live events edit the cached list in place', () => {
  const open = { status: ['triggered', 'acknowledged'] as Incident['status'][] };
  it('puts a new incident on top', () => {
    expect(numbers(patchIncidentPages(data([inc(5), inc(4)], [inc(3)]), open, inc(6)))).toEqual([['6t', '5t', '4t'], ['3t']]);
  });
  it('replaces a changed incident where it is, in any page', () => {
    expect(numbers(patchIncidentPages(data([inc(5), inc(4)], [inc(3)]), open, inc(3, 'acknowledged')))).toEqual([['5t', '4t'], ['3a']]);
  });
  it('drops an incident that no longer matches the filters', () => {
    expect(numbers(patchIncidentPages(data([inc(5), inc(4)]), open, inc(4, 'resolved')))).toEqual([['5t']]);
    expect(numbers(patchIncidentPages(data([inc(5)]), { service: 's2' }, inc(6)))).toEqual([['5t']]);
  });
  it('does not guess where an old incident it has not loaded goes', () => {
    expect(numbers(patchIncidentPages(data([inc(5), inc(4)]), open, inc(2)))).toEqual([['5t', '4t']]);
  });
});

describe('backoffMs', () => {
  it('doubles from half a second to 30 s, with jitter', () => {
    expect([0, 1, 2, 3, 10, 20].map((n) => backoffMs(n, () => 0.5))).toEqual([500, 1000, 2000, 4000, 30000, 30000]);
    expect(backoffMs(0, () => 0)).toBe(400);
    expect(backoffMs(0, () => 1)).toBe(600);
  });
});

describe('matchesQuery: the list filters the server applies, checked on live updates', () => {
  const base = inc(7, 'triggered');
  it('severity, declared level, title search and assignee', () => {
    const i = { ...base, title: 'Checkout ERROR rate', severity: 'error', sev: 'SEV2', incidentManagerId: 'u1', acknowledgedBy: 'u2' };
    expect(matchesQuery(i, { severity: 'error', sev: 'SEV2', q: 'error', assignee: 'u1' })).toBe(true);
    expect(matchesQuery(i, { assignee: 'u2' })).toBe(true);
    expect(matchesQuery(i, { assignee: 'u3' })).toBe(false);
    expect(matchesQuery(i, { severity: 'critical' })).toBe(false);
    expect(matchesQuery(i, { sev: 'SEV1' })).toBe(false);
    expect(matchesQuery(i, { q: 'search' })).toBe(false);
  });
});

describe('applyLiveEvents: war-room events refresh what shows them', () => {
  it('a read receipt refreshes the chat, so the sender sees who read a priority message', async () => {
    const { QueryClient } = await import('@tanstack/react-query');
    const { applyLiveEvents } = await import('../src/live/live.ts');
    const qc = new QueryClient();
    qc.setQueryData(['incident', 'inc-1', 'chat'], { messages: [] });
    qc.setQueryData(['incident', 'inc-2', 'chat'], { messages: [] });
    applyLiveEvents(qc)({ type: 'chat.receipt', incidentId: 'inc-1', data: { state: 'read' } });
    expect(qc.getQueryState(['incident', 'inc-1', 'chat'])?.isInvalidated).toBe(true);
    expect(qc.getQueryState(['incident', 'inc-2', 'chat'])?.isInvalidated).toBe(false);
  });
});
