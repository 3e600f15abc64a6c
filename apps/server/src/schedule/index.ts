/*
 * On-call schedules. Other domains and the engine import from here: the service verbs, the
 * actor-free queries (who is on call, who is next) and the types. compute/ holds the pure rules.
 */
export * from './service.js';
export { nextOnCall, shiftsIn, whoIsOnCall } from './queries.js';
export { allSchedules, findSchedule, specFor, usersById } from './store.js';
export { formatHours, formatLocal, formatSpan } from './format.js';
export type * from './types.js';
export { parseInstant } from './types.js';
