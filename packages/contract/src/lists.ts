/**
 * The closed sets of the API as plain arrays: no TypeBox here, so the web app can import these values
 * (`@klaxon/contract/lists`) without pulling the schema builder into its bundle. The schemas in this
 * package build their unions from the same arrays.
 */

export const ROLES = ['admin', 'responder', 'stakeholder', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export const CHANNELS = ['email', 'sms', 'voice', 'slack', 'webhook', 'push', 'mattermost', 'discord', 'matrix', 'ntfy', 'pushover', 'telegram', 'whatsapp', 'googlechat', 'teams'] as const;
export type Channel = (typeof CHANNELS)[number];

/** The chat platforms besides Slack (each also a channel above): war-room bridges, commands, buttons. */
export const CHAT_PLATFORMS = ['mattermost', 'discord', 'matrix', 'googlechat', 'teams'] as const;
export type ChatPlatformName = (typeof CHAT_PLATFORMS)[number];

/** The chat platforms a service or team can announce its incidents on (Slack and the others). */
export const ANNOUNCE_PLATFORMS = ['slack', ...CHAT_PLATFORMS] as const;
export type AnnouncePlatform = (typeof ANNOUNCE_PLATFORMS)[number];

export const INTEGRATION_KINDS = ['pagerduty', 'alertmanager', 'grafana', 'opsgenie', 'generic', 'email'] as const;
export type IntegrationKind = (typeof INTEGRATION_KINDS)[number];

export const INCIDENT_STATUSES = ['triggered', 'acknowledged', 'resolved'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

/** Alert severities (PagerDuty's); every ingest adapter maps its source's severity onto these. */
export const SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;
/** An incident's priority, set by an event rule (docs/event-rules.md). */
export const PRIORITIES = ['P1', 'P2', 'P3', 'P4', 'P5'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** The closed set of incident timeline event types. */
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
  'escalation.condition_skipped',
  'escalation.exhausted',
  'notification.sent',
  'notification.failed',
  'notification.failover',
  'notification.cancelled',
  'notification.held',
  'notification.bundled',
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
  'chat.bridged',
  'bridge.changed',
  'impact.changed',
  'drill.summary',
  'status.reminder',
  'escalation.suppressed',
  'sla.warning',
  'postmortem.created',
  'heartbeat.missed',
  'heartbeat.checkin',
  'hotline.call',
  'hotline.dialing',
  'hotline.missed',
  'hotline.answered',
  'hotline.unanswered',
  'chat.announce_failed',
] as const;
export type TimelineType = (typeof TIMELINE_TYPES)[number];
