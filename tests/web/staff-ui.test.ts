import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { seedDemoWorkspace } from '../../src/db/seed.js';
import { type RunningWorkers, startWorkers } from '../../src/delivery/workers.js';
import { buildWebUi } from '../../src/web/build.js';
import { drivers } from '../support/database.js';
import { createTestDeps, type TestDeps } from '../support/deps.js';
import { auth, BOOTSTRAP_KEY, incidentEvent } from '../support/fixtures.js';
import { freePort } from '../support/net.js';

/** Debian's Chromium; playwright-core never downloads a browser of its own. */
const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = path.resolve('tests/web/artifacts');
/** `CANDOR_UPDATE_SCREENS=1 npx vitest run tests/web` refreshes the README's screenshots. */
const README_SCREENS = path.resolve('docs/screens');

const USERS = {
  comms: { email: 'sam@acme.example', password: 'candor-demo-comms' },
  executive: { email: 'alex@acme.example', password: 'candor-demo-exec' },
};

// One database driver is enough here: the UI talks HTTP, and every endpoint it uses is tested per driver.
const driver = drivers.at(-1)!;

describe(`staff UI in Chromium (${driver})`, () => {
  let deps: TestDeps;
  let app: FastifyInstance;
  let workers: RunningWorkers;
  let browser: Browser;
  let page: Page;
  let base: string;
  let webDir: string;
  const problems: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `Chromium is not installed at ${CHROMIUM}: the staff UI tests need it. Install it with ` +
          '`apt-get install -y chromium` (.ci/run does this on a clean machine).',
      );
    }
    // Build the UI from the current sources, not whatever dist/web holds.
    webDir = await mkdtemp(path.join(os.tmpdir(), 'candor-web-'));
    await buildWebUi(webDir);
    deps = await createTestDeps(driver, {
      env: {
        CANDOR_BOOTSTRAP_API_KEY: BOOTSTRAP_KEY,
        CANDOR_TRANSPORT: 'outbox',
        // Notices stay in their hold window, so the countdown, "send now" and "cancel" are on screen.
        CANDOR_NOTICE_HOLD_SECONDS: '600',
        // Login attempts are rate-limited in Redis under this prefix: a fresh one per run.
        CANDOR_QUEUE_PREFIX: `{candor-ui-${randomBytes(4).toString('hex')}}`,
      },
    });
    await seedDemoWorkspace(deps);
    app = await buildApp(deps, { web: { distDir: webDir } });
    const port = await freePort();
    await app.listen({ port, host: '127.0.0.1' });
    base = `http://127.0.0.1:${port}`;
    workers = startWorkers(deps, { queueNamePrefix: deps.queueNamePrefix });
    // Root in CI containers: Chromium's sandbox needs user namespaces it may not have.
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    page.setDefaultTimeout(15_000);
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()} (${message.location().url})`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    await mkdir(ARTIFACTS, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await workers?.close();
    await app?.close();
    await deps?.close();
    if (webDir) await rm(webDir, { recursive: true, force: true });
  });

  const shot = async (name: string) => {
    const file = path.join(ARTIFACTS, `${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    if (process.env.CANDOR_UPDATE_SCREENS === '1') {
      await mkdir(README_SCREENS, { recursive: true });
      await copyFile(file, path.join(README_SCREENS, `${name}.png`));
    }
  };

  const login = async (who: keyof typeof USERS) => {
    await page.goto(base);
    await page.getByLabel('E-mail').fill(USERS[who].email);
    await page.getByLabel('Password').fill(USERS[who].password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Log out' }).waitFor();
  };

  const logout = async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: 'Sign in to Candor' }).waitFor();
  };

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

    expect(problems).toEqual([]);
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

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
