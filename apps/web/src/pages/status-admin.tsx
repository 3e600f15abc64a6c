import { PendingFeature } from './pending-feature.tsx';

/** Status pages, business services, subscriptions and maintenance windows (screen being built). */
export default function StatusAdmin() {
  return <PendingFeature name="Status pages" />;
}
