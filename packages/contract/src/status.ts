import { Type, type Static } from '@sinclair/typebox';
import { EpochMs, Literals, Nullable } from './common.js';
import { IncidentStatusSchema } from './incidents.js';

/** The phases of a status update, in order. */
export const PHASES = ['investigating', 'identified', 'monitoring', 'resolved'] as const;
export type Phase = (typeof PHASES)[number];
export type StatusPhase = Phase;
const PhaseSchema = Literals(PHASES);
const Id = Type.String({ minLength: 1, maxLength: 200 });

/** Input to create or replace a business service. */
export const BusinessServiceInput = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    serviceIds: Type.Array(Id, { maxItems: 500, description: 'Technical services (ids or names) supporting it' }),
    teamId: Type.Optional(Type.Union([Id, Type.Null()])),
    position: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
  },
  { additionalProperties: false },
);
export type BusinessServiceInput = Static<typeof BusinessServiceInput>;

/** A business service as the API shows it. */
export const BusinessService = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Type.String(),
  teamId: Nullable(Type.String()),
  position: Type.Integer(),
  serviceIds: Type.Array(Type.String()),
  createdAt: EpochMs,
  updatedAt: EpochMs,
});
export type BusinessService = Static<typeof BusinessService>;

const Color = Type.String({ pattern: '^#[0-9A-Fa-f]{3,8}$' });

/** Input to create or replace a status page. */
export const StatusPageInput = Type.Object(
  {
    slug: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,62}$' }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    logoUrl: Type.Optional(Type.Union([Type.String({ maxLength: 2000, pattern: '^https?://' }), Type.Null()])),
    colors: Type.Optional(Type.Object({ brand: Type.Optional(Color), background: Type.Optional(Color), text: Type.Optional(Color) }, { additionalProperties: false })),
    businessServiceIds: Type.Array(Id, { maxItems: 1000 }),
    isDefault: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type StatusPageInput = Static<typeof StatusPageInput>;

/** A status page as the API shows it. */
export const StatusPage = Type.Object({
  id: Type.String(),
  slug: Type.String(),
  name: Type.String(),
  logoUrl: Nullable(Type.String()),
  colors: Type.Object({ brand: Type.String(), background: Type.String(), text: Type.String() }),
  businessServiceIds: Type.Array(Type.String()),
  isDefault: Type.Boolean(),
});
export type StatusPage = Static<typeof StatusPage>;

/** Input of a status update. Without `message`, the template for the phase and severity is used. */
export const StatusUpdateInput = Type.Object(
  {
    phase: PhaseSchema,
    message: Type.Optional(Type.String({ minLength: 1, maxLength: 10_000 })),
    publicTitle: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description: 'The incident title status pages and external subscribers see (kept until changed); default "Issue affecting <business services>", never the internal title',
      }),
    ),
    businessImpact: Type.Optional(Type.String({ maxLength: 2000 })),
    nextUpdateInMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_080 })),
    public: Type.Optional(Type.Boolean({ description: 'Shown on status pages and sent to external subscribers (default false)' })),
  },
  { additionalProperties: false },
);
export type StatusUpdateInput = Static<typeof StatusUpdateInput>;

/** A status update as the API shows it. */
export const StatusUpdate = Type.Object({
  id: Type.String(),
  incidentId: Type.String(),
  at: EpochMs,
  author: Type.String(),
  phase: PhaseSchema,
  message: Type.String(),
  businessImpact: Type.String(),
  nextUpdateAt: Nullable(EpochMs),
  public: Type.Boolean(),
  publicTitle: Nullable(Type.String({ description: 'The public title given with this update (status pages show the latest one)' })),
});
export type StatusUpdate = Static<typeof StatusUpdate>;

/** Input of a template. Placeholders: {{title}}, {{services}}, {{impact}}, {{sev}}. */
export const TemplateInput = Type.Object(
  { phase: PhaseSchema, sev: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 50 }), Type.Null()])), body: Type.String({ minLength: 1, maxLength: 10_000 }) },
  { additionalProperties: false },
);
export type TemplateInput = Static<typeof TemplateInput>;

/** An update template. */
export const StatusTemplate = Type.Object({ id: Type.String(), phase: PhaseSchema, sev: Nullable(Type.String()), body: Type.String() });
export type StatusTemplate = Static<typeof StatusTemplate>;

