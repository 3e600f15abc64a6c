import type {
  AuditAnswer,
  AuditQuery,
  ScimTokenState,
  TokenInput,
  IncidentTrace,
  Alert,
  ApiToken,
  ContactMethod,
  ContactMethodInput,
  ErrorBody,
  FieldError,
  Heartbeat,
  HeartbeatInput,
  Hotline,
  ChatChannel,
  ChatChannelsAnswer,
  HotlineInput,
  Incident,
  IncidentStatus,
  Integration,
  IntegrationInput,
  ManualIncidentInput,
  NotificationRule,
  NotificationRuleInput,
  FinalSchedule,
  OnCallAnswer,
  Policy,
  PolicyInput,
  Schedule,
  ScheduleInput,
  ScheduleOverride,
  ScheduleUser,
  SwapRequest,
  UserLeave,
  UserShift,
  Service,
  ServiceInput,
  Session,
  SignInProviders,
  SsoLogoutAnswer,
  Team,
  TeamInput,
  TimelineEvent,
  User,
  UserInput,
  UserPatch,
  ChatMessage,
  CommandResult,
  InternalIncident,
  Runbook,
  SeverityLevel,
  StatusTemplate,
  StatusUpdate,
  StatusUpdateInput,
  WarRoom,
  WarRoomRole,
} from '@klaxon/contract';

/** An error answered by the API: its code, message and field problems, ready to show in place. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: FieldError[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The message for one field (`path` as the server writes it, e.g. `levels.0.delayMinutes`), if any. */
  field(path: string): string | undefined {
    return this.details.find((d) => d.path === path)?.message;
  }

  /** Field messages keyed by path. */
  fields(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const d of this.details) if (!(d.path in out)) out[d.path] = d.message;
    return out;
  }
}

/** A message fit to show a person for any thrown value. */
export function errorMessage(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  if (e instanceof TypeError) return 'Cannot reach Klaxon: check your connection';
  return e instanceof Error ? e.message : String(e);
}

let csrfToken: string | null = null;
let onUnauthenticated: () => void = () => {};

/** Remembers the session's CSRF token; every state-changing request sends it. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called when an API call answers 401 (the session expired or was revoked). */
export function setUnauthenticatedHandler(fn: () => void): void {
  onUnauthenticated = fn;
}

type Query = Record<string, string | number | boolean | readonly (string | number)[] | undefined | null>;

function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v)) for (const item of v) q.append(k, String(item));
    else q.append(k, String(v));
  }
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

function parseDetails(details: unknown): FieldError[] {
  if (!Array.isArray(details)) return [];
  return details.filter((d): d is FieldError => typeof d === 'object' && d !== null && typeof (d as FieldError).message === 'string').map((d) => ({ path: d.path ?? '', message: d.message }));
}

/** GET answers asked for ahead of the screen that needs them (prefetchGets), by URL. */
const ahead = new Map<string, { at: number; answer: Promise<unknown> }>();
let capturing = false;
/** How long an answer asked for ahead stays usable. */
const AHEAD_MS = 10_000;

/**
 * Sends the GETs that `calls` makes through `api` at once, and keeps their answers: the first
 * request for the same URL within 10 s gets the kept answer instead of asking again (and asks again
 * if it failed). main.tsx sends the first screen's data this way as soon as the session is known,
 * instead of after the screen has been drawn.
 */
export function prefetchGets(calls: () => void): void {
  capturing = true;
  try {
    calls();
  } finally {
    capturing = false;
  }
}

/** Drops the answers kept by prefetchGets (a live event arrived: they may be out of date). */
export function forgetPrefetched(): void {
  ahead.clear();
}

