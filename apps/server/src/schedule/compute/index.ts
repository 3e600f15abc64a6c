/*
 * The pure computation core of on-call schedules: rotations, restrictions, precedence, overrides,
 * leave and DST, with every instant in epoch milliseconds (UTC). No database, no clock, no I/O.
 * The rules are described for users in docs/schedules.md.
 */
export type {
  Layering,
  Handoff,
  LayerSpec,
  Leave,
  LoadSplit,
  OnCall,
  Override,
  Participant,
  Restriction,
  RestrictionPreset,
  ScheduleSpec,
  Shift,
  ShiftSource,
  TimeRange,
  TurnLength,
  Weekday,
} from './types.js';
export { WEEKDAYS } from './types.js';
export { layerShifts } from './layer.js';
export { finalSchedule, gaps, nextHandoffs, onCallAndHandoffs, onCallAt, userShifts } from './final.js';
export { loadSplit, loadSplitOfPairs } from './load-split.js';
export { validateScheduleSpec } from './validate.js';
export { PRESETS } from './restrictions.js';
export { fromLocal, localToInstant, toLocal } from './zone.js';
