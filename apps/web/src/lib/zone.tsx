import { Text } from '@mantine/core';
import { useSession } from '../session.tsx';
import { dateTime, localTimeZone, timeOfDay } from './time.ts';

/** True when this browser's Intl knows the zone. */
function known(zone: string): boolean {
  try {
    new Intl.DateTimeFormat(undefined, { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The one zone a screen's times are in, and formatters bound to it. */
export interface ViewerZone {
  /** The IANA zone: the signed-in person's profile zone. */
  zone: string;
  /** True when the zone is the profile's (false only when the browser does not know the profile's zone). */
  fromProfile: boolean;
  /** "Mon 2 Mar, 09:00" in the zone. */
  dateTime(at: number): string;
  /** "09:05" in the zone. */
  timeOfDay(at: number): string;
}

/** The zone of a profile, or the browser's when the browser does not know it. */
export function viewerZone(profileZone: string | undefined): ViewerZone {
  const fromProfile = !!profileZone && known(profileZone);
  const zone = profileZone && fromProfile ? profileZone : localTimeZone();
  return { zone, fromProfile, dateTime: (at) => dateTime(at, zone), timeOfDay: (at) => timeOfDay(at, zone) };
}

/**
 * The viewer's zone: every time on a signed-in screen is shown in the signed-in person's profile
 * zone (People → Me), not the browser's, and the screen names it once with <ZoneCaption />.
 */
export function useViewerZone(): ViewerZone {
  const { user } = useSession();
  return viewerZone(user.timeZone);
}

/** "Times in Europe/Berlin (your profile)": names the one zone of the times on a screen. */
export function ZoneCaption({ zone, prefix = 'Times in' }: { zone?: ViewerZone; prefix?: string }) {
  const own = useViewerZone();
  const z = zone ?? own;
  return (
    <Text size="xs" c="dimmed" mb="xs" data-testid="zone-caption" data-zone={z.zone}>
      {prefix} {z.zone} ({z.fromProfile ? 'your profile' : "this browser's; your profile's zone is unknown here"})
    </Text>
  );
}
