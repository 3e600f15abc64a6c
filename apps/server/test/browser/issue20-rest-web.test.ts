/**
 * Issue 20, the rest: one time zone (the profile's) on every timeline, named; the test alert
 * remembers its integration; the timeline in people's words; an admin marks a contact method
 * verified with consent or sends its code again; the incident filters never cut their text. Each at
 * 390 px (phone, touch) and 1280 px. The browser's own zone is Europe/Berlin (sized.ts); Ada's
 * profile says Asia/Tokyo, so a time shown in the browser's zone is caught.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sizedPage, type Size } from './sized.js';
import { addPagedService, addUser, HAVE_CHROMIUM, signIn, startRig, trigger, waitLive, type WebRig } from './support.js';
import { must } from '../../src/lib/must.js';

const SIZES: Size[] = ['phone', 'desktop'];
const DAY = 86_400_000;
const tokyo = (at: number) => new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: 'Asia/Tokyo' }).format(at);
const berlin = (at: number) => new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: 'Europe/Berlin' }).format(at);

describe.skipIf(!HAVE_CHROMIUM)('web: issue 20, the rest', () => {
  let rig: WebRig;
  let routingKey: string;
  let serviceId: string;
  let lee: string;
  let count = 0;

  /** Signs in as Ada (admin, profile zone Asia/Tokyo); the fake clock moves a minute first (sign-ins are limited to 10 a minute). */
  const open = async (size: Size, o: { fixedTime?: boolean } = {}) => {
    const { context, page } = await sizedPage(rig.browser, size);
    if (o.fixedTime) await context.clock.setFixedTime(new Date(rig.t.clock.now()));
    rig.t.clock.advance(60_000);
    await signIn(page, rig.t.url, 'ada@example.com');
    return { page, close: () => context.close() };
  };
  const fresh = async (summary: string) => {
    await trigger(rig.t, routingKey, summary, { dedupKey: `rest-${++count}` });
    await rig.t.cycle();
    return (await rig.t.api('GET', '/api/v1/incidents?limit=1')).body.incidents[0].number as number;
  };

  beforeAll(async () => {
    rig = await startRig();
    const { t } = rig;
    const ada = await addUser(t, { email: 'ada@example.com', name: 'Ada Lovelace', role: 'admin', timeZone: 'Asia/Tokyo' });
    lee = await addUser(t, { email: 'lee@example.com', name: 'Lee Chen', role: 'responder', timeZone: 'Europe/Berlin' });
    ({ routingKey, serviceId } = await addPagedService(t, { name: 'payments-gateway-eu-west', userIds: [ada] }));
    await t.api('POST', '/api/v1/teams', { name: 'Platform Reliability Engineering' });
  }, 120_000);
  afterAll(async () => rig?.stop());

  for (const size of SIZES) {
    describe(size, () => {
      it('time zones: the incident and war-room timelines name the profile zone and show every time in it', async () => {
        const n = await fresh(`Zone check ${size}`);
        const declared = await rig.t.api('POST', '/api/v1/major-incidents', { incident: String(n), sev: 'SEV2' });
        expect(declared.status).toBe(201);
        const { page, close } = await open(size);
        await page.goto(`${rig.t.url}/incidents/${n}`);
        await page.getByTestId('incident-page').waitFor();
        await waitLive(page);
        const captions = page.getByTestId('zone-caption');
        await captions.first().waitFor();
        for (const text of await captions.allTextContents()) expect(text).toBe('Times in Asia/Tokyo (your profile)');
        // The war room names it too.
        expect(await page.getByTestId('war-room').getByTestId('zone-caption').textContent()).toBe('Times in Asia/Tokyo (your profile)');
        // Every timeline time is the event's time in Tokyo, never Berlin's (8 hours apart).
        const times = await page.getByTestId('timeline-time').allTextContents();
        const events = (await rig.t.api('GET', `/api/v1/incidents/${n}/timeline`)).body.timeline as { at: number }[];
        expect(times.length).toBeGreaterThanOrEqual(4);
        const inTokyo = new Set(events.map((e) => tokyo(e.at)));
        const inBerlin = new Set(events.map((e) => berlin(e.at)));
        for (const text of times) {
          const hhmm = /\b(\d\d:\d\d)\b/.exec(text)?.[1] ?? '';
          expect(inTokyo.has(hhmm), `${text} is not in Tokyo's time`).toBe(true);
          expect(inBerlin.has(hhmm), `${text} is in Berlin's time`).toBe(false);
        }
        // The war room's chat shows its times in the same zone.
        for (const text of await page.getByTestId('chat-time').allTextContents()) expect(inBerlin.has(/\b(\d\d:\d\d)\b/.exec(text)?.[1] ?? '')).toBe(false);
        await close();
      });

      it('time zones: the schedule timeline starts its days at midnight in the profile zone, and lists hand-offs in it', async () => {
        const name = `Tokyo rota ${size}`;
        const sched = await rig.t.api('POST', '/api/v1/schedules', {
          name,
          timeZone: 'Asia/Tokyo',
          layers: [{ name: 'Daily', participants: ['ada@example.com', 'lee@example.com'], turn: { unit: 'day', count: 1 }, handoffTime: '09:00', start: '2026-02-02T09:00' }],
        });
        expect(sched.status).toBe(201);
        const { page, close } = await open(size, { fixedTime: true });
        await page.goto(`${rig.t.url}/schedules/${sched.body.schedule.id}`);
        await page.getByTestId('timeline-final').waitFor();
        expect(await page.getByTestId('zone-caption').textContent()).toBe('Timeline and times in Asia/Tokyo (your profile)');
        // Hand-offs at 09:00 in Tokyo (00:00 UTC): the list says 09:00 (Berlin would say 01:00).
        await expect.poll(async () => (await page.getByTestId('final-shift').allTextContents()).filter((s) => /09:00 – \w{3} \d+ \w{3} 09:00/.test(s)).length).toBeGreaterThan(3);
        // Each hand-off bar sits 9/24 into its day column: the columns start at Tokyo's midnight.
        const bars = await page
          .getByTestId('timeline-final')
          .getByTestId('shift-bar')
          .evaluateAll((els) => els.map((e) => ({ start: Number(e.getAttribute('data-start')), left: parseFloat((e as HTMLElement).style.left) })));
        const handoffs = bars.filter((b) => b.start % DAY === 0 && b.left > 0);
        expect(handoffs.length).toBeGreaterThan(3);
        for (const b of handoffs) {
          const intoDay = ((b.left / 100) * 7) % 1;
          expect(Math.abs(intoDay - 9 / 24)).toBeLessThan(0.002);
        }
        await close();
      });

      it('time zones: the new user and new schedule forms start in the profile zone', async () => {
        const { page, close } = await open(size);
        await page.goto(`${rig.t.url}/people/users`);
        await page.getByRole('button', { name: 'Add user' }).click();
        await expect.poll(() => page.getByRole('dialog').getByLabel('Time zone', { exact: true }).inputValue()).toBe('Asia/Tokyo');
        await page.goto(`${rig.t.url}/schedules/new`);
        await expect.poll(() => page.getByTestId('schedule-zone').inputValue()).toBe('Asia/Tokyo');
        await close();
      });

      it("the timeline reads as people's words, not event names", async () => {
        const n = await fresh(`Words ${size}`);
        await rig.t.api('POST', `/api/v1/incidents/${n}/acknowledge`);
        await rig.t.api('POST', '/api/v1/major-incidents', { incident: String(n), sev: 'SEV2' });
        const raised = await rig.t.api('POST', `/api/v1/incidents/${n}/severity`, { sev: 'SEV1' });
        expect(raised.status).toBe(200);
        await rig.t.api('POST', `/api/v1/incidents/${n}/roles`, { role: 'scribe', user: 'lee@example.com' });
        const kinds = ((await rig.t.api('GET', `/api/v1/incidents/${n}/timeline`)).body.timeline as { type: string }[]).map((e) => e.type);
        const { page, close } = await open(size);
        await page.goto(`${rig.t.url}/incidents/${n}`);
        // Each entry's title (Mantine's Timeline item title): what the entry says.
        const titles = page.getByTestId('timeline').locator('.mantine-Timeline-itemTitle');
        await expect.poll(() => titles.count()).toBe(kinds.length);
        const words = await titles.allTextContents();
        expect(words).toHaveLength(kinds.length);
        expect(words).toContain('Admin acknowledged through the API');
        expect(words).toContain('Admin joined as incident manager');
        expect(words).toContain('Lee Chen joined as scribe');
        expect(words).toContain('Severity raised from SEV2 to SEV1 by Admin');
        expect(words.some((w) => /^Admin declared a major incident \(SEV2\) and opened the war room/.test(w))).toBe(true);
        expect(words.some((w) => w.startsWith('An alert opened the incident on payments-gateway-eu-west: Words'))).toBe(true);
        const page_ = await page.getByTestId('timeline').textContent();
        for (const k of new Set(kinds)) expect(page_).not.toContain(k);
        await close();
      });
    });
  }

  for (const size of SIZES) {
    it(`${size}: the test alert preselects the integration last used on this service`, async () => {
      const { t } = rig;
      const svc = (await t.api('POST', '/api/v1/services', { name: `remember-${size}` })).body.service.id as string;
      const first = (await t.api('POST', `/api/v1/services/${svc}/integrations`, { name: 'alertmanager prod', kind: 'alertmanager' })).body.integration;
      const second = (await t.api('POST', `/api/v1/services/${svc}/integrations`, { name: 'grafana staging', kind: 'grafana' })).body.integration;
      expect(first.key && second.key).toBeTruthy();
      const { page, close } = await open(size);
      await page.goto(`${t.url}/services/${svc}`);
      // Nothing used yet: the first is chosen.
      await page.getByTestId('open-test-alert').click();
      await expect.poll(() => page.getByTestId('test-alert-integration').inputValue()).toMatch(/^alertmanager prod/);
      await page.keyboard.press('Escape');
      await page.getByRole('dialog').waitFor({ state: 'detached' });
      // Send through the second (from its row).
      await page.getByTestId('integration').filter({ hasText: 'grafana staging' }).getByTestId('row-test-alert').click();
      await page.getByTestId('test-key-input').fill(second.key);
      await page.getByTestId('send-test-alert').click();
      await expect.poll(() => page.getByTestId('test-alert-result').textContent(), { timeout: 10_000 }).toContain('Accepted (202)');
      // Next visit: the button preselects it.
      await page.goto(`${t.url}/services/${svc}`);
      await page.getByTestId('open-test-alert').click();
      await expect.poll(() => page.getByTestId('test-alert-integration').inputValue()).toMatch(/^grafana staging/);
      await close();
    });

    it(`${size}: an admin marks a contact method verified with the consent recorded, or sends its code again`, async () => {
      const { t } = rig;
      const cm = await t.api('POST', `/api/v1/users/${lee}/contact-methods`, { name: `Lee mobile mail ${size}`, type: 'email', address: `lee.${size}@example.com` });
      expect(cm.status).toBe(201);
      await t.cycle();
      await t.smtp.waitFor((m) => m.to.includes(`lee.${size}@example.com`));
      const before = t.smtp.messages.filter((m) => m.to.includes(`lee.${size}@example.com`)).length;
      const { page, close } = await open(size);
      await page.goto(`${t.url}/people/users`);
      await page.getByTestId('user-row').filter({ hasText: 'Lee Chen' }).getByRole('button', { name: 'Manage' }).click();
      const card = page.getByTestId('contact-method').filter({ hasText: `Lee mobile mail ${size}` });
      await card.waitFor();
      expect(await card.getAttribute('data-verified')).toBe('false');

      await card.getByTestId('admin-resend-code').click();
      await t.cycle();
      await expect.poll(() => t.smtp.messages.filter((m) => m.to.includes(`lee.${size}@example.com`)).length, { timeout: 10_000 }).toBe(before + 1);

      await card.getByTestId('mark-verified').click();
      const form = page.getByTestId('mark-verified-form');
      await form.getByTestId('mark-verified-confirm').click();
      await form.getByText('Say how they agreed to be paged here').waitFor();
      expect(await card.getAttribute('data-verified')).toBe('false');
      await form.getByTestId('consent').fill('Lee agreed on the phone, Monday 10:00');
      await form.getByTestId('mark-verified-confirm').click();
      await expect.poll(() => card.getAttribute('data-verified'), { timeout: 10_000 }).toBe('true');
      const methods = (await t.api('GET', `/api/v1/users/${lee}/contact-methods`)).body.contactMethods as { id: string; verified: boolean }[];
      expect(methods.find((m) => m.id === cm.body.contactMethod.id)?.verified).toBe(true);
      const audit = await t.k.ctx.db.kysely.selectFrom('audit_log').selectAll().where('action', '=', 'contact_method.verify').where('subject', '=', cm.body.contactMethod.id).execute();
      expect(audit).toHaveLength(1);
      expect(JSON.parse(must(audit[0], 'audit[0]').data).consent).toBe('Lee agreed on the phone, Monday 10:00');
      expect(must(audit[0], 'audit[0]').actor).toBe('Ada Lovelace');
      await close();
    });

    it(`${size}: no incident filter cuts its placeholder or its longest option`, async () => {
      const { t } = rig;
      const team = must(
        ((await t.api('GET', '/api/v1/teams')).body.teams as { id: string; name: string }[]).find((x) => x.name === 'Platform Reliability Engineering'),
        "api().body.teams entry where x.name === 'Platform Reliability Engineering'",
      );
      const { page, close } = await open(size);
      const check = async (url: string) => {
        await page.goto(url);
        await page.getByTestId('filters').waitFor({ state: 'attached' });
        if (size === 'phone') {
          await page.getByTestId('filters-toggle').click();
          await expect.poll(() => page.getByTestId('filters-toggle').getAttribute('aria-expanded')).toBe('true');
        }
        await page.getByTestId('sev-filter').waitFor();
        await page.waitForTimeout(300); // the Collapse's transition
        const cut = await page
          .getByTestId('filters')
          .locator('input:not([type=hidden])')
          .evaluateAll((els) =>
            (els as HTMLInputElement[]).map((el) => {
              const cs = getComputedStyle(el);
              const ctx = document.createElement('canvas').getContext('2d');
              if (!ctx) throw new Error('expected a 2d canvas context, found null');
              ctx.font = `${cs.fontStyle} ${cs.fontWeight} ${cs.fontSize} ${cs.fontFamily}`;
              const text = el.value || el.placeholder;
              const room = el.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
              return { text, scroll: el.scrollWidth, client: el.clientWidth, need: Math.ceil(ctx.measureText(text).width), room: Math.floor(room) };
            }),
          );
        expect(cut.length).toBe(6);
        for (const c of cut) {
          expect(c.scroll, c.text).toBeLessThanOrEqual(c.client);
          expect(c.need, `"${c.text}" needs ${c.need}px, has ${c.room}px`).toBeLessThanOrEqual(c.room);
        }
        return cut.map((c) => c.text);
      };
      expect(await check(`${t.url}/incidents?view=all`)).toEqual(expect.arrayContaining(['Any severity', 'Any SEV level', 'All services', 'All teams', 'Anyone']));
      // The longest choices picked.
      expect(await check(`${t.url}/incidents?view=all&service=${serviceId}&severity=critical&sev=SEV1&team=${team.id}&assignee=me`)).toEqual(
        expect.arrayContaining(['payments-gateway-eu-west', 'critical', 'SEV1', 'Platform Reliability Engineering', 'Me (IM or acked)']),
      );
      await close();
    });
  }
});
