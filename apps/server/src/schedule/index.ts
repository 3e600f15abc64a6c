/*
 * On-call schedules. Other domains and the engine import from here: the service verbs, the
 * actor-free queries (who is on call, who is next) and the types. compute/ holds the pure rules.
 */
/** Service verbs (permission check first) and the iCal feed. */
export * from './service.js';
/** Actor-free questions for escalation and the engine. */
export { nextOnCall, previousOnCall, shiftsIn, whoIsOnCall } from './queries.js';
/** Storage helpers: schedules by id or name, computable specs, people by id. */
export { allSchedules, findSchedule, specFor, usersById } from './store.js';
/** A stored schedule in the form people write (config export), and instants as local date-times. */
export { localDateTime, scheduleToInput } from './portable.js';
/** Times and spans phrased in a person's zone. */
export { formatHours, formatLocal, formatSpan } from './format.js';
/** Inputs, answers and entities. */
export type * from './types.js';
/** Reads an instant given as epoch ms, ISO with offset, or local date-time in a zone. */
export { parseInstant } from './types.js';
