import type { Migration } from 'kysely';
import * as m0001 from './0001-paging-path.js';
import * as m0002 from './0002-schedules.js';
import * as m0003 from './0003-sessions.js';
import * as m0004 from './0004-major-incidents.js';
import * as m0006 from './0006-reports.js';
import * as m0007 from './0007-status.js';
import * as m0005 from './0005-war-room.js';
import * as m0008 from './0008-report-measures.js';
import * as m0009 from './0009-escalation-due-index.js';
import * as m0010 from './0010-status-public-title.js';
import * as m0011 from './0011-subscriptions-reconfirm.js';
import * as m0012 from './0012-migration-runs.js';
import * as m0013 from './0013-opsgenie-layering-and-delays.js';
import * as m0014 from './0014-pagerduty-urgency.js';
import * as m0015 from './0015-incident-snooze.js';
import * as m0016 from './0016-password-links.js';
import * as m0019 from './0019-heartbeats.js';
import * as m0021 from './0021-escalation-round-robin.js';
import * as m0023 from './0023-incident-priority.js';
import * as m0027 from './0027-chat-platforms.js';
import * as m0026 from './0026-page-bundles.js';
import * as m0025 from './0025-sms-providers.js';
import * as m0020 from './0020-event-rules.js';
import * as m0022 from './0022-hotlines.js';
import * as m0028 from './0028-sso.js';
import * as m0029 from './0029-team-roles-audit.js';
import * as m0030 from './0030-teams-references.js';
import * as m0032 from './0032-chat-channels.js';
import * as m0033 from './0033-incident-list-index.js';
import * as m0034 from './0034-first-pages-first.js';
import * as m0035 from './0035-mine-indexes.js';
import * as m0036 from './0036-due-in-index-order.js';
import * as m0037 from './0037-status-page-reads.js';
import * as m0038 from './0038-incident-number-sequence.js';
import * as m0024 from './0024-telegram-links.js';

/** Every migration, by name; applied in name order on start. */
export const migrations: Record<string, Migration> = {
  '0001-paging-path': m0001,
  '0002-schedules': m0002,
  '0003-sessions': m0003,
  '0004-major-incidents': m0004,
  '0006-reports': m0006,
  '0007-status': m0007,
  '0005-war-room': m0005,
  '0008-report-measures': m0008,
  '0009-escalation-due-index': m0009,
  '0010-status-public-title': m0010,
  '0011-subscriptions-reconfirm': m0011,
  '0012-migration-runs': m0012,
  '0013-opsgenie-layering-and-delays': m0013,
  '0014-pagerduty-urgency': m0014,
  '0015-incident-snooze': m0015,
  '0016-password-links': m0016,
  '0019-heartbeats': m0019,
  '0021-escalation-round-robin': m0021,
  '0020-event-rules': m0020,
  '0023-incident-priority': m0023,
  '0027-chat-platforms': m0027,
  '0022-hotlines': m0022,
  '0026-page-bundles': m0026,
  '0025-sms-providers': m0025,
  '0028-sso': m0028,
  '0029-team-roles-audit': m0029,
  '0030-teams-references': m0030,
  '0024-telegram-links': m0024,
  '0032-chat-channels': m0032,
  '0033-incident-list-index': m0033,
  '0034-first-pages-first': m0034,
  '0035-mine-indexes': m0035,
  '0036-due-in-index-order': m0036,
  '0037-status-page-reads': m0037,
  '0038-incident-number-sequence': m0038,
};
