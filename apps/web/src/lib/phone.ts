import { useMediaQuery } from '@mantine/hooks';

/** The width below which a screen is laid out for a phone (filters folded, dialogs full screen). */
export const PHONE_QUERY = '(max-width: 600px)';

/**
 * True on a phone-sized screen, known at the first render (not in an effect after it), so a phone
 * never sees the desktop layout for a frame and then watches it fold: nothing moves under a finger.
 */
export function usePhone(): boolean {
  return useMediaQuery(PHONE_QUERY, undefined, { getInitialValueInEffect: false });
}