/** Calls /api/v1 with the session cookie and CSRF token; returns the parsed JSON or throws ApiError. */
export async function request<T>(method: string, path: string, opts: { body?: unknown; query?: Query; signal?: AbortSignal; quiet401?: boolean } = {}): Promise<T> {
  const url = withQuery(`/api/v1${path}`, opts.query);
  if (method === 'GET' && capturing) {
    const answer = send<T>(method, url, opts);
    ahead.set(url, { at: Date.now(), answer });
    answer.catch(() => undefined);
    return answer;
  }
  const kept = method === 'GET' ? ahead.get(url) : undefined;
  if (kept) {
    ahead.delete(url);
    if (Date.now() - kept.at < AHEAD_MS) {
      try {
        return (await kept.answer) as T;
      } catch {
        // Asked again below.
      }
    }
  }
  return send<T>(method, url, opts);
}

async function send<T>(method: string, url: string, opts: { body?: unknown; signal?: AbortSignal; quiet401?: boolean }): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const res = await fetch(url, {
    method,
    headers,
    credentials: 'same-origin',
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    signal: opts.signal,
  });
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const err = (json as ErrorBody | undefined)?.error;
    if (res.status === 401 && !opts.quiet401) onUnauthenticated();
    throw new ApiError(res.status, err?.code ?? 'http_' + res.status, err?.message ?? `Klaxon answered ${res.status} ${res.statusText}`, parseDetails(err?.details));
  }
  return json as T;
}

const get = <T>(path: string, query?: Query, signal?: AbortSignal) => request<T>('GET', path, { query, signal });
const post = <T>(path: string, body?: unknown) => request<T>('POST', path, { body });
const put = <T>(path: string, body: unknown) => request<T>('PUT', path, { body });
const patch = <T>(path: string, body: unknown) => request<T>('PATCH', path, { body });
const del = (path: string) => request<undefined>('DELETE', path);
const enc = encodeURIComponent;

/** Filters for the incident list, as the API takes them. */
export interface IncidentQuery {
  status?: IncidentStatus[];
  service?: string;
  /** Alert severity. */
  severity?: string;
  /** Declared severity level (SEV1..). */
  sev?: string;
  /** The service's team id. */
  team?: string;
  /** Text in the title. */
  q?: string;
  /** User id: incident manager or acknowledger. */
  assignee?: string;
  /** Only mine: I manage or acknowledged it, my teams' services, or I was paged about it. */
  mine?: boolean;
  /** Report drill-down: created in [since, until) (epoch ms), these ids, the reports' severity level, drills, acknowledgement. */
  report?: { since?: string; until?: string; ids?: string[]; level?: string; drill?: string; acknowledged?: string; acknowledgedBy?: string };
  limit?: number;
  before?: number;
}

/** One page of incidents and the cursor to the next (older) page. */
export interface IncidentPage {
  incidents: Incident[];
  next: number | null;
}

