import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, incidentEvent } from '../support/fixtures.js';
import { driver, escapeRegExp, type StaffUi, startStaffUi } from './harness.js';

describe(`staff UI in Chromium (${driver})`, () => {
  let ui: StaffUi;
  let app: FastifyInstance;
  let page: Page;
  let base: string;

  beforeAll(async () => {
    // Notices stay in their hold window, so the countdown, "send now" and "cancel" are on screen.
    ui = await startStaffUi({ CANDOR_NOTICE_HOLD_SECONDS: '600' });
    ({ app, page, base } = ui);
  }, 120_000);

  afterAll(async () => {
    await ui?.close();
  });

  const shot = (name: string) => ui.shot(name, { readme: true });
  const login = (who: 'comms' | 'executive') => ui.login(who);
  const logout = () => ui.logout();

  const previewVariant = () => page.getByTestId('preview-variant');

  it('comms previews and edits an apology, the executive approves it, it goes out and a reply comes in', async () => {
    const started = new Date(Date.now() - 12 * 60_000).toISOString().replace(/\.\d+Z$/, 'Z');
    const event = await app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: auth,
      payload: incidentEvent({
        occurred_at: started,
        incident: { ref: `db-freeze-ui-${randomBytes(3).toString('hex')}`, started_at: started },
      }),
    });
    expect(event.statusCode).toBe(202);
    const incidentId: string = event.json().incident_id;

    // Comms: the incident list, then the incident with its held notices.
    await login('comms');
    const incidentLink = page.getByRole('link', { name: 'Errors loading the help desk' });
    await incidentLink.waitFor();
    await expect.poll(() => page.getByRole('cell', { name: /recipients\)/ }).count()).toBeGreaterThan(0);
    await shot('incidents');
    await incidentLink.click();
    await page.getByRole('heading', { name: 'Errors loading the help desk' }).waitFor();
    await page.getByRole('timer').first().waitFor();
    await page.getByRole('heading', { name: 'Audience per segment' }).waitFor();
    await page.getByRole('cell', { name: /Affected enterprise customers/ }).waitFor();
    await shot('incident');

    // Preview one held notice as two segments would get it.
    await page.getByRole('link', { name: /notice to affected-enterprise/ }).click();
    await expect.poll(() => previewVariant().textContent()).toBe('affected-enterprise');
    await page.getByRole('combobox', { name: 'Segment' }).selectOption('affected');
    await expect.poll(() => previewVariant().textContent()).toBe('affected');
    await page.getByLabel('Mobile').check();
    await page.getByRole('tab', { name: 'Headers' }).click();
    await page.getByRole('rowheader', { name: 'Reply-To', exact: true }).waitFor();
    await page.getByRole('tab', { name: 'Plain text' }).click();
    await page.getByRole('tab', { name: 'HTML' }).click();
    await page.locator('iframe.preview-frame.mobile').waitFor();
    await page.getByLabel('Desktop').check();
    await page.frameLocator('iframe[title="E-mail preview"]').getByText('Hello').first().waitFor();
    await shot('preview');

    // Draft the CEO's apology and edit it with the live preview.
    await page.getByRole('link', { name: 'Incident', exact: true }).click();
    await page.getByRole('combobox', { name: 'Segment' }).selectOption('affected-enterprise');
    await page.getByRole('button', { name: 'Draft apology' }).click();
    await page.getByRole('tab', { name: 'Edit' }).waitFor();
    const communicationId = new URL(page.url()).pathname.split('/').pop()!;
    const body = page.getByLabel(/^Body/);
    const added = 'We have moved the help desk off the failing database for good.';
    await body.fill(`${await body.inputValue()}\n\n${added}`);
    await page.frameLocator('.editor-preview iframe').getByText(added).waitFor();
    await page.getByRole('button', { name: 'Save as version 2' }).click();
    await page.getByRole('button', { name: 'Saved' }).waitFor();
    await shot('editor');
    await page.getByRole('button', { name: 'Submit for approval' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Submit' }).click();
    await page.getByText('Waiting for Alex Rivera to approve.').waitFor();
    await logout();

    // The executive sees their own approvals, the diff, and approves.
    await login('executive');
    await page.getByRole('heading', { name: 'Your approvals' }).waitFor();
    await page
      .getByRole('link', { name: /disruption/ })
      .first()
      .click();
    await page.locator('.diff .add', { hasText: added }).waitFor();
    await page.getByRole('complementary', { name: 'Content warnings' }).waitFor();
    await page.frameLocator('.approval-detail iframe').getByText(added).waitFor();
    await shot('approvals');
    await page.getByRole('button', { name: 'Approve version 2' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Approve' }).click();
    await page.locator('.approval-detail .badge-approved').first().waitFor();
    await logout();

    // Comms sends it and watches the counts rise to the whole audience.
    await login('comms');
    await page.goto(`${base}/communications/${communicationId}`);
    const sent = page.locator('[data-count="sent"] dd');
    await expect.poll(() => sent.textContent()).toBe('0');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Send now' }).click();
    const recipients = await waitForSent(page);
    expect(recipients).toBeGreaterThan(0);
    await page.locator('.page-head .badge-sent').waitFor();
    await shot('sending');

    // A customer answers the letter at its per-message Reply-To.
    const outbox = await app.inject({
      method: 'GET',
      url: `/v1/outbox?communication_id=${communicationId}&limit=1`,
      headers: auth,
    });
    const [captured] = outbox.json().data as { id: string }[];
    const letter = (
      await app.inject({ method: 'GET', url: `/v1/outbox/${captured!.id}`, headers: auth })
    ).json();
    const header = (name: string) =>
      (letter.headers as { name: string; value: string }[]).find((h) => h.name.toLowerCase() === name)!.value;
    const reply = [
      `From: ${letter.to}`,
      `To: ${header('reply-to')}`,
      `Subject: Re: ${letter.subject}`,
      `Message-ID: <ui-reply-${randomBytes(4).toString('hex')}@customer.example>`,
      `In-Reply-To: ${header('message-id')}`,
      `Date: ${new Date().toUTCString()}`,
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Thank you for the honest apology. When will the new database be in place for us?',
      '',
    ].join('\r\n');
    const inbound = await app.inject({
      method: 'POST',
      url: '/v1/inbound/mime',
      headers: { ...auth, 'content-type': 'message/rfc822' },
      payload: reply,
    });
    expect(inbound.statusCode).toBe(202);
    expect(inbound.json().matched).toBe(true);

    await page.getByRole('link', { name: 'Replies' }).click();
    const item = page.getByRole('button', { name: new RegExp(escapeRegExp(letter.to)) });
    await item.click();
    await page.getByText('When will the new database be in place for us?').first().waitFor();
    await page.frameLocator('iframe[title="The e-mail this reply answers"]').getByText(added).waitFor();
    await shot('replies');
    await page.getByRole('button', { name: 'acknowledged' }).click();
    await page.locator('.reply-detail .badge-acknowledged').waitFor();

    // The incident page at a phone's width.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${base}/incidents/${incidentId}`);
    await page.getByRole('heading', { name: 'Audience per segment' }).waitFor();
    await shot('incident-mobile');

    expect(ui.problems).toEqual([]);
  }, 120_000);

  async function waitForSent(p: Page): Promise<number> {
    let last = 0;
    const progress = p.locator('.card progress');
    await expect
      .poll(
        async () => {
          const value = Number(await progress.getAttribute('value'));
          const max = Number(await progress.getAttribute('max'));
          last = value;
          return value > 0 && value === max;
        },
        { timeout: 30_000, interval: 250 },
      )
      .toBe(true);
    return last;
  }
});
