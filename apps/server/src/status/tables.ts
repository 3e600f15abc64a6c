/** What customers and the business see ("Checkout"); shown as a component on status pages. */
export interface BusinessServiceTable {
  id: string;
  name: string;
  description: string;
  team_id: string | null;
  position: number;
  created_at: number;
  updated_at: number;
}

/** Which technical services support a business service. */
export interface BusinessServiceLinkTable {
  business_service_id: string;
  service_id: string;
}

/** A public status page: branding and the business services it shows. */
export interface StatusPageTable {
  id: string;
  slug: string;
  name: string;
  logo_url: string | null;
  /** JSON {brand, background, text} */
  colors: string;
  /** JSON string[] */
  business_service_ids: string;
  is_default: number;
  created_at: number;
  updated_at: number;
}

/** A stakeholder's or an external subscriber's subscription to status updates. */
export interface StatusSubscriptionTable {
  id: string;
  /** business_service | team | incident | major | page */
  scope: string;
  target_id: string | null;
  user_id: string | null;
  channel: string;
  destination: string;
  /** Null until the email's double opt-in link was followed. */
  confirmed_at: number | null;
  token_hash: string;
  created_at: number;
}

/** One status update on an incident. */
export interface StatusUpdateTable {
  id: string;
  incident_id: string;
  at: number;
  author_id: string | null;
  author_name: string;
  phase: string;
  message: string;
  business_impact: string;
  next_update_at: number | null;
  public: number;
  /** The incident's public title as of this update (status pages show the latest one given); null: not given. */
  public_title: string | null;
}

/** A text template for a phase, optionally for one severity level. */
export interface StatusTemplateTable {
  id: string;
  phase: string;
  sev: string | null;
  body: string;
  created_at: number;
}

/** Scheduled maintenance. */
export interface MaintenanceWindowTable {
  id: string;
  title: string;
  description: string;
  service_ids: string;
  business_service_ids: string;
  starts_at: number;
  ends_at: number;
  created_at: number;
  cancelled_at: number | null;
}

/** Overdue-update reminders already sent (one per incident and due time). */
export interface StatusReminderTable {
  incident_id: string;
  due_at: number;
  sent_at: number;
}
