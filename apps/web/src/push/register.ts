/** Registers the service worker (push pages, notification actions, offline shell). Production builds only. */
export function registerServiceWorker(): void {
  if (!('serviceWorker' in navigator) || import.meta.env.DEV) return;
  window.addEventListener('load', () => {
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch((e: unknown) => console.warn('Service worker registration failed', e));
  });
}
