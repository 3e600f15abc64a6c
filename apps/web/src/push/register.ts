/**
 * Registers the service worker (push pages, notification actions, offline shell). Production builds only.
 * Its install precaches every file of the app (1.7 MiB in December 2026), so it starts a few seconds after the load event,
 * when the browser is idle: on a slow phone it must not compete with the first screen for the CPU and
 * the connection (docs/performance.md). Turning push on registers it at once (enable-push.ts).
 */
export function registerServiceWorker(): void {
  if (!('serviceWorker' in navigator) || import.meta.env.DEV) return;
  const register = () => {
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch((e: unknown) => console.warn('Service worker registration failed', e));
  };
  const later = () => setTimeout(() => ('requestIdleCallback' in window ? requestIdleCallback(register, { timeout: 10_000 }) : register()), 3_000);
  if (document.readyState === 'complete') later();
  else window.addEventListener('load', later, { once: true });
}
