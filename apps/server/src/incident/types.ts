import { Type, type Static } from '@sinclair/typebox';

export type IncidentStatus = 'triggered' | 'acknowledged' | 'resolved';

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
  sev: string | null;
  /** True for major incidents (they have a war room). */
  major: boolean;
  /** True for drills. */
  drill: boolean;
  /** The incident manager's user id, or null. */
  incidentManagerId: string | null;
  /** While snoozed: when it pages again (epoch ms); else null. */
  snoozedUntil: number | null;
}

/** Input to reassign an incident: to one person, or to an escalation policy. */
export const ReassignInput = Type.Object(
  {
    user: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'User id or email: paged now; if they do not acknowledge, the policy follows from its first level' })),
    escalationPolicy: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Escalation policy id or name: escalation restarts at its first level' })),
  },
  { additionalProperties: false },
);
export type ReassignInput = Static<typeof ReassignInput>;

/** Input to reopen a resolved incident. */
export const ReopenInput = Type.Object(
  {
    escalate: Type.Optional(Type.Boolean({ description: 'true: the incident is triggered again and pages from level 1 of its policy; false (default): it reopens acknowledged, nobody is paged' })),
  },
  { additionalProperties: false },
);
export type ReopenInput = Static<typeof ReopenInput>;

/** Input to snooze an open incident. */
export const SnoozeInput = Type.Object(
  { minutes: Type.Integer({ minimum: 1, maximum: 1440, description: 'Minutes until it is triggered again and pages from where it was (1 to 1440)' }) },
  { additionalProperties: false },
);
export type SnoozeInput = Static<typeof SnoozeInput>;

/** Input to add a note to an incident's timeline. */
export const NoteInput = Type.Object({ text: Type.String({ minLength: 1, maxLength: 10_000, description: 'The note (plain text)' }) }, { additionalProperties: false });
export type NoteInput = Static<typeof NoteInput>;

/** Input to add a responder: paged now on their high-priority contact methods. */
export const AddResponderInput = Type.Object({ user: Type.String({ minLength: 1, maxLength: 200, description: 'User id or email' }) }, { additionalProperties: false });
export type AddResponderInput = Static<typeof AddResponderInput>;

/** Input to act on many incidents at once. */
export const BulkInput = Type.Object(
  {
    ids: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { minItems: 1, maxItems: 200, description: 'Incident ids or numbers' }),
    action: Type.Union([Type.Literal('acknowledge'), Type.Literal('resolve'), Type.Literal('snooze')]),
    minutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 1440, description: 'For snooze: minutes (1 to 1440)' })),
  },
  { additionalProperties: false },
);
export type BulkInput = Static<typeof BulkInput>;

/** The closed set of timeline event types. */
export const TIMELINE_TYPES = [
  'incident.opened',
  'alert.triggered',
  'alert.grouped',
  'alert.acknowledged',
  'alert.resolved',
  'incident.acknowledged',
  'incident.resolved',
  'incident.reopened',
  'incident.escalated',
  'incident.reassigned',
  'incident.snoozed',
  'incident.unsnoozed',
  'responder.added',
  'escalation.level',
  'escalation.skipped',
  'escalation.exhausted',
  'notification.sent',
  'notification.failed',
  'notification.cancelled',
  'note',
  'major.declared',
  'severity.changed',
  'role.assigned',
  'chat.message',
  'chat.priority',
  'chat.repage',
  'page.manual',
  'status.update',
  'task.created',
  'action.run',
  'runbook.shown',
  'slack.bridged',
  'bridge.changed',
  'impact.changed',
  'drill.summary',
  'status.reminder',
  'escalation.suppressed',
  'sla.warning',
  'postmortem.created',
  'heartbeat.missed',
  'heartbeat.checkin',
] as const;
export type TimelineType = (typeof TIMELINE_TYPES)[number];

/** One entry on an incident's timeline: what, when, who, through which channel. */
export interface TimelineEvent {
  id: string;
  incidentId: string;
  at: number;
  type: TimelineType;
  actor: { type: string; id: string | null; name: string };
  channel: string;
  message: string;
  data: Record<string, unknown>;
}

/** Input to open an incident by hand. */
export const ManualIncidentInput = Type.Object(
  {
    service: Type.String({ minLength: 1, description: 'Service id or name' }),
    title: Type.String({ minLength: 1, maxLength: 1024 }),
    details: Type.Optional(Type.String({ maxLength: 20_000 })),
    severity: Type.Optional(Type.Union([Type.Literal('critical'), Type.Literal('error'), Type.Literal('warning'), Type.Literal('info')])),
  },
  { additionalProperties: false },
);
export type ManualIncidentInput = Static<typeof ManualIncidentInput>;

/** Filters for listing incidents. */
export interface IncidentFilter {
  status?: IncidentStatus[];
  serviceId?: string;
  limit?: number;
  /** Cursor: list incidents created before this incident number. */
  before?: number;
  /** Alert severity (critical, error, warning, info). */
  severity?: string;
  /** Declared severity level (SEV1..). */
  sev?: string;
  /** The service's team id. */
  teamId?: string;
  /** Case-insensitive text in the title. */
  q?: string;
  /** User id: incidents this user manages (incident manager) or acknowledged. */
  assignee?: string;
  /** Created at or after this instant (epoch ms or ISO date-time with offset), as reports take `from`. */
  since?: number | string;
  /** Created before this instant (exclusive), as reports take `to`. */
  until?: number | string;
  /** Only these incident ids. */
  ids?: string[];
  /** true: only drills; false: no drills; unset: both. */
  drill?: boolean;
  /** The severity reports group by: the declared level (SEV1..) when set, else the alert severity. */
  level?: string;
  /** User id of whoever acknowledged. */
  acknowledgedBy?: string;
  /** true: acknowledged at some point; false: never acknowledged. */
  acknowledged?: boolean;
  /**
   * User id: "mine" for this person: they manage it or acknowledged it, the service belongs to one of
   * their teams, or they were paged about it (escalation or added as a responder).
   */
  mine?: string;
}
