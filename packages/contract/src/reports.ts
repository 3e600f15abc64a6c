import { Type, type Static } from '@sinclair/typebox';
import { EpochMs, Nullable } from './common.js';

/** Input for an SLA target: per severity level, optionally per service; durations in minutes. */
export const SlaTargetInput = Type.Object(
  {
    severity: Type.String({ minLength: 1, maxLength: 50, description: 'Severity level (SEV1..) or alert severity (critical, error, ...)' }),
    service: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 200 }), Type.Null()], { description: 'Service id or name; null: every service' })),
    ackWithinMinutes: Type.Optional(Type.Union([Type.Number({ minimum: 0, maximum: 525_600 }), Type.Null()])),
    resolveWithinMinutes: Type.Optional(Type.Union([Type.Number({ minimum: 0, maximum: 525_600 }), Type.Null()])),
    updateWithinMinutes: Type.Optional(Type.Union([Type.Number({ minimum: 0, maximum: 525_600 }), Type.Null()])),
    warnBeforeMinutes: Type.Optional(Type.Number({ minimum: 0, maximum: 10_080, description: 'Warn the incident manager this long before a target is breached (default 5)' })),
  },
  { additionalProperties: false },
);
export type SlaTargetInput = Static<typeof SlaTargetInput>;

/** An SLA target as the API shows it (durations in ms). */
export const SlaTarget = Type.Object({
  id: Type.String(),
  severity: Type.String(),
  serviceId: Nullable(Type.String()),
  ackWithinMs: Nullable(Type.Number()),
  resolveWithinMs: Nullable(Type.Number()),
  updateWithinMs: Nullable(Type.Number()),
  warnBeforeMs: Type.Number(),
});
export type SlaTarget = Static<typeof SlaTarget>;

const Ms = Nullable(Type.Number({ description: 'Milliseconds; null when unknown' }));

/** The measures of one incident; durations in ms, null when the event has not happened (or cannot be known). */
export const IncidentMeasures = Type.Object({
  incidentId: Type.String(),
  number: Type.Integer(),
  title: Type.String(),
  serviceId: Type.String(),
  severity: Type.String(),
  drill: Type.Boolean(),
  createdAt: EpochMs,
  timeToAcknowledge: Ms,
  timeToResolve: Ms,
  timeToEngage: Ms,
  timeToFirstUpdate: Ms,
  escalations: Type.Integer(),
  pagesByChannel: Type.Record(Type.String(), Type.Integer()),
  acknowledgedBy: Nullable(Type.Object({ id: Type.String(), name: Type.String() })),
});
export type IncidentMeasures = Static<typeof IncidentMeasures>;

const Instant = Type.String({ maxLength: 40, description: 'Epoch ms or ISO date-time with offset' });
const Format = Type.Union([Type.Literal('json'), Type.Literal('csv')], { description: 'csv: one table of the answer (`table`) as text/csv' });
const Table = Type.String({ maxLength: 40, description: 'With format=csv: which table of the answer (default: the main one)' });
const common = {
  from: Type.Optional(Instant),
  to: Type.Optional(Instant),
  team: Type.Optional(Type.String({ maxLength: 200, description: 'Team id or name' })),
  service: Type.Optional(Type.String({ maxLength: 200, description: 'Service id or name' })),
  severity: Type.Optional(Type.String({ maxLength: 50, description: 'Severity level (SEV1..) or alert severity' })),
  drills: Type.Optional(Type.Boolean({ description: 'Include drills (left out by default)' })),
  tz: Type.Optional(Type.String({ maxLength: 60, description: 'IANA zone for day/week/month periods (default UTC)' })),
  format: Type.Optional(Format),
  table: Type.Optional(Table),
};
export const GROUP_BYS = ['team', 'service', 'severity', 'responder', 'schedule', 'day', 'week', 'month'] as const;
export type GroupBy = (typeof GROUP_BYS)[number];
const Period = Type.Union([Type.Literal('day'), Type.Literal('week'), Type.Literal('month')]);