/** The typed API. One function per endpoint; names follow the server's routes. */
export const api = {
  auth: {
    /** The session, or null when nobody is signed in (asked with ?optional=true: a 200, no console error). */
    session: () => request<Session | { user: null; csrfToken: null }>('GET', '/auth/session?optional=true', { quiet401: true }).then((s) => (s.user ? (s as Session) : null)),
    login: (email: string, password: string) => request<Session>('POST', '/auth/login', { body: { email, password }, quiet401: true }),
    logout: () => post<undefined>('/auth/logout'),
    /** How people sign in here: the password form and/or "Sign in with …" (single sign-on). */
    providers: () => request<SignInProviders>('GET', '/auth/providers', { quiet401: true }),
    /** Signs out; names where to go next to sign out at the identity provider too (or null). */
    ssoLogout: () => post<SsoLogoutAnswer>('/auth/sso/logout'),
    setupNeeded: () => get<{ needed: boolean }>('/setup'),
    setup: (input: { email: string; name: string; password: string; timeZone: string }) => request<Session>('POST', '/setup', { body: input, quiet401: true }),
    /** "Forgot password": emails a one-time link (always answers 202). */
    forgotPassword: (email: string) => request<{ message: string }>('POST', '/auth/forgot-password', { body: { email }, quiet401: true }),
    /** Sets a password with the secret of an invitation or reset link. */
    setPassword: (token: string, password: string) => request<undefined>('POST', '/auth/set-password', { body: { token, password }, quiet401: true }),
  },
  me: () => get<{ user: User | null }>('/me'),
  users: {
    list: () => get<{ users: User[] }>('/users').then((r) => r.users),
    /** Only the users of `ids` (at most 500): a screen that shows a few names. */
    named: (ids: readonly string[], signal?: AbortSignal) => get<{ users: User[] }>('/users', { ids }, signal).then((r) => r.users),
    get: (id: string) => get<{ user: User }>(`/users/${enc(id)}`).then((r) => r.user),
    create: (input: UserInput) => post<{ user: User }>('/users', input).then((r) => r.user),
    update: (id: string, input: UserPatch) => patch<{ user: User }>(`/users/${enc(id)}`, input).then((r) => r.user),
    remove: (id: string) => del(`/users/${enc(id)}`),
    /** Emails the user a link (7 days) to set their own password. */
    invite: (id: string) => post<{ message: string }>(`/users/${enc(id)}/invite`),
  },
  contactMethods: {
    list: (userId: string) => get<{ contactMethods: ContactMethod[] }>(`/users/${enc(userId)}/contact-methods`).then((r) => r.contactMethods),
    create: (userId: string, input: ContactMethodInput) => post<{ contactMethod: ContactMethod }>(`/users/${enc(userId)}/contact-methods`, input).then((r) => r.contactMethod),
    sendVerification: (id: string) => post<{ status: string }>(`/contact-methods/${enc(id)}/send-verification`),
    verify: (id: string, code: string) => post<{ contactMethod: ContactMethod }>(`/contact-methods/${enc(id)}/verify`, { code }).then((r) => r.contactMethod),
    test: (id: string) => post<{ messageId: string }>(`/contact-methods/${enc(id)}/test`),
    remove: (id: string) => del(`/contact-methods/${enc(id)}`),
  },
  notificationRules: {
    list: (userId: string) => get<{ notificationRules: NotificationRule[] }>(`/users/${enc(userId)}/notification-rules`).then((r) => r.notificationRules),
    create: (userId: string, input: NotificationRuleInput) => post<{ notificationRule: NotificationRule }>(`/users/${enc(userId)}/notification-rules`, input).then((r) => r.notificationRule),
    remove: (id: string) => del(`/notification-rules/${enc(id)}`),
  },
  tokens: {
    list: (userId: string) => get<{ tokens: ApiToken[] }>(`/users/${enc(userId)}/tokens`).then((r) => r.tokens),
    create: (userId: string, input: string | TokenInput) => post<{ token: string; apiToken: ApiToken }>(`/users/${enc(userId)}/tokens`, typeof input === 'string' ? { name: input } : input),
    revoke: (id: string) => del(`/tokens/${enc(id)}`),
  },
  teams: {
    list: () => get<{ teams: Team[] }>('/teams').then((r) => r.teams),
    get: (id: string) => get<{ team: Team }>(`/teams/${enc(id)}`).then((r) => r.team),
    create: (input: TeamInput) => post<{ team: Team }>('/teams', input).then((r) => r.team),
    update: (id: string, input: TeamInput) => put<{ team: Team }>(`/teams/${enc(id)}`, input).then((r) => r.team),
    remove: (id: string) => del(`/teams/${enc(id)}`),
  },
  policies: {
    list: () => get<{ escalationPolicies: Policy[] }>('/escalation-policies').then((r) => r.escalationPolicies),
    get: (id: string) => get<{ escalationPolicy: Policy }>(`/escalation-policies/${enc(id)}`).then((r) => r.escalationPolicy),
    create: (input: PolicyInput) => post<{ escalationPolicy: Policy }>('/escalation-policies', input).then((r) => r.escalationPolicy),
    update: (id: string, input: PolicyInput) => put<{ escalationPolicy: Policy }>(`/escalation-policies/${enc(id)}`, input).then((r) => r.escalationPolicy),
    remove: (id: string) => del(`/escalation-policies/${enc(id)}`),
  },
  services: {
    list: () => get<{ services: Service[] }>('/services').then((r) => r.services),
    get: (id: string) => get<{ service: Service }>(`/services/${enc(id)}`).then((r) => r.service),
    create: (input: ServiceInput) => post<{ service: Service }>('/services', input).then((r) => r.service),
    update: (id: string, input: ServiceInput) => put<{ service: Service }>(`/services/${enc(id)}`, input).then((r) => r.service),
    remove: (id: string) => del(`/services/${enc(id)}`),
  },
  integrations: {
    list: (serviceId: string) => get<{ integrations: Integration[] }>(`/services/${enc(serviceId)}/integrations`).then((r) => r.integrations),
    create: (serviceId: string, input: IntegrationInput) => post<{ integration: Integration }>(`/services/${enc(serviceId)}/integrations`, input).then((r) => r.integration),
    update: (id: string, input: { key?: string; signingSecret?: string | null; rateLimitPerMinute?: number | null }) =>
      patch<{ integration: Integration }>(`/integrations/${enc(id)}`, input).then((r) => r.integration),
    remove: (id: string) => del(`/integrations/${enc(id)}`),
  },
  heartbeats: {
    list: (serviceId: string) => get<{ heartbeats: Heartbeat[] }>(`/services/${enc(serviceId)}/heartbeats`).then((r) => r.heartbeats),
    create: (serviceId: string, input: HeartbeatInput) => post<{ heartbeat: Heartbeat }>(`/services/${enc(serviceId)}/heartbeats`, input).then((r) => r.heartbeat),
    update: (serviceId: string, id: string, input: Partial<HeartbeatInput>) => patch<{ heartbeat: Heartbeat }>(`/services/${enc(serviceId)}/heartbeats/${enc(id)}`, input).then((r) => r.heartbeat),
    remove: (serviceId: string, id: string) => del(`/services/${enc(serviceId)}/heartbeats/${enc(id)}`),
  },
  /** Chat channels where a service's (or a team's) incidents are announced. */
  chatChannels: {
    get: (owner: 'services' | 'teams', id: string) => get<ChatChannelsAnswer>(`/${owner}/${enc(id)}/chat-channels`),
    set: (owner: 'services' | 'teams', id: string, channels: ChatChannel[]) => put<ChatChannelsAnswer>(`/${owner}/${enc(id)}/chat-channels`, { channels }),
    test: (owner: 'services' | 'teams', id: string, channel: ChatChannel) => post<{ queued: boolean }>(`/${owner}/${enc(id)}/chat-channels/test`, channel),
  },
  hotlines: {
    list: (serviceId: string) => get<{ hotlines: Hotline[] }>(`/services/${enc(serviceId)}/hotlines`).then((r) => r.hotlines),
    create: (serviceId: string, input: HotlineInput) => post<{ hotline: Hotline }>(`/services/${enc(serviceId)}/hotlines`, input).then((r) => r.hotline),
    update: (serviceId: string, id: string, input: Partial<HotlineInput>) => patch<{ hotline: Hotline }>(`/services/${enc(serviceId)}/hotlines/${enc(id)}`, input).then((r) => r.hotline),
    remove: (serviceId: string, id: string) => del(`/services/${enc(serviceId)}/hotlines/${enc(id)}`),
  },
  incidents: {
    list: (q: IncidentQuery, signal?: AbortSignal) =>
      get<IncidentPage>(
        '/incidents',
        { status: q.status, service: q.service, severity: q.severity, sev: q.sev, team: q.team, q: q.q, assignee: q.assignee, mine: q.mine, ...q.report, limit: q.limit, before: q.before },
        signal,
      ),
    get: (id: string) => get<{ incident: Incident }>(`/incidents/${enc(id)}`).then((r) => r.incident),
    create: (input: ManualIncidentInput) => post<{ incident: Incident }>('/incidents', input).then((r) => r.incident),
    timeline: (id: string) => get<{ timeline: TimelineEvent[] }>(`/incidents/${enc(id)}/timeline`).then((r) => r.timeline),
    alerts: (id: string) => get<{ alerts: Alert[] }>(`/incidents/${enc(id)}/alerts`).then((r) => r.alerts),
    trace: (id: string) => get<{ trace: IncidentTrace }>(`/incidents/${enc(id)}/trace`).then((r) => r.trace),
    acknowledge: (id: string) => post<{ incident: Incident; changed: boolean }>(`/incidents/${enc(id)}/acknowledge`),
    resolve: (id: string) => post<{ incident: Incident; changed: boolean }>(`/incidents/${enc(id)}/resolve`),
    escalate: (id: string) => post<{ incident: Incident; changed: boolean }>(`/incidents/${enc(id)}/escalate`),
    reassign: (id: string, to: { user: string } | { escalationPolicy: string }) => post<{ incident: Incident; changed: boolean }>(`/incidents/${enc(id)}/reassign`, to),
  },
  schedules: {
    list: () => get<{ schedules: Schedule[] }>('/schedules').then((r) => r.schedules),
    get: (id: string) => get<{ schedule: Schedule }>(`/schedules/${enc(id)}`).then((r) => r.schedule),
    create: (input: ScheduleInput) => post<{ schedule: Schedule }>('/schedules', input).then((r) => r.schedule),
    update: (id: string, input: ScheduleInput) => put<{ schedule: Schedule }>(`/schedules/${enc(id)}`, input).then((r) => r.schedule),
    remove: (id: string) => del(`/schedules/${enc(id)}`),
    onCallAll: (at?: number) => get<{ oncall: OnCallAnswer[] }>('/oncall', { at }).then((r) => r.oncall),
    onCall: (id: string, at?: number) => get<{ oncall: OnCallAnswer }>(`/schedules/${enc(id)}/oncall`, { at }).then((r) => r.oncall),
    final: (id: string, from: number, to: number) => get<FinalSchedule>(`/schedules/${enc(id)}/final`, { from, to }),
    overrides: (id: string, from: number, to: number) => get<{ overrides: ScheduleOverride[] }>(`/schedules/${enc(id)}/overrides`, { from, to }).then((r) => r.overrides),
    addOverride: (id: string, input: { userIds: string[]; start: number | string; end: number | string; note?: string }) =>
      post<{ override: ScheduleOverride }>(`/schedules/${enc(id)}/overrides`, input).then((r) => r.override),
    removeOverride: (id: string) => del(`/overrides/${enc(id)}`),
    take: (id: string, input: { hours: number; userId?: string; note?: string }) => post<{ override: ScheduleOverride }>(`/schedules/${enc(id)}/take`, input).then((r) => r.override),
    swaps: (id: string) => get<{ swaps: SwapRequest[] }>(`/schedules/${enc(id)}/swaps`).then((r) => r.swaps),
    offerSwap: (id: string, input: { start: number | string; end: number | string; note?: string }) => post<{ swap: SwapRequest }>(`/schedules/${enc(id)}/swaps`, input).then((r) => r.swap),
    takeSwap: (swapId: string) => post<{ swap: SwapRequest; overrides: ScheduleOverride[] }>(`/swaps/${enc(swapId)}/take`, {}),
    cancelSwap: (swapId: string) => post<{ swap: SwapRequest }>(`/swaps/${enc(swapId)}/cancel`).then((r) => r.swap),
    icalSecret: (id: string) => post<{ url: string }>(`/schedules/${enc(id)}/ical-secret`).then((r) => r.url),
  },
  leave: {
    list: (userId: string) => get<{ leave: UserLeave[] }>(`/users/${enc(userId)}/leave`).then((r) => r.leave),
    add: (userId: string, input: { start: number | string; end: number | string; note?: string }) => post<{ leave: UserLeave }>(`/users/${enc(userId)}/leave`, input).then((r) => r.leave),
    remove: (id: string) => del(`/leave/${enc(id)}`),
  },
  shifts: (userId: string, from?: number, to?: number) => get<{ user: ScheduleUser; from: number; to: number; shifts: UserShift[] }>(`/users/${enc(userId)}/shifts`, { from, to }),
  userIcalSecret: (userId: string) => post<{ url: string }>(`/users/${enc(userId)}/ical-secret`).then((r) => r.url),
  warRoom: {
    severityLevels: () => get<{ severityLevels: SeverityLevel[] }>('/severity-levels').then((r) => r.severityLevels),
    declare: (input: { incident?: string; sev?: string; drill?: boolean; bridgeUrl?: string; impact?: { customerFacing?: boolean; businessImpact?: string } }) =>
      post<{ incident?: Incident; warRoom?: WarRoom }>('/major-incidents', input),
    get: (id: string) => get<{ warRoom: WarRoom }>(`/incidents/${enc(id)}/war-room`).then((r) => r.warRoom),
    setSeverity: (id: string, sev: string) => post<{ incident: Incident }>(`/incidents/${enc(id)}/severity`, { sev }).then((r) => r.incident),
    assignRole: (id: string, role: WarRoomRole, user: string) => post<{ warRoom: WarRoom }>(`/incidents/${enc(id)}/roles`, { role, user }).then((r) => r.warRoom),
    setBridge: (id: string, url: string | null) => put<{ warRoom: WarRoom }>(`/incidents/${enc(id)}/bridge`, { url }).then((r) => r.warRoom),
    chat: (id: string, priority?: boolean) => get<{ messages: ChatMessage[] }>(`/incidents/${enc(id)}/chat`, { priority }).then((r) => r.messages),
    post: (id: string, text: string, priority = false) => post<{ message: ChatMessage | null; result?: CommandResult }>(`/incidents/${enc(id)}/chat`, { text, priority }),
    receipt: (messageId: string, state: 'received' | 'read') => post<undefined>(`/chat/${enc(messageId)}/receipts`, { state }),
    command: (id: string, text: string) => post<{ result: CommandResult }>(`/incidents/${enc(id)}/commands`, { text }).then((r) => r.result),
    addTask: (id: string, text: string, owner?: string) => post<unknown>(`/incidents/${enc(id)}/tasks`, { text, owner }),
    runbooks: (id: string) => get<{ runbooks: Runbook[] }>(`/incidents/${enc(id)}/runbooks`).then((r) => r.runbooks),
    timelineMarkdownUrl: (id: string) => `/api/v1/incidents/${enc(id)}/timeline.md`,
  },
  status: {
    internal: () => get<{ incidents: InternalIncident[] }>('/status/internal').then((r) => r.incidents),
    updates: (id: string) => get<{ statusUpdates: StatusUpdate[] }>(`/incidents/${enc(id)}/status-updates`).then((r) => r.statusUpdates),
    postUpdate: (id: string, input: StatusUpdateInput) => post<{ statusUpdate: StatusUpdate }>(`/incidents/${enc(id)}/status-updates`, input).then((r) => r.statusUpdate),
    templates: () => get<{ templates: StatusTemplate[] }>('/status-templates').then((r) => r.templates),
  },
  push: {
    vapidPublicKey: () => get<{ publicKey: string }>('/push/vapid-public-key').then((r) => r.publicKey),
  },
  scimToken: {
    /** The SCIM token created from the API (never its secret) and whether KLAXON_SCIM_TOKEN is set (admins). */
    get: () => get<{ scimToken: ScimTokenState }>('/scim-token').then((r) => r.scimToken),
    /** Creates or replaces it; the token is in the answer, once. */
    rotate: () => post<{ token: string; scimToken: ScimTokenState }>('/scim-token', undefined),
    revoke: () => del('/scim-token'),
  },
  audit: {
    /** A page of the audit trail, newest first (admins). */
    list: (q: AuditQuery) => get<AuditAnswer>('/audit', q as Query),
    /** The export's URL (a download: the browser sends the session cookie). */
    exportUrl: (q: Omit<AuditQuery, 'cursor' | 'limit'>, format: 'csv' | 'json') => `/api/v1${withQuery('/audit/export', { ...(q as Query), format })}`,
  },
};
