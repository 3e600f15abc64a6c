import type { AlertEventTable, AlertTable, ChangeEventTable } from './alert/tables.js';
import type { ApiTokenTable, PasswordLinkTable, SessionTable, SsoRequestTable, SsoSeenAssertionTable } from './auth/tables.js';
import type { EscalationPolicyTable, EscalationRoundRobinTable } from './escalation/tables.js';
import type { IncidentTable, SeverityLevelTable, TimelineEventTable } from './incident/tables.js';
import type { MigrationRunTable } from './migrate/tables.js';
import type { DeliveryAttemptTable, NotificationTable, OutboxTable } from './notify/tables.js';
import type { ActionItemTable, PostmortemTable, ProblemTable } from './postmortem/tables.js';
import type { ReportAlertTable, ReportIncidentTable, ReportSubscriptionTable, ReportSummaryTable, SlaTargetTable, SlaWarningTable } from './report/tables.js';
import type { IcalFeedTable, ScheduleGapNoticeTable, ScheduleHandoffNoticeTable, ScheduleOverrideTable, ScheduleSwapTable, ScheduleTable, UserLeaveTable } from './schedule/tables.js';
import type { HeartbeatTable } from './heartbeat/tables.js';
import type { HotlineCallTable, HotlineTable } from './hotline/tables.js';
import type { IntegrationTable, ServiceTable } from './service/tables.js';
import type { EventRuleSnapshotTable, EventRuleTable } from './rules/tables.js';
import type {
  BusinessServiceLinkTable,
  BusinessServiceTable,
  MaintenanceWindowTable,
  StatusPageTable,
  StatusReminderTable,
  StatusSubscriptionTable,
  StatusTemplateTable,
  StatusUpdateTable,
} from './status/tables.js';
import type { TeamMemberTable, TeamTable } from './team/tables.js';
import type { ContactMethodTable, NotificationRuleTable, TelegramLinkCodeTable, UserTable } from './user/tables.js';
import type { TeamsReferenceTable } from './chat/teams/tables.js';
import type { ChatAnnouncementTable, ChatChannelTable } from './chat/tables.js';
import type { ChatBridgeTable, ChatMessageTable, ChatReceiptTable, RunbookTable, ServiceActionTable, WarRoomMemberTable, WarRoomTable, WarRoomTaskTable } from './warroom/tables.js';

/** Key-value settings shared by every instance (e.g. the link-signing secret). */
export interface SettingTable {
  key: string;
  value: string;
}

/** Named monotonically increasing counters (incident numbers). */
export interface CounterTable {
  name: string;
  value: number;
}

/** Who changed what, for admins. */
export interface AuditLogTable {
  id: string;
  at: number;
  actor: string;
  action: string;
  subject: string;
  data: string;
  /** The acting user's or integration's id (null for Klaxon itself); 0029. */
  actor_id?: string | null;
  actor_type?: string | null;
  /** The channel (web, api, cli, sms, voice, email, slack, ...) and the remote address. */
  via?: string | null;
  address?: string | null;
  /** What kind of object `subject` is (schedule, service, policy, ...). */
  subject_type?: string | null;
  /** JSON of the object before and after a configuration change. */
  before?: string | null;
  after?: string | null;
}

/** Every table, as Kysely sees it. Each domain owns its own table types; this only composes them. */
export interface Database {
  settings: SettingTable;
  counters: CounterTable;
  audit_log: AuditLogTable;
  migration_runs: MigrationRunTable;
  users: UserTable;
  teams: TeamTable;
  team_members: TeamMemberTable;
  contact_methods: ContactMethodTable;
  telegram_link_codes: TelegramLinkCodeTable;
  notification_rules: NotificationRuleTable;
  api_tokens: ApiTokenTable;
  sso_requests: SsoRequestTable;
  sso_seen_assertions: SsoSeenAssertionTable;
  sessions: SessionTable;
  password_links: PasswordLinkTable;
  escalation_policies: EscalationPolicyTable;
  escalation_round_robin: EscalationRoundRobinTable;
  services: ServiceTable;
  integrations: IntegrationTable;
  heartbeats: HeartbeatTable;
  hotlines: HotlineTable;
  hotline_calls: HotlineCallTable;
  incidents: IncidentTable;
  severity_levels: SeverityLevelTable;
  alerts: AlertTable;
  alert_events: AlertEventTable;
  event_rules: EventRuleTable;
  event_rule_snapshots: EventRuleSnapshotTable;
  change_events: ChangeEventTable;
  timeline_events: TimelineEventTable;
  notifications: NotificationTable;
  outbox: OutboxTable;
  delivery_attempts: DeliveryAttemptTable;
  schedules: ScheduleTable;
  schedule_overrides: ScheduleOverrideTable;
  user_leave: UserLeaveTable;
  schedule_swaps: ScheduleSwapTable;
  ical_feeds: IcalFeedTable;
  schedule_handoff_notices: ScheduleHandoffNoticeTable;
  schedule_gap_notices: ScheduleGapNoticeTable;
  sla_targets: SlaTargetTable;
  sla_warnings: SlaWarningTable;
  report_subscriptions: ReportSubscriptionTable;
  report_summaries: ReportSummaryTable;
  report_incidents: ReportIncidentTable;
  report_alerts: ReportAlertTable;
  postmortems: PostmortemTable;
  action_items: ActionItemTable;
  problems: ProblemTable;
  business_services: BusinessServiceTable;
  business_service_links: BusinessServiceLinkTable;
  status_pages: StatusPageTable;
  status_subscriptions: StatusSubscriptionTable;
  status_updates: StatusUpdateTable;
  status_templates: StatusTemplateTable;
  maintenance_windows: MaintenanceWindowTable;
  status_reminders: StatusReminderTable;
  war_rooms: WarRoomTable;
  war_room_members: WarRoomMemberTable;
  chat_messages: ChatMessageTable;
  chat_receipts: ChatReceiptTable;
  chat_bridges: ChatBridgeTable;
  teams_references: TeamsReferenceTable;
  chat_channels: ChatChannelTable;
  chat_announcements: ChatAnnouncementTable;
  war_room_tasks: WarRoomTaskTable;
  runbooks: RunbookTable;
  service_actions: ServiceActionTable;
}
