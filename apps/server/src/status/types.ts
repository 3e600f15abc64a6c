// The request schemas live in the API contract (packages/contract).
export { BusinessServiceInput, MaintenanceInput, StatusPageInput, StatusUpdateInput, SubscriptionInput, TemplateInput } from '@klaxon/contract';

import type { Phase } from '@klaxon/contract';
export { PHASES, type Phase } from '@klaxon/contract';

/** Component states, as Atlassian Statuspage names them. */
export type ComponentState = 'operational' | 'degraded_performance' | 'partial_outage' | 'major_outage' | 'under_maintenance';

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
