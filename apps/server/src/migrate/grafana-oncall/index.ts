import type { SourceAdapter } from '../types.js';

// Placeholder until the Grafana OnCall importer lands: every call says it is not available.
const unavailable = (): never => {
  throw new Error('the Grafana OnCall importer is not built yet');
};

export const grafanaOnCall: SourceAdapter = {
  name: 'grafana-oncall' as SourceAdapter['name'],
  credential: { flag: '--token <token>', env: 'UNSET', describe: 'not built yet' },
  client: unavailable,
  import: unavailable,
  onCall: unavailable,
  paging: unavailable,
};
