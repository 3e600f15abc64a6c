// The request schema lives in the API contract (packages/contract).
export { SlaTargetInput } from '@klaxon/contract';

/** An SLA target as the API shows it (durations in ms). */
export interface SlaTarget {
  id: string;
  severity: string;
  serviceId: string | null;
  ackWithinMs: number | null;
  resolveWithinMs: number | null;
  updateWithinMs: number | null;
  warnBeforeMs: number;
}

/** Filters every report takes. Instants: epoch ms or ISO with offset. */
export interface ReportFilter {
  from?: unknown;
  to?: unknown;
  team?: string;
  service?: string;
  severity?: string;
  /** Include drills (left out by default). */
  drills?: boolean;
  /** IANA zone for day/week/month periods (default UTC). */
  tz?: string;
}

/** The measures of one incident; durations in ms, null when the event has not happened (or cannot be known). */
export interface IncidentMeasures {
  incidentId: string;
  number: number;
  title: string;
  serviceId: string;
  severity: string;
  drill: boolean;
  createdAt: number;
  timeToAcknowledge: number | null;
  timeToResolve: number | null;
  /** First responder active (a chat message) in the war room; null when there is none. */
  timeToEngage: number | null;
  /** First stakeholder status update; null when there is none. */
  timeToFirstUpdate: number | null;
  /** Escalation levels run beyond the first. */
  escalations: number;
  pagesByChannel: Record<string, number>;
  acknowledgedBy: { id: string; name: string } | null;
}
