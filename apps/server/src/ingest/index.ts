/** Ingest adapters: pure parsers from vendor payloads to normalized AlertEvents (no DB, no HTTP). */

/** The error every parser throws for a payload it cannot accept. */
export { IngestError } from './errors.js';
/** PagerDuty Events API v2: /v2/enqueue and /v2/change/enqueue. */
export { parsePagerDutyEvent, parsePagerDutyChange, type PagerDutyEvent, type PagerDutyChange, type ChangeEvent } from './pagerduty.js';
/** Prometheus Alertmanager webhook (version 4). */
export { parseAlertmanagerWebhook, labelsFingerprint } from './alertmanager.js';
/** Grafana alerting webhook and its optional HMAC signature. */
export { parseGrafanaWebhook, verifyGrafanaSignature, type GrafanaSignatureOptions } from './grafana.js';
/** Opsgenie Alert API v2: create, acknowledge/close, GenieKey auth. */
export {
  parseOpsgenieCreate,
  parseOpsgenieIdentifier,
  parseOpsgenieActionBody,
  parseGenieKey,
  type OpsgenieIdentifier,
  type OpsgenieIdentifierType,
  type OpsgenieActionBody,
  type OpsgeniePriority,
} from './opsgenie.js';
/** Klaxon's generic JSON format (one event or a batch of up to 100). */
export { parseGenericEvents, GENERIC_MAX_BATCH } from './generic.js';
