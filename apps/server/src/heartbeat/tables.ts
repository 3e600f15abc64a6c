/** A heartbeat: a service expects a check-in every interval; the token is stored only as a hash. */
export interface HeartbeatTable {
  id: string;
  service_id: string;
  name: string;
  token_hash: string;
  token_hint: string;
  interval_minutes: number;
  grace_minutes: number;
  /** 1 or 0. */
  enabled: number;
  /** An Alertmanager alert name whose arrival on the service's alertmanager integrations counts as a check-in. */
  watchdog_alert: string | null;
  last_checkin_at: number | null;
  /** Creation or the last enabling (epoch ms): the wait starts here until the first check-in. */
  since_at: number;
  /** When the current wait runs out (epoch ms). */
  due_at: number;
  /** The open incident of the current miss, if any. */
  incident_id: string | null;
  created_at: number;
  updated_at: number;
}
