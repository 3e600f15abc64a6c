import { Type, type Static } from '@sinclair/typebox';

/** The phases of a status update, in order. */
export const PHASES = ['investigating', 'identified', 'monitoring', 'resolved'] as const;
export type Phase = (typeof PHASES)[number];

/** Component states, as Atlassian Statuspage names them. */
export type ComponentState = 'operational' | 'degraded_performance' | 'partial_outage' | 'major_outage' | 'under_maintenance';

const PhaseSchema = Type.Union(PHASES.map((p) => Type.Literal(p)));
const Id = Type.String({ minLength: 1, maxLength: 200 });

/** A business service as the API shows it. */
export interface BusinessService {
  id: string;
  name: string;
  description: string;
  teamId: string | null;
  position: number;
  serviceIds: string[];
  createdAt: number;
  /** Last edit of the business service itself (name, description, links). */
  updatedAt: number;
}

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

/** A status page's colours. */
export interface Colors {
  brand: string;
  background: string;
  text: string;
}

/** A status page as the API shows it. */
export interface StatusPage {
  id: string;
  slug: string;
  name: string;
  logoUrl: string | null;
  colors: Colors;
  businessServiceIds: string[];
  isDefault: boolean;
}

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

/** Input of a status update. Without `message`, the template for the phase and severity is used. */
export const StatusUpdateInput = Type.Object(
  {
    phase: PhaseSchema,
    message: Type.Optional(Type.String({ minLength: 1, maxLength: 10_000 })),
    publicTitle: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, description: 'The incident title status pages and external subscribers see (kept until changed); default "Issue affecting <business services>", never the internal title' }),
    ),
    businessImpact: Type.Optional(Type.String({ maxLength: 2000 })),
    nextUpdateInMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_080 })),
    public: Type.Optional(Type.Boolean({ description: 'Shown on status pages and sent to external subscribers (default false)' })),
  },
  { additionalProperties: false },
);
export type StatusUpdateInput = Static<typeof StatusUpdateInput>;

/** A status update as the API shows it. */
export interface StatusUpdate {
  id: string;
  incidentId: string;
  at: number;
  author: string;
  phase: Phase;
  message: string;
  businessImpact: string;
  nextUpdateAt: number | null;
  public: boolean;
  /** The public title given with this update, or null. */
  publicTitle: string | null;
}

/** Input of a template. Placeholders: {{title}}, {{services}}, {{impact}}, {{sev}}. */
export const TemplateInput = Type.Object(
  {
    phase: PhaseSchema,
    sev: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 50 }), Type.Null()])),
    body: Type.String({ minLength: 1, maxLength: 10_000 }),
  },
  { additionalProperties: false },
);
export type TemplateInput = Static<typeof TemplateInput>;

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
export interface Subscription {
  id: string;
  scope: string;
  targetId: string | null;
  userId: string | null;
  channel: string;
  destination: string;
  confirmed: boolean;
}

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
export interface MaintenanceWindow {
  id: string;
  title: string;
  description: string;
  serviceIds: string[];
  businessServiceIds: string[];
  startsAt: number;
  endsAt: number;
  /** When it was cancelled (listed only with `?past=true`), else null. */
  cancelledAt: number | null;
  /** When it was announced (created). */
  createdAt: number;
}