/** Input of a subscription by a signed-in user (or an admin for someone). */
export const SubscriptionInput = Type.Object(
  {
    scope: Type.Union([Type.Literal('business_service'), Type.Literal('team'), Type.Literal('incident'), Type.Literal('major')]),
    targetId: Type.Optional(Id),
    channel: Type.Optional(Type.Union([Type.Literal('email'), Type.Literal('push'), Type.Literal('slack'), Type.Literal('webhook')])),
    destination: Type.Optional(Type.String({ minLength: 1, maxLength: 4000, description: 'Defaults to your email address' })),
    userId: Type.Optional(Id),
  },
  { additionalProperties: false },
);
export type SubscriptionInput = Static<typeof SubscriptionInput>;

/** A subscription as the API shows it. */
export const Subscription = Type.Object({
  id: Type.String(),
  scope: Type.Union([Type.Literal('business_service'), Type.Literal('team'), Type.Literal('incident'), Type.Literal('major'), Type.Literal('page')], {
    description: 'page: an email subscription from a public status page',
  }),
  targetId: Nullable(Type.String()),
  userId: Nullable(Type.String()),
  channel: Type.Union([Type.Literal('email'), Type.Literal('push'), Type.Literal('slack'), Type.Literal('webhook')]),
  destination: Type.String(),
  confirmed: Type.Boolean(),
});
export type Subscription = Static<typeof Subscription>;

/** Input of a maintenance window. */
export const MaintenanceInput = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 500 }),
    description: Type.Optional(Type.String({ maxLength: 10_000 })),
    serviceIds: Type.Optional(Type.Array(Id, { maxItems: 500 })),
    businessServiceIds: Type.Optional(Type.Array(Id, { maxItems: 500 })),
    startsAt: Type.String({ minLength: 10, maxLength: 40, description: 'ISO 8601 date-time' }),
    endsAt: Type.String({ minLength: 10, maxLength: 40, description: 'ISO 8601 date-time' }),
    announce: Type.Optional(Type.Boolean({ description: 'Also send the announcement now to confirmed subscribers of the affected business services, their teams and status pages (default false)' })),
  },
  { additionalProperties: false },
);
export type MaintenanceInput = Static<typeof MaintenanceInput>;

/** A maintenance window as the API shows it. */
export const MaintenanceWindow = Type.Object({
  id: Type.String(),
  title: Type.String(),
  description: Type.String(),
  serviceIds: Type.Array(Type.String()),
  businessServiceIds: Type.Array(Type.String()),
  startsAt: EpochMs,
  endsAt: EpochMs,
  cancelledAt: Nullable(EpochMs),
  createdAt: EpochMs,
});
export type MaintenanceWindow = Static<typeof MaintenanceWindow>;

const Ref = Type.Object({ id: Type.String(), name: Type.String() });

/** A major incident running now, as the internal status page shows it. */
export const InternalIncident = Type.Object({
  id: Type.String(),
  number: Type.Integer(),
  title: Type.String(),
  status: IncidentStatusSchema,
  sev: Nullable(Type.String()),
  incidentManager: Nullable(Ref),
  businessServices: Type.Array(Ref),
  latestUpdate: Nullable(StatusUpdate),
  nextUpdateAt: Nullable(EpochMs),
  warRoomUrl: Type.String(),
  bridgeUrl: Nullable(Type.String()),
});
export type InternalIncident = Static<typeof InternalIncident>;

export const UpdateIntervalInput = Type.Object({ minutes: Type.Union([Type.Integer({ minimum: 1, maximum: 10_080 }), Type.Null()]) }, { additionalProperties: false });
export const MaintenanceListQuery = Type.Object({ past: Type.Optional(Type.Boolean({ description: 'Also windows that ended or were cancelled' })) }, { additionalProperties: false });

export const BusinessServicesAnswer = Type.Object({ businessServices: Type.Array(BusinessService) });
export const BusinessServiceAnswer = Type.Object({ businessService: BusinessService });
export const StatusUpdatesAnswer = Type.Object({ statusUpdates: Type.Array(StatusUpdate) });
export const StatusUpdateAnswer = Type.Object({ statusUpdate: StatusUpdate });
export const StatusPagesAnswer = Type.Object({ statusPages: Type.Array(StatusPage) });
export const StatusPageAnswer = Type.Object({ statusPage: StatusPage });
export const TemplatesAnswer = Type.Object({ templates: Type.Array(StatusTemplate) });
export const TemplateAnswer = Type.Object({ template: StatusTemplate });
export const SubscriptionsAnswer = Type.Object({ subscriptions: Type.Array(Subscription) });
export const SubscriptionAnswer = Type.Object({ subscription: Subscription });
export const MaintenanceWindowsAnswer = Type.Object({ maintenanceWindows: Type.Array(MaintenanceWindow) });
export const MaintenanceWindowAnswer = Type.Object({ maintenanceWindow: MaintenanceWindow });
export const InternalStatusAnswer = Type.Object({ incidents: Type.Array(InternalIncident) });
