import type { IncidentQuery } from './client.ts';

/**
 * Every react-query key of the web app, in one place, so live updates and mutations invalidate the
 * same things screens read. A key that starts another one is its prefix: invalidating `everyUser`
 * refreshes every per-user query, `postmortems.all` every postmortem query, and so on.
 */
export const keys = {
  session: ['session'] as const,
  setupNeeded: ['setup'] as const,
  signInProviders: ['sign-in-providers'] as const,
  users: ['users'] as const,
  /** Some users by id (useUserNames); under `users`, so invalidating the directory invalidates these too. */
  usersNamed: (ids: readonly string[]) => ['users', 'named', ...ids] as const,
  /** Every per-user query (contact methods, rules, tokens, shifts, leave). */
  everyUser: ['user'] as const,
  contactMethods: (userId: string) => ['user', userId, 'contact-methods'] as const,
  rules: (userId: string) => ['user', userId, 'notification-rules'] as const,
  tokens: (userId: string) => ['user', userId, 'tokens'] as const,
  shifts: (userId: string) => ['user', userId, 'shifts'] as const,
  leave: (userId: string) => ['user', userId, 'leave'] as const,
  teams: ['teams'] as const,
  /** Every audit trail query. */
  audit: ['audit'] as const,
  auditList: (q: Record<string, unknown>) => ['audit', q] as const,
  /** The SCIM token's state (Admin → Provisioning). */
  scimToken: ['scim-token'] as const,
  policies: ['policies'] as const,
  policy: (id: string) => ['policy', id] as const,
  services: ['services'] as const,
  service: (id: string) => ['service', id] as const,
  integrations: (serviceId: string) => ['service', serviceId, 'integrations'] as const,
  heartbeats: (serviceId: string) => ['service', serviceId, 'heartbeats'] as const,
  /** Every event rule with this instance's counters (the admin's event-rules screen). */
  eventRules: ['event-rules'] as const,
  hotlines: (serviceId: string) => ['service', serviceId, 'hotlines'] as const,
  /** A service's or team's chat channels (a team's change what its services show: both under their owner). */
  chatChannels: (owner: 'services' | 'teams', id: string) => [owner === 'services' ? 'service' : 'team-chat', id, 'chat-channels'] as const,
  /** Every incident list (live updates read the query back from a key's second element). */
  incidentLists: ['incidents'] as const,
  incidentList: (query: IncidentQuery) => ['incidents', query] as const,
  incident: (id: string) => ['incident', id] as const,
  timeline: (id: string) => ['incident', id, 'timeline'] as const,
  alerts: (id: string) => ['incident', id, 'alerts'] as const,
  trace: (id: string) => ['incident', id, 'trace'] as const,
  warRoom: (id: string) => ['incident', id, 'war-room'] as const,
  chat: (id: string) => ['incident', id, 'chat'] as const,
  statusUpdates: (id: string) => ['incident', id, 'status-updates'] as const,
  runbooks: (id: string) => ['incident', id, 'runbooks'] as const,
  declarePreview: (id: string, severity: string) => ['incident', id, 'declare-preview', severity] as const,
  severityLevels: ['severity-levels'] as const,
  internalStatus: ['status-internal'] as const,
  schedules: ['schedules'] as const,
  /** Every query of one schedule (by id or by name). */
  everySchedule: ['schedule'] as const,
  schedule: (id: string) => ['schedule', id] as const,
  scheduleSwaps: (id: string) => ['schedule', id, 'swaps'] as const,
  scheduleOverrides: (id: string, from: number, to: number) => ['schedule', id, 'overrides', from, to] as const,
  scheduleFinal: (id: string, from: number, to: number) => ['schedule', id, 'final', from, to] as const,
  scheduleOnCall: (id: string) => ['schedule', id, 'oncall'] as const,
  /** A schedule's final shifts from `from` on, as the escalation preview reads them. */
  previewFinal: (scheduleId: string, from: number) => ['preview-final', scheduleId, from] as const,
  oncall: ['oncall'] as const,
  /** Everything the escalation preview reads about every user. */
  reachability: ['reachability'] as const,
  /** The postmortem screens. */
  postmortems: {
    all: ['postmortems'] as const,
    list: (f: { team?: string; state?: string }) => ['postmortems', 'list', f.team ?? '', f.state ?? ''] as const,
    one: (id: string) => ['postmortems', 'one', id] as const,
    /** An incident's postmortem, or null (GET /incidents/:id/postmortem). */
    ofIncident: (incidentId: string) => ['postmortems', 'of-incident', incidentId] as const,
    openItems: (team: string) => ['postmortems', 'action-items', team] as const,
  },
  /** The status screens. */
  status: {
    businessServices: ['business-services'] as const,
    incidentBusinessServices: (incidentId: string) => ['incident', incidentId, 'business-services'] as const,
    pages: ['status-pages'] as const,
    subscriptions: ['subscriptions'] as const,
    maintenance: ['maintenance-windows'] as const,
    templates: ['status-templates'] as const,
  },
  /** Setup and migration. */
  setup: {
    channels: ['channels'] as const,
    checklist: ['setup-checklist'] as const,
    migration: ['migration'] as const,
  },
  /** The reports (all under "reports", so one invalidation refreshes every figure). */
  reports: {
    all: ['reports'] as const,
    report: (name: string, q: object) => ['reports', name, q] as const,
    targets: ['reports', 'sla-targets'] as const,
    subscribers: (team: string) => ['reports', 'subscribers', team] as const,
  },
};
