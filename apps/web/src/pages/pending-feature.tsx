import { Alert } from '@mantine/core';

/** Stands in for a screen whose server API exists but whose web screen has not been built yet. */
export function PendingFeature({ name }: { name: string }) {
  return (
    <Alert title={name} variant="light">
      The server has the {name.toLowerCase()} API, but this version of the web app has no screen for it yet. Use the API or the CLI meanwhile.
    </Alert>
  );
}
