/** The channels Klaxon can reach a person on. */
export type Channel = 'email' | 'sms' | 'voice' | 'slack' | 'webhook' | 'push' | 'mattermost' | 'discord' | 'matrix' | 'ntfy' | 'pushover' | 'telegram' | 'whatsapp' | 'googlechat' | 'teams';

export const CHANNELS: readonly Channel[] = ['email', 'sms', 'voice', 'slack', 'webhook', 'push', 'mattermost', 'discord', 'matrix', 'ntfy', 'pushover', 'telegram', 'whatsapp', 'googlechat', 'teams'];

/** A page about an incident: everything a renderer needs to say what broke, where, how bad and how to act. */
export interface PageMessage {
  kind: 'page';
  incidentId: string;
  incidentNumber: number;
  title: string;
  serviceName: string;
  /** Alert severity of the incident: critical | error | warning | info. */
  severity: string;
  /** triggered | acknowledged | resolved at the time of rendering. */
  status: string;
  /** A short excerpt of details (first lines), may be empty. */
  details: string;
  /** How many alerts are grouped in the incident. */
  alertCount: number;
  createdAt: number;
  /** Absolute URLs. ackUrl/resolveUrl are signed and expiring (used in email). */
  incidentUrl: string;
  ackUrl: string;
  resolveUrl: string;
  /** True for drills: renderers put DRILL first. */
  drill?: boolean;
  /** Sent by a person (declaring, /page), not by escalation: delivered even once the incident is acknowledged. */
  direct?: boolean;
  /** From an escalation level with `until: resolved`: delivered even once the incident is acknowledged, until it is resolved. */
  untilResolved?: boolean;
  /** A major incident (it has a war room): chat renderers that have buttons add Join war room. */
  major?: boolean;
  /** The war room's conference bridge (Jitsi, Meet, Zoom...), when the incident has one. */
  bridgeUrl?: string;
  /** A second call because the first was not answered (voice): never repeated again. */
  repeatOfUnanswered?: boolean;
  /** The incident's urgency (push channels ring louder for high); absent in messages queued before it was recorded. */
  urgency?: 'high' | 'low';
  /**
   * Several incidents for one person on one contact method in one message (held by the rate limit, or
   * due in the same engine cycle): the page's own fields describe the first of them, `ackUrl`
   * acknowledges them all. Only the channels of notify/limits.ts BUNDLE_CHANNELS carry bundles.
   */
  bundle?: PageBundle;
  /** Posted to a chat channel that announces the service's incidents (chat/announce.ts), not to a person: sent even once acknowledged, until resolved. */
  announce?: boolean;
}

/** The incidents of a bundled page (docs/paging.md, "Storms"). */
export interface PageBundle {
  /** The outbox id of the message that carries the bundle. */
  id: string;
  /** Every incident in the bundle, oldest first (the first is the page's own incident). */
  items: BundleItem[];
}

/** One incident of a bundle: enough to name it. */
export interface BundleItem {
  incidentId: string;
  incidentNumber: number;
  title: string;
  serviceName: string;
  severity: string;
  incidentUrl: string;
  drill?: boolean;
  /** The incident's urgency (Pushover sends a bundle at emergency priority when any incident is high). */
  urgency?: 'high' | 'low';
  /** From an escalation level with `until: resolved` (sent even once the incident is acknowledged). */
  untilResolved?: boolean;
}

/** A one-time code that proves a contact method reaches its owner. */
export interface VerificationMessage {
  kind: 'verification';
  code: string;
  userName: string;
}

/** A test message the user asked for ("send me a test page"). */
export interface TestMessage {
  kind: 'test';
  userName: string;
}

/** Help text or a confirmation sent in answer to an inbound reply (SMS). */
export interface ReplyMessage {
  kind: 'reply';
  text: string;
  /** About a drill: the text already starts with DRILL; renderers put DRILL first in subjects and titles too. */
  drill?: boolean;
  /** A war-room priority message bridged to a chat platform: renderers that can notify the whole room do (Matrix: an @room mention). */
  priority?: boolean;
  /** Posted to a chat channel that announces incidents (chat/announce.ts). */
  announce?: boolean;
  /** The platform's id of the message to reply under (the incident's card in that channel): Slack and Mattermost post in its thread. */
  thread?: string;
}