export const SlaQuery = Type.Object({ ...common, period: Type.Optional(Period) }, { additionalProperties: false });
export const AggregatesQuery = Type.Object(
  {
    ...common,
    by: Type.Optional(
      Type.Union([
        Type.Literal('team'),
        Type.Literal('service'),
        Type.Literal('severity'),
        Type.Literal('responder'),
        Type.Literal('schedule'),
        Type.Literal('day'),
        Type.Literal('week'),
        Type.Literal('month'),
      ]),
    ),
  },
  { additionalProperties: false },
);
export const NoiseQuery = Type.Object({ ...common, flapMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 1440 })) }, { additionalProperties: false });
export const ShiftsQuery = Type.Object({ ...common, schedule: Type.Optional(Type.String({ maxLength: 200 })) }, { additionalProperties: false });
export const TrendsQuery = Type.Object({ ...common, weeks: Type.Optional(Type.Integer({ minimum: 1, maximum: 104 })) }, { additionalProperties: false });
export const WeeklySummaryQuery = Type.Object(
  { team: Type.String({ minLength: 1, maxLength: 200 }), week: Type.Optional(Instant), format: Type.Optional(Format), table: Type.Optional(Table) },
  { additionalProperties: false },
);
export const ReportSubscriberInput = Type.Object({ userId: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false });
export const ReportSubscriberParams = Type.Object({ id: Type.String({ maxLength: 200 }), userId: Type.String({ maxLength: 100 }) });

/** An SLA row: one period (or all of them): met and breached per target, attainment in percent (null: nothing judged). */
export const SlaRow = Type.Object({
  period: Type.String(),
  incidents: Type.Integer(),
  ackMet: Type.Integer(),
  ackBreached: Type.Integer(),
  ackAttainment: Nullable(Type.Number()),
  resolveMet: Type.Integer(),
  resolveBreached: Type.Integer(),
  resolveAttainment: Nullable(Type.Number()),
  updateMet: Type.Integer(),
  updateBreached: Type.Integer(),
  updateAttainment: Nullable(Type.Number()),
});
export type SlaRow = Static<typeof SlaRow>;

/** A breached SLA target. */
export const Breach = Type.Object({
  incidentId: Type.String(),
  number: Type.Integer(),
  title: Type.String(),
  severity: Type.String(),
  target: Type.Union([Type.Literal('ack'), Type.Literal('resolve'), Type.Literal('update')]),
  withinMs: Type.Number(),
  actualMs: Type.Number({ description: 'How long it took, or (still open) how long it has run' }),
  met: Type.Literal(false),
  open: Type.Boolean(),
});
export type Breach = Static<typeof Breach>;

export const SlaReport = Type.Object({ from: EpochMs, to: EpochMs, period: Period, updatesKnown: Type.Boolean(), total: SlaRow, periods: Type.Array(SlaRow), breaches: Type.Array(Breach) });
export type SlaReport = Static<typeof SlaReport>;

/** One group of the aggregates report; durations in ms. */
export const AggregateRow = Type.Object({
  key: Type.String(),
  label: Type.String(),
  incidents: Type.Integer(),
  alerts: Type.Integer(),
  acknowledged: Type.Integer(),
  resolved: Type.Integer(),
  mtta: Ms,
  mttr: Ms,
  ttaP50: Ms,
  ttaP90: Ms,
  ttrP50: Ms,
  ttrP90: Ms,
  alertsPerIncident: Nullable(Type.Number()),
  resolvedWithoutAction: Type.Integer(),
});
export type AggregateRow = Static<typeof AggregateRow>;
export const AggregatesReport = Type.Object({ from: EpochMs, to: EpochMs, by: Type.String(), total: Type.Optional(Nullable(AggregateRow)), rows: Type.Array(AggregateRow) });

