/** Browser pages at the two widths the hazard tests check: 390 px (a phone, touch) and 1280 px (a laptop). */
import type { Browser, BrowserContext, Page } from 'playwright-core';

export type Size = 'phone' | 'desktop';

/** A page at 390x844 (touch) or 1280x800. */
export async function sizedPage(browser: Browser, size: Size): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport: size === 'phone' ? { width: 390, height: 844 } : { width: 1280, height: 800 },
    deviceScaleFactor: size === 'phone' ? 2 : 1,
    isMobile: size === 'phone',
    hasTouch: size === 'phone',
    colorScheme: 'dark',
    timezoneId: 'Europe/Berlin',
    locale: 'en-GB',
  });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  return { context, page };
}
