/**
 * The API's shapes, mirroring apps/server/src/{user,team,escalation,service,incident,alert}/types.ts
 * and the auth contract. Kept by hand until a shared packages/api-contract exists; when a server type
 * changes, change it here in the same commit.
 */

export type Role = 'admin' | 'responder' | 'stakeholder' | 'viewer';
export const ROLES: readonly Role[] = ['admin', 'responder', 'stakeholder', 'viewer'];

export type Channel = 'email' | 'sms' | 'voice' | 'slack' | 'webhook' | 'push';
export const CHANNELS: readonly Channel[] = ['email', 'sms', 'voice', 'slack', 'webhook', 'push'];

/** A person who can be paged, or who watches. */
export interface User {
  id: string;
  email: string;
  name: string;
  timeZone: string;
  role: Role;
  createdAt: number;
}

/** Input to create a user (POST /users). */
export interface UserInput {
  email: string;
  name: string;
  timeZone?: string;
  role?: Role;
  password?: string;
}

/** A partial update of a user (PATCH /users/:id); the email cannot change. */
export type UserPatch = Partial<Omit<UserInput, 'email'>> & { /** Required with `password` when changing your own password. */ currentPassword?: string };

/** A way to reach a user. */
export interface ContactMethod {
  id: string;
  userId: string;
  name: string;
  type: Channel;
  address: string;
  verified: boolean;
  disabled: boolean;
}

export interface ContactMethodInput {
  name: string;
  type: Channel;
  address: string;
}

/** Notify through a contact method `delayMinutes` after the user is paged. */
export interface NotificationRule {
  id: string;
  userId: string;
  contactMethodId: string;
  delayMinutes: number;
}

export interface NotificationRuleInput {
  contactMethodId: string;
  delayMinutes: number;
}

/** An API token as listed (never with its secret). */
export interface ApiToken {
  id: string;
  userId: string;
  name: string;
  createdAt: number;
  lastUsedAt: number | null;
  revoked: boolean;
}

/** A team and its members in order. */
export interface Team {
  id: string;
  name: string;
  description: string;
  members: { userId: string; role: 'member' | 'manager' }[];
}

export interface TeamInput {
  name: string;
  description?: string;
  members?: { userId: string; role?: 'member' | 'manager' }[];
}

export type TargetType = 'user' | 'team' | 'team_managers' | 'team_random' | 'schedule' | 'schedule_next' | 'schedule_previous';

/** Who a level pages. */
export interface Target {
  type: TargetType;
  id: string;
}

/** One level: its targets, and how long to wait for an acknowledgement before the next. */
export interface Level {
  delayMinutes: number;
  targets: Target[];
  /** resolved: the level fires even once the incident is acknowledged (default acknowledged). */
  until?: 'acknowledged' | 'resolved';
}

/** An escalation policy. */
export interface Policy {
  id: string;
  name: string;
  description: string;
  repeat: number;
  /** Minutes after the incident opens before level 1 fires. */
  initialDelayMinutes?: number;
  levels: Level[];
}

export interface PolicyInput {
  name: string;
  description?: string;
  repeat?: number;
  levels: Level[];
  initialDelayMinutes?: number;
}

export type Grouping = { mode: 'none' } | { mode: 'window'; minutes: number } | { mode: 'field'; field: string };

/** A technical service. */
export interface Service {
  id: string;
  name: string;
  description: string;
  escalationPolicyId: string | null;
  teamId: string | null;
  grouping: Grouping;
}

export interface ServiceInput {
  name: string;
  description?: string;
  escalationPolicyId?: string | null;
  teamId?: string | null;
  grouping?: Grouping;
}

export type IntegrationKind = 'pagerduty' | 'alertmanager' | 'grafana' | 'opsgenie' | 'generic' | 'email';
export const INTEGRATION_KINDS: readonly IntegrationKind[] = ['pagerduty', 'alertmanager', 'grafana', 'opsgenie', 'generic', 'email'];

/** An integration; `key` and `endpoint` are only present right after it was created. */
export interface Integration {
  id: string;
  serviceId: string;
  name: string;
  kind: IntegrationKind;
  keyHint: string;
  settings: { signingSecret?: string; signingSecretSet?: boolean; rateLimitPerMinute?: number };
  key?: string;
  endpoint?: string;
}

