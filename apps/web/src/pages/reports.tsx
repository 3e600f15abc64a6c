import { PendingFeature } from './pending-feature.tsx';

/** Reports with charts (screen being built). */
export default function Reports() {
  return <PendingFeature name="Reports" />;
}