/**
 * A schedule notice: a hand-off ("you are on call for Primary from 09:00 to 09:00") ahead of time or
 * at the change, or a coverage gap for the schedule's owners. Times are phrased in the recipient's zone.
 */
export interface ScheduleNoticeMessage {
  kind: 'schedule';
  event: 'handoff.upcoming' | 'handoff.start' | 'gap';
  scheduleId: string;
  scheduleName: string;
  userName: string;
  start: number;
  /** Null when no end is scheduled within the look-ahead. */
  end: number | null;
  /** One line, e.g. "You are on call for Primary from Mon 2 Mar 09:00 to Mon 9 Mar 09:00 (Europe/Berlin)". */
  summary: string;
  /** The full text (may be several sentences). */
  text: string;
  /** Absolute URL of the schedule in Klaxon. */
  url: string;
}

/** A report notice: the weekly summary, an SLA target about to be breached, or an action item due. */
export interface ReportNoticeMessage {
  kind: 'report';
  event: 'weekly-summary' | 'sla-warning' | 'action-item-due';
  userName: string;
  /** One line (email subject, SMS text). */
  summary: string;
  /** The full text, plain, several lines. */
  text: string;
  /** Absolute URL of the report, incident or postmortem in Klaxon. */
  url: string;
}

/** A status update for stakeholders, an overdue-update reminder for the incident manager, or a subscription confirmation. */
export interface StatusUpdateMessage {
  kind: 'status_update';
  event: 'update' | 'reminder' | 'confirm';
  subject: string;
  text: string;
  /** Absolute URL: the incident, the status page, or the confirmation link. */
  url: string;
  incidentId: string | null;
  phase: string | null;
  /** One-click unsubscribe URL (RFC 8058) for subscribers; null otherwise. */
  unsubscribeUrl: string | null;
}

/** A link to set a password: an invitation to a new account, or "forgot password". Sent by email only. */
export interface AccountLinkMessage {
  kind: 'account';
  event: 'invite' | 'password-reset';
  userName: string;
  /** Absolute URL of the set-password page with the one-time secret. */
  url: string;
  /** How long the link works, in words ("7 days", "1 hour"). */
  validFor: string;
}

/** Everything that can be sent. Stored as JSON in the outbox and rendered per channel at send time. */
export type Message = PageMessage | VerificationMessage | TestMessage | ReplyMessage | ScheduleNoticeMessage | ReportNoticeMessage | StatusUpdateMessage | AccountLinkMessage;

/** A message claimed from the outbox, ready to hand to a provider. */
export interface OutgoingMessage {
  /** Outbox id; also the idempotency key for providers that accept one. */
  id: string;
  channel: Channel;
  /** Email address, E.164 phone number, Slack user/channel id, webhook URL, push subscription JSON. */
  destination: string;
  message: Message;
  /** SMS and voice with several providers: providers not to use again (they reported this message failed). */
  skipProviders?: readonly string[];
}

/** One provider failing a message and the next one being tried (SMS and voice with several providers). */
export interface Failover {
  /** The provider that failed. */
  from: string;
  /** The provider tried next. */
  to: string;
  /** What went wrong. */
  error: string;
}

/** What a provider reports after accepting a message. */
export interface SendResult {
  /** The provider's own id (Twilio SID, Slack ts, SMTP message id). */
  providerMessageId: string | null;
  /** The provider's status word (queued, sent, accepted...). */
  providerStatus: string;
  /** SMS and voice with several providers: the name of the one that took the message. */
  provider?: string;
  /** SMS and voice with several providers: the providers that failed before it. */
  failovers?: Failover[];
}

/**
 * A provider failure. `permanent` failures (invalid number, 4xx other than 429) are not retried;
 * temporary ones (network, 5xx, 429) are retried with backoff.
 */
export class ProviderError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
    readonly providerStatus?: string,
    /** SMS and voice with several providers: the failovers made before every provider failed. */
    readonly failovers?: Failover[],
  ) {
    super(message);
    this.name = 'ProviderError';
  }
}

/** One channel's sender. Every provider talks to exactly one outside service, through a configurable base URL. */
export interface Provider {
  readonly channel: Channel;
  send(msg: OutgoingMessage): Promise<SendResult>;
}