export interface IntegrationInput {
  name: string;
  kind: IntegrationKind;
  key?: string;
  signingSecret?: string;
  rateLimitPerMinute?: number;
}

export type IncidentStatus = 'triggered' | 'acknowledged' | 'resolved';
export const INCIDENT_STATUSES: readonly IncidentStatus[] = ['triggered', 'acknowledged', 'resolved'];

export type Severity = 'critical' | 'error' | 'warning' | 'info';
export const SEVERITIES: readonly Severity[] = ['critical', 'error', 'warning', 'info'];

/** An incident as the API shows it. */
export interface Incident {
  id: string;
  number: number;
  serviceId: string;
  serviceName: string;
  title: string;
  status: IncidentStatus;
  urgency: 'high' | 'low';
  severity: string;
  details: string;
  createdAt: number;
  updatedAt: number;
  acknowledgedAt: number | null;
  acknowledgedBy: string | null;
  resolvedAt: number | null;
  resolvedBy: string | null;
  escalationStep: number;
  nextEscalationAt: number | null;
  escalationPolicyName: string | null;
  alertCount: number;
  /** Declared severity level (SEV1..), or null. */
  sev?: string | null;
  /** True for major incidents (they have a war room). */
  major?: boolean;
  /** True for drills. */
  drill?: boolean;
  /** The incident manager's user id, or null. */
  incidentManagerId?: string | null;
  /** While snoozed: when it pages again (epoch ms); else null. */
  snoozedUntil?: number | null;
}

export type WarRoomRole = 'im' | 'comms' | 'scribe' | 'responder';

export interface SeverityLevel {
  name: string;
  rank: number;
  description: string;
  major: boolean;
}

export interface WarRoom {
  incidentId: string;
  incidentNumber: number;
  sev: string | null;
  drill: boolean;
  openedAt: number;
  bridgeUrl: string | null;
  slackChannel: string | null;
  incidentManager: { id: string; name: string } | null;
  members: { userId: string; name: string; role: WarRoomRole }[];
  tasks: { id: string; text: string; ownerId: string | null; ownerName: string | null; createdAt: number; doneAt: number | null }[];
}

export interface ChatReceipt {
  userId: string;
  name: string;
  receivedAt: number | null;
  readAt: number | null;
  pages: number;
}

export interface ChatMessage {
  id: string;
  incidentId: string;
  at: number;
  author: { id: string | null; name: string };
  source: string;
  text: string;
  priority: boolean;
  receipts?: ChatReceipt[];
}

export interface CommandResult {
  ok: boolean;
  command: string;
  text: string;
  code?: string;
}

export interface Runbook {
  id: string;
  serviceId: string;
  title: string;
  body: string;
  ownerId: string | null;
  lastReviewedAt: number;
  stale: boolean;
}

export type StatusPhase = 'investigating' | 'identified' | 'monitoring' | 'resolved';

export interface StatusUpdate {
  id: string;
  incidentId: string;
  at: number;
  author: string;
  phase: StatusPhase;
  message: string;
  businessImpact: string;
  nextUpdateAt: number | null;
  public: boolean;
  /** The public title given with this update (status pages show the latest one), or null. */
  publicTitle: string | null;
}

export interface StatusUpdateInput {
  phase: StatusPhase;
  message?: string;
  publicTitle?: string;
  businessImpact?: string;
  nextUpdateInMinutes?: number;
  public?: boolean;
}

export interface StatusTemplate {
  id: string;
  phase: StatusPhase;
  sev: string | null;
  body: string;
}

export interface InternalIncident {
  id: string;
  number: number;
  title: string;
  status: IncidentStatus;
  sev: string | null;
  incidentManager: { id: string; name: string } | null;
  businessServices: { id: string; name: string }[];
  latestUpdate: StatusUpdate | null;
  nextUpdateAt: number | null;
  warRoomUrl: string;
  bridgeUrl: string | null;
}

export interface ManualIncidentInput {
  service: string;
  title: string;
  details?: string;
  severity?: Severity;
}

/** One entry on an incident's timeline. */
export interface TimelineEvent {
  id: string;
  incidentId: string;
  at: number;
  type: string;
  actor: { type: string; id: string | null; name: string };
  channel: string;
  message: string;
  data: Record<string, unknown>;
}

