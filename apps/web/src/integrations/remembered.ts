/**
 * The integration a test alert was last sent through, per service, in this browser (localStorage):
 * "Send test alert" preselects it next time. Nothing secret is kept: only the integration's id (its
 * key is stored hashed on the server and is never remembered here).
 */
const key = (serviceId: string) => `klaxon.test-alert.${serviceId}`;

/** The id of the integration last used for a test alert on this service, or null. */
export function rememberedIntegration(serviceId: string): string | null {
  try {
    return localStorage.getItem(key(serviceId));
  } catch {
    return null;
  }
}

/** Remembers the integration a test alert was just sent through. */
export function rememberIntegration(serviceId: string, integrationId: string): void {
  try {
    localStorage.setItem(key(serviceId), integrationId);
  } catch {
    /* storage full or blocked: the next test starts from the first integration */
  }
}

/** The integration to preselect: the remembered one while it still exists, else the first. */
export function preselect<T extends { id: string }>(serviceId: string, integrations: T[]): T | null {
  const id = rememberedIntegration(serviceId);
  return integrations.find((i) => i.id === id) ?? integrations[0] ?? null;
}