export const NoiseReport = Type.Object({
  from: EpochMs,
  to: EpochMs,
  flapMinutes: Type.Number(),
  summary: Type.Object({
    incidents: Type.Integer(),
    alerts: Type.Integer(),
    alertsPerIncident: Nullable(Type.Number()),
    resolvedWithoutAction: Type.Integer(),
    flappingAlerts: Type.Integer(),
    flaps: Type.Integer(),
  }),
  topServices: Type.Array(Type.Object({ serviceId: Type.String(), serviceName: Type.String(), incidents: Type.Integer(), alerts: Type.Integer() })),
  topAlerts: Type.Array(Type.Object({ serviceId: Type.String(), serviceName: Type.String(), dedupKey: Type.String(), summary: Type.String(), count: Type.Integer(), events: Type.Integer() })),
  flapping: Type.Array(Type.Object({ serviceId: Type.String(), dedupKey: Type.String(), flaps: Type.Integer() })),
});
export type NoiseReport = Static<typeof NoiseReport>;

const Hours = Type.Object({ business: Type.Number(), evening: Type.Number(), night: Type.Number(), weekend: Type.Number(), total: Type.Number() });

/** Rows whose measure columns are documented in docs/reports.md; open objects: more columns may come. */
const Row = (props: Parameters<typeof Type.Object>[0]) => Type.Object(props, { additionalProperties: true });

export const ShiftsReport = Type.Object({
  from: EpochMs,
  to: EpochMs,
  pagesByResponder: Type.Array(Row({ userId: Type.String(), name: Type.String(), pages: Type.Integer(), interruptions: Type.Integer() })),
  mttaByHour: Type.Array(Type.Object({ hour: Type.Integer(), acknowledged: Type.Integer(), mtta: Ms })),
  mttaByShift: Type.Array(Type.Object({ timeZone: Type.String(), shift: Type.String(), acknowledged: Type.Integer(), mtta: Ms, p50: Ms, p90: Ms })),
  onCall: Type.Array(
    Type.Object({ userId: Type.String(), name: Type.String(), timeZone: Type.String(), onCallHours: Hours, interruptions: Type.Integer(), pages: Type.Integer(), offHoursPages: Type.Integer() }),
  ),
});
export type ShiftsReport = Static<typeof ShiftsReport>;

const Measure = Type.Object({ value: Nullable(Type.Number()), previous: Nullable(Type.Number()), delta: Nullable(Type.Number()), percent: Nullable(Type.Number()) });
export const TrendsReport = Type.Object({
  from: EpochMs,
  to: EpochMs,
  weeks: Type.Array(
    Type.Object({ week: Type.String(), start: EpochMs, incidents: Measure, alerts: Measure, mtta: Measure, mttr: Measure, ttaP90: Measure, ttrP90: Measure, resolvedWithoutAction: Measure }),
  ),
});
export type TrendsReport = Static<typeof TrendsReport>;

/** One of the week's top incidents in the weekly summary. */
export const TopIncident = Type.Object({
  id: Type.String(),
  number: Type.Number(),
  title: Type.String(),
  createdAt: EpochMs,
  acknowledgedAt: Nullable(EpochMs),
  resolvedAt: Nullable(EpochMs),
  serviceId: Type.String(),
  teamId: Nullable(Type.String()),
  severity: Type.String(),
  acknowledgedBy: Nullable(Type.String()),
});

export const WeeklySummary = Type.Object({
  team: Type.Object({ id: Type.String(), name: Type.String() }),
  from: EpochMs,
  to: EpochMs,
  sla: SlaRow,
  breaches: Type.Array(Breach),
  current: Type.Optional(Nullable(AggregateRow)),
  previous: Type.Optional(Nullable(AggregateRow)),
  topIncidents: Type.Array(TopIncident),
  onCall: Type.Array(Row({})),
  openActionItems: Type.Array(Row({})),
  text: Type.String({ description: 'The summary as emailed' }),
});

export const MeasuresAnswer = Type.Object({ measures: IncidentMeasures });
export const SlaTargetsAnswer = Type.Object({ targets: Type.Array(SlaTarget) });
export const SlaTargetAnswer = Type.Object({ target: SlaTarget });
export const ReportSubscribersAnswer = Type.Object({ subscribers: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), email: Type.String() })) });
