// The report rows' SQL lives in report/store/measures.ts (SQL only in stores, docs/architecture.md);
// this name stays for its importers (app/, the war room, migration 0008, the tests).
export { ALERT_COLUMNS, INCIDENT_COLUMNS, alertMeasureSource, backfillMeasures, incidentMeasureSource, recordMeasures, recordResolvedMeasures } from './store/measures.js';
