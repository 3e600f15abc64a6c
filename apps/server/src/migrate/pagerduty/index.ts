import type { SourceAdapter } from '../types.js';

// Placeholder until the PagerDuty importer lands: every call says it is not available.
const unavailable = (): never => {
  throw new Error('the PagerDuty importer is not built yet');
};

export const pagerduty: SourceAdapter = {
  name: 'pagerduty' as SourceAdapter['name'],
  credential: { flag: '--token <token>', env: 'UNSET', describe: 'not built yet' },
  client: unavailable,
  import: unavailable,
  onCall: unavailable,
  paging: unavailable,
};
