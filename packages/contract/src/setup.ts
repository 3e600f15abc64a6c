import { Type, type Static } from '@sinclair/typebox';
import { EpochMs, Nullable } from './common.js';

/** The channels Klaxon pages through (webhooks are not a paging channel of a person). */
export const PagingChannelSchema = Type.Union([
  Type.Literal('email'),
  Type.Literal('sms'),
  Type.Literal('voice'),
  Type.Literal('slack'),
  Type.Literal('push'),
  Type.Literal('mattermost'),
  Type.Literal('discord'),
  Type.Literal('matrix'),
  Type.Literal('ntfy'),
  Type.Literal('pushover'),
  Type.Literal('telegram'),
  Type.Literal('whatsapp'),
]);
export type PagingChannel = Static<typeof PagingChannelSchema>;

/** One channel Klaxon can page through: whether this server can send on it, and the settings that turn it on. */
export const ChannelStatus = Type.Object({
  channel: PagingChannelSchema,
  configured: Type.Boolean(),
  settings: Type.Array(Type.String(), { description: 'Environment variables that configure it (names only)' }),
});
export type ChannelStatus = Static<typeof ChannelStatus>;

export const StepIdSchema = Type.Union([Type.Literal('channels'), Type.Literal('people'), Type.Literal('schedule'), Type.Literal('policy'), Type.Literal('service')]);
export type StepId = Static<typeof StepIdSchema>;

/** One step of the setup checklist. `link` is the web app's screen for it. */
export const ChecklistStep = Type.Object({
  id: StepIdSchema,
  title: Type.String(),
  done: Type.Boolean(),
  detail: Type.String({ description: 'What is there now, or what is missing, in a sentence' }),
  link: Type.String(),
});
export type ChecklistStep = Static<typeof ChecklistStep>;

/** What a new setup still lacks before it pages anybody. */
export const Checklist = Type.Object({ channels: Type.Array(ChannelStatus), steps: Type.Array(ChecklistStep), done: Type.Boolean({ description: 'True when every step is done' }) });
export type Checklist = Static<typeof Checklist>;

export const ChannelsAnswer = Type.Object({ channels: Type.Array(ChannelStatus) });

/** The vCard of every number Klaxon sends SMS and calls from (GET /channels/vcard). */
export const SendersVcardText = { content: { 'text/vcard': { schema: Type.String({ description: 'vCard 3.0 (RFC 2426): one contact, Klaxon, with every number it sends SMS and calls from' }) } } };

/** A span where the source and Klaxon name different people on call (emails, sorted; empty: nobody). */
export const OnCallDifference = Type.Object({ schedule: Type.String(), start: EpochMs, end: EpochMs, source: Type.Array(Type.String()), klaxon: Type.Array(Type.String()) });
export type OnCallDifference = Static<typeof OnCallDifference>;

/** One escalation level (1-based) where the two sides would page different people now. */
export const PagingDifference = Type.Object({ service: Type.String(), level: Type.Integer(), source: Type.Array(Type.String()), klaxon: Type.Array(Type.String()) });
export type PagingDifference = Static<typeof PagingDifference>;

const SourceRef = Type.Object({ name: Type.String(), id: Type.String() });

/** What `klaxon compare` found. */
export const CompareResult = Type.Object({
  source: Type.String(),
  url: Type.String(),
  from: EpochMs,
  to: EpochMs,
  at: EpochMs,
  schedules: Type.Array(Type.Object({ schedule: Type.String(), source: SourceRef, inKlaxon: Type.Boolean(), differences: Type.Array(OnCallDifference), notes: Type.Array(Type.String()) })),
  services: Type.Array(
    Type.Object({
      service: Type.String(),
      source: SourceRef,
      inKlaxon: Type.Boolean(),
      levels: Type.Array(Type.Object({ level: Type.Integer(), source: Type.Array(Type.String()), klaxon: Type.Array(Type.String()) })),
      differences: Type.Array(PagingDifference),
    }),
  ),
  differences: Type.Integer({ description: 'Schedules and services that differ anywhere (a missing one counts as one)' }),
});
export type CompareResult = Static<typeof CompareResult>;

/** An applied import's summary (as `klaxon import` keeps it). */
export interface ImportSummary {
  counts?: Record<string, number>;
  items?: { severity: string; kind: string; name: string; id: string }[];
  senders?: { source: { name: string }; service: string; integration: string; instruction: string }[];
  trustContacts?: boolean;
}

/** One run kept by `klaxon import` (kind import) or `klaxon compare` (kind compare). */
export const MigrationRun = Type.Object({
  id: Type.String(),
  kind: Type.Union([Type.Literal('import'), Type.Literal('compare')]),
  source: Type.String(),
  sourceUrl: Type.String(),
  createdAt: EpochMs,
  differences: Type.Integer({ description: 'Comparison: schedules and services that differ. Import: items in the report that are not exact' }),
  summary: Type.Unknown({ description: 'Import: the import summary. Compare: the comparison result' }),
  report: Type.String({ description: 'Markdown (import) or text (compare)' }),
});
export type MigrationRun = Static<typeof MigrationRun>;

export const MigrationStatusAnswer = Type.Object({ lastImport: Nullable(MigrationRun), lastCompare: Nullable(MigrationRun) });