/** An alert grouped in an incident. */
export interface Alert {
  id: string;
  dedupKey: string;
  status: string;
  summary: string;
  source: string;
  severity: string;
  details: Record<string, unknown>;
  links: { href: string; text?: string }[];
  eventCount: number;
  createdAt: number;
  resolvedAt: number | null;
}

/** The signed-in session (GET /auth/session, POST /auth/login, POST /setup). */
export interface Session {
  user: User;
  csrfToken: string;
}

/** What the WebSocket at /api/v1/live pushes. */
export interface LiveEvent {
  type: string;
  incidentId?: string;
  data?: Record<string, unknown>;
}

/** A field problem in the error body's details. */
export interface FieldError {
  path: string;
  message: string;
}

/** Every /api/v1 error: `{ error: { code, message, details } }`. */
export interface ErrorBody {
  error: { code: string; message: string; details?: FieldError[] | Record<string, unknown> };
}

// Schedules: mirrors apps/server/src/schedule/types.ts and compute/types.ts.

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';
export type RestrictionPreset = 'business-hours' | 'weekdays' | 'nights' | 'weekends';
export type Restriction =
  | { kind: 'weekly'; startDay: Weekday; startTime: string; endDay: Weekday; endTime: string }
  | { kind: 'daily'; days: Weekday[]; start: string; end: string }
  | { kind: 'preset'; preset: RestrictionPreset };

export interface TurnLength {
  unit: 'minute' | 'hour' | 'day' | 'week';
  count: number;
  /** Day turns only: the weekdays that count (the editor keeps it as it is; set through the API or klaxon.yaml). */
  weekdays?: ('mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun')[];
  /** Only the first N minutes of each turn are on call (kept as it is by the editor). */
  onCallMinutes?: number;
}

/** A rotation layer as stored: user ids (or groups of them), instants in epoch ms. */
export interface Layer {
  name?: string;
  participants: (string | string[])[];
  turn: TurnLength;
  handoffTime?: string;
  timeZone?: string;
  start: number;
  end?: number;
  restrictions?: Restriction[];
  priority?: number;
}

/** A layer as the API accepts it: instants may also be local date-times ("2026-03-02T09:00"). */
export type LayerInput = Omit<Layer, 'start' | 'end'> & { start: number | string; end?: number | string };

export interface Schedule {
  id: string;
  name: string;
  description: string;
  teamId: string | null;
  timeZone: string;
  layers: Layer[];
  handoffNoticeMinutes: number;
  gapNoticeDays: number;
  createdAt: number;
  updatedAt: number;
}

export interface ScheduleInput {
  name: string;
  description?: string;
  teamId?: string | null;
  timeZone: string;
  layers: LayerInput[];
  handoffNoticeMinutes?: number;
  gapNoticeDays?: number;
}

export type ShiftSource = { kind: 'layer'; layerIndex: number; layerName?: string } | { kind: 'override'; overrideId: string };

export interface TimeRange {
  start: number;
  end: number;
}

export interface ScheduleUser {
  id: string;
  name: string;
  email: string;
  timeZone: string;
}

export interface OnCallAnswer {
  scheduleId: string;
  scheduleName: string;
  at: number;
  users: ScheduleUser[];
  source: ShiftSource | null;
  until: number | null;
  next: ScheduleUser[];
}

export interface FinalShift {
  start: number;
  end: number;
  userIds: string[];
  source: ShiftSource;
}

export interface FinalSchedule {
  schedule: { id: string; name: string; timeZone: string };
  from: number;
  to: number;
  shifts: FinalShift[];
  gaps: TimeRange[];
  users: Record<string, ScheduleUser>;
}

export interface ScheduleOverride {
  id: string;
  scheduleId: string;
  userIds: string[];
  start: number;
  end: number;
  kind: 'manual' | 'take' | 'swap';
  note: string;
  swapId: string | null;
  createdBy: string | null;
  createdAt: number;
}

export interface SwapRequest {
  id: string;
  scheduleId: string;
  offeredBy: string;
  start: number;
  end: number;
  note: string;
  status: 'open' | 'taken' | 'cancelled';
  takenBy: string | null;
  takenAt: number | null;
  createdAt: number;
}

export interface UserLeave {
  id: string;
  userId: string;
  start: number;
  end: number;
  note: string;
  createdAt: number;
}

export interface UserShift {
  scheduleId: string;
  scheduleName: string;
  start: number;
  end: number;
  userIds: string[];
  source: ShiftSource;
}
