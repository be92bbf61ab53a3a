import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { type Browser, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { buildApp } from '../../src/app.js';
import { seedDemoWorkspace } from '../../src/db/seed.js';
import { type RunningWorkers, startWorkers } from '../../src/delivery/workers.js';
import { buildWebUi } from '../../src/web/build.js';
import { drivers } from '../support/database.js';
import { createTestDeps, type TestDeps } from '../support/deps.js';
import { BOOTSTRAP_KEY } from '../support/fixtures.js';
import { freePort } from '../support/net.js';

/** Debian's Chromium; playwright-core never downloads a browser of its own. */
const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = path.resolve('tests/web/artifacts');
/** `CANDOR_UPDATE_SCREENS=1 npx vitest run tests/web` refreshes the README's screenshots. */
const README_SCREENS = path.resolve('docs/screens');

/** The demo seed's staff. */
export const USERS = {
  admin: { email: 'admin@acme.example', password: 'candor-demo-admin' },
  comms: { email: 'sam@acme.example', password: 'candor-demo-comms' },
  executive: { email: 'alex@acme.example', password: 'candor-demo-exec' },
};

// One database driver is enough here: the UI talks HTTP, and every endpoint it uses is tested per driver.
export const driver = drivers.at(-1)!;

export interface StaffUi {
  deps: TestDeps;
  app: FastifyInstance;
  page: Page;
  base: string;
  /** Console errors and page errors seen so far; a test ends with `expect(problems).toEqual([])`. */
  problems: string[];
  /**
   * Declares an HTTP error the test provokes on purpose (e.g. a 409 it expects the page to show): Chromium
   * logs every failed request as a console error, and only these are not counted as problems.
   */
  expectHttpError(status: number, url: RegExp): void;
  /** A full-page screenshot in tests/web/artifacts/; `readme` ones also go to docs/screens on request. */
  shot(name: string, options?: { readme?: boolean }): Promise<void>;
  login(who: keyof typeof USERS): Promise<void>;
  logout(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A fresh database with the demo workspace, the API with the UI built from the current sources, the
 * delivery workers, and one Chromium page that records console and page errors.
 */
export async function startStaffUi(env: Record<string, string>): Promise<StaffUi> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}: the staff UI tests need it. Install it with ` +
        '`apt-get install -y chromium` (.ci/run does this on a clean machine).',
    );
  }
  let deps: TestDeps | undefined;
  let app: FastifyInstance | undefined;
  let workers: RunningWorkers | undefined;
  let browser: Browser | undefined;
  // Build the UI from the current sources, not whatever dist/web holds.
  const webDir = await mkdtemp(path.join(os.tmpdir(), 'candor-web-'));
  const close = async () => {
    await browser?.close();
    await workers?.close();
    await app?.close();
    await deps?.close();
    await rm(webDir, { recursive: true, force: true });
  };
  try {
    await buildWebUi(webDir);
    deps = await createTestDeps(driver, {
      env: {
        CANDOR_BOOTSTRAP_API_KEY: BOOTSTRAP_KEY,
        CANDOR_TRANSPORT: 'outbox',
        // Login attempts are rate-limited in Redis under this prefix: a fresh one per run.
        CANDOR_QUEUE_PREFIX: `{candor-ui-${randomBytes(4).toString('hex')}}`,
        ...env,
      },
    });
    await seedDemoWorkspace(deps);
    app = await buildApp(deps, { web: { distDir: webDir } });
    const port = await freePort();
    await app.listen({ port, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${port}`;
    workers = startWorkers(deps, { queueNamePrefix: deps.queueNamePrefix });
    // Root in CI containers: Chromium's sandbox needs user namespaces it may not have.
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    page.setDefaultTimeout(15_000);
    const problems: string[] = [];
    const expected: { status: number; url: RegExp }[] = [];
    page.on('console', (message) => {
      if (message.type() !== 'error') return;
      const url = message.location().url;
      const status = /the server responded with a status of (\d+)/.exec(message.text())?.[1];
      if (status && expected.some((e) => e.status === Number(status) && e.url.test(url))) return;
      problems.push(`console: ${message.text()} (${url})`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    await mkdir(ARTIFACTS, { recursive: true });

    return {
      deps,
      app,
      page,
      base,
      problems,
      expectHttpError: (status, url) => expected.push({ status, url }),
      shot: async (name, options = {}) => {
        const file = path.join(ARTIFACTS, `${name}.png`);
        // Chromium leaves iframes below the viewport blank in a full-page capture (the letter preview
        // on the approvals page), so the viewport grows to the page for the shot instead.
        const viewport = page.viewportSize();
        const height = await page.evaluate(() => document.documentElement.scrollHeight);
        if (viewport && height > viewport.height)
          await page.setViewportSize({ width: viewport.width, height: Math.min(height, 4_000) });
        await page.evaluate(
          () => new Promise((painted) => requestAnimationFrame(() => requestAnimationFrame(painted))),
        );
        await page.screenshot({ path: file });
        if (viewport) await page.setViewportSize(viewport);
        if (options.readme && process.env.CANDOR_UPDATE_SCREENS === '1') {
          await mkdir(README_SCREENS, { recursive: true });
          await copyFile(file, path.join(README_SCREENS, `${name}.png`));
        }
      },
      login: async (who) => {
        await page.goto(base);
        await page.getByLabel('E-mail').fill(USERS[who].email);
        await page.getByLabel('Password').fill(USERS[who].password);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.getByRole('button', { name: 'Log out' }).waitFor();
      },
      logout: async () => {
        await page.getByRole('button', { name: 'Log out' }).click();
        await page.getByRole('heading', { name: 'Sign in to Candor' }).waitFor();
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * Visible form controls (input, select, textarea) that have no accessible name: no aria-label, no
 * aria-labelledby with text, no label with text, no title. Described by a snippet of their HTML.
 */
export function unnamedControls(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const text = (el: Element | null) => (el?.textContent ?? '').replace(/\s+/g, ' ').trim();
    const unnamed: string[] = [];
    for (const el of Array.from(
      document.querySelectorAll<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>(
        'input, select, textarea',
      ),
    )) {
      if (el.type === 'hidden' || !el.checkVisibility({ visibilityProperty: true })) continue;
      const labelledBy = (el.getAttribute('aria-labelledby') ?? '')
        .split(/\s+/)
        .filter(Boolean)
        .map((id: string) => text(document.getElementById(id)))
        .join(' ');
      const name =
        el.getAttribute('aria-label')?.trim() ||
        labelledBy.trim() ||
        Array.from(el.labels ?? [])
          .map(text)
          .join(' ')
          .trim() ||
        el.getAttribute('title')?.trim();
      if (!name) unnamed.push(el.outerHTML.slice(0, 160));
    }
    return unnamed;
  });
}

/**
 * The checks every page gets: each visible form control has an accessible name, and at a phone's width
 * (390 px) nothing scrolls sideways. Leaves a `<name>-mobile` screenshot and restores the viewport.
 */
export async function checkPage(ui: StaffUi, name: string): Promise<void> {
  const { page } = ui;
  expect(await unnamedControls(page), `${name}: form controls without an accessible name`).toEqual([]);
  const size = page.viewportSize();
  await page.setViewportSize({ width: 390, height: 844 });
  try {
    const overflow = () =>
      page.evaluate(() => {
        const width = window.innerWidth;
        // The outermost elements sticking out, not counting what scrolls inside a narrower box.
        const clipped = (el: Element) => {
          for (let p = el.parentElement; p; p = p.parentElement) {
            if (getComputedStyle(p).overflowX !== 'visible')
              return p.getBoundingClientRect().right <= width + 1;
          }
          return false;
        };
        const wide = Array.from(document.querySelectorAll('body *'))
          .filter((el) => el.getBoundingClientRect().right > width + 1 && !clipped(el))
          .filter((el, _, all) => !all.some((other) => other !== el && other.contains(el)))
          .slice(0, 5)
          .map((el) => `${el.tagName.toLowerCase()}${el.className ? `.${el.className}` : ''}`);
        return { scrollWidth: document.documentElement.scrollWidth, width, wide };
      });
    const at390 = await overflow();
    expect(
      at390.scrollWidth,
      `${name} scrolls sideways at 390 px: ${at390.wide.join(', ')}`,
    ).toBeLessThanOrEqual(at390.width);
    expect(await unnamedControls(page), `${name} at 390 px: unnamed form controls`).toEqual([]);
    await ui.shot(`${name}-mobile`);
  } finally {
    if (size) await page.setViewportSize(size);
  }
}

export const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
