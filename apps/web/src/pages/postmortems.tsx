import { PendingFeature } from './pending-feature.tsx';

/** Postmortems and action items (screen being built). */
export default function Postmortems() {
  return <PendingFeature name="Postmortems" />;
}
