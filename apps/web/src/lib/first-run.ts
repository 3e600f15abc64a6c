/*
 * First-run setup lands on the setup checklist. Setup happens on the sign-in screen, outside the
 * router's routes, and the new session renders the app at "/" before a navigation from there would
 * apply; so setup leaves a note in sessionStorage and "/" goes to the checklist once when it finds it.
 */
const KEY = 'klaxon:first-run';

/** Called when first-run setup has created the first administrator. */
export function markFirstRun(): void {
  try {
    sessionStorage.setItem(KEY, '1');
  } catch {
    /* storage disabled: the app opens on the incident list as usual */
  }
}

/** True once after first-run setup (the note is removed by `clearFirstRun`). */
export function isFirstRun(): boolean {
  try {
    return sessionStorage.getItem(KEY) === '1';
  } catch {
    return false;
  }
}

export function clearFirstRun(): void {
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    /* nothing to clear */
  }
}
