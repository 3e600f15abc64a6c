import { grafanaOnCall } from './grafana-oncall/index.js';
import { opsgenie } from './opsgenie/index.js';
import { pagerduty } from './pagerduty/index.js';
import type { SourceAdapter, SourceName } from './types.js';

/** Every source Klaxon imports from, by the name the CLI uses. */
export const ADAPTERS: Record<SourceName, SourceAdapter> = {
  opsgenie,
  pagerduty,
  'grafana-oncall': grafanaOnCall,
};
