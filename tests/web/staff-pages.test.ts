import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCustomers } from '../../src/db/seed-data.js';
import { auth, incidentEvent } from '../support/fixtures.js';
import { checkPage, driver, escapeRegExp, type StaffUi, startStaffUi, USERS } from './harness.js';

/**
 * The pages beside the main flow (Settings, Customers, Outbox, Segments, Replies), each through its main
 * actions in Chromium; every page is also checked for unnamed form controls and for sideways scrolling at
 * 390 px. Screenshots land in tests/web/artifacts/.
 */
describe(`staff pages in Chromium (${driver})`, () => {
  let ui: StaffUi;
  let app: FastifyInstance;
  let page: Page;
  let base: string;
  let incidentId: string;

  beforeAll(async () => {
    // Notices go out at once, so the outbox has mail to show and customers can answer it.
    ui = await startStaffUi({ CANDOR_NOTICE_HOLD_SECONDS: '0' });
    ({ app, page, base } = ui);
    const started = new Date(Date.now() - 5 * 60_000).toISOString().replace(/\.\d+Z$/, 'Z');
    const event = await app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: auth,
      payload: incidentEvent({
        occurred_at: started,
        incident: { ref: `pages-${randomBytes(3).toString('hex')}`, started_at: started },
      }),
    });
    expect(event.statusCode).toBe(202);
    incidentId = event.json().incident_id;
  }, 120_000);

  afterAll(async () => {
    await ui?.close();
  });

  const focused = (locator: Locator) => locator.evaluate((el) => el === document.activeElement);

  it('signs in by keyboard alone, wrong password first', async () => {
    await page.goto(base);
    await page.getByRole('heading', { name: 'Sign in to Candor' }).waitFor();
    await checkPage(ui, 'login');

    await page.keyboard.press('Tab');
    expect(await focused(page.getByLabel('E-mail'))).toBe(true);
    await page.keyboard.type(USERS.admin.email);
    await page.keyboard.press('Tab');
    const password = page.getByLabel('Password');
    expect(await focused(password)).toBe(true);
    ui.expectHttpError(401, /\/v1\/auth\/login$/);
    await page.keyboard.type('not-the-password');
    await page.keyboard.press('Enter');
    await page.getByRole('alert').getByText('Could not sign in').waitFor();

    await password.focus();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type(USERS.admin.password);
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Log out' }).waitFor();
    await page.getByText('Jordan Admin').waitFor();
    expect(ui.problems).toEqual([]);
  });

  it('admin: Settings creates an API key shown once and revokes it, and adds users', async () => {
    await page.getByRole('link', { name: 'Settings' }).click();
    const keys = page.getByRole('region', { name: 'API keys' });
    await keys.getByRole('cell', { name: 'demo', exact: true }).waitFor();

    // The key form by keyboard: name, the "read" scope, then the button.
    await keys.getByLabel('Name').focus();
    await page.keyboard.type('Status page sync');
    for (let i = 0; i < 3; i++) await page.keyboard.press('Tab');
    const read = keys.getByLabel('read', { exact: true });
    expect(await focused(read)).toBe(true);
    await page.keyboard.press('Space');
    expect(await read.isChecked()).toBe(true);
    for (let i = 0; i < 3; i++) await page.keyboard.press('Tab');
    expect(await focused(keys.getByRole('button', { name: 'Create key' }))).toBe(true);
    await page.keyboard.press('Enter');

    await keys.getByRole('status').getByText('Copy this key now').waitFor();
    const secret = (await keys.locator('code.secret').textContent())!.trim();
    expect(secret.length).toBeGreaterThan(20);
    const withKey = () =>
      app.inject({ method: 'GET', url: '/v1/segments', headers: { authorization: `Bearer ${secret}` } });
    expect((await withKey()).statusCode).toBe(200);
    const row = keys.getByRole('row', { name: /Status page sync/ });
    await row.getByRole('cell', { name: 'events:write, read' }).waitFor();
    await shot('settings-key-created');
    await keys.getByRole('button', { name: 'Done' }).click();
    await keys.locator('code.secret').waitFor({ state: 'detached' });
    expect(await page.content()).not.toContain(secret);

    // Revoke: the dialog's confirm button has focus, so Enter confirms.
    await row.getByRole('button', { name: 'Revoke' }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke “Status page sync”?' });
    await dialog.waitFor();
    expect(await focused(dialog.getByRole('button', { name: 'Revoke' }))).toBe(true);
    await page.keyboard.press('Enter');
    await row.getByRole('cell', { name: /^revoked / }).waitFor();
    await dialog.waitFor({ state: 'hidden' });
    expect((await withKey()).statusCode).toBe(401);

    // Users: a comms user, then an executive with a sender identity (refused first on a foreign domain).
    const users = page.getByRole('region', { name: 'Users and sender identities' });
    const addUser = async (name: string, email: string, role: string) => {
      await users.getByLabel('Name').fill(name);
      await users.getByLabel('E-mail (login)').fill(email);
      await users.getByLabel('Role').selectOption(role);
      await users.getByLabel('Password').fill('a-long-enough-password');
    };
    await addUser('Robin Ops', 'robin@acme.example', 'comms');
    await users.getByRole('button', { name: 'Add user' }).click();
    await users.getByRole('row', { name: /Robin Ops robin@acme\.example comms/ }).waitFor();

    await addUser('Casey Morgan', 'casey@acme.example', 'executive');
    await users.getByLabel(/^Sender e-mail/).fill('casey@elsewhere.example');
    await users.getByLabel('Title').fill('CTO');
    await checkPage(ui, 'settings');
    ui.expectHttpError(422, /\/v1\/users$/);
    await users.getByRole('button', { name: 'Add user' }).click();
    await users.getByRole('alert').getByText('Could not add the user').waitFor();
    await users.getByLabel(/^Sender e-mail/).fill('casey.morgan@acme.example');
    await users.getByRole('button', { name: 'Add user' }).click();
    await users.getByRole('cell', { name: 'Casey Morgan <casey.morgan@acme.example>, CTO' }).waitFor();
    await users.getByRole('alert').waitFor({ state: 'detached' });
    await shot('settings');
    expect(ui.problems).toEqual([]);
  });

  it('admin: Customers searches, and imports a CSV file with per-row errors', async () => {
    const demo = demoCustomers()[6]!;
    await page.getByRole('link', { name: 'Customers' }).click();
    await page.getByRole('heading', { name: 'Customers', exact: true }).waitFor();
    const rows = page.locator('main table').first().locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(50);

    await page.getByRole('searchbox', { name: 'Search' }).fill(demo.contacts[0]!.email);
    await expect.poll(() => rows.count()).toBe(1);
    await rows.getByText(demo.ref).waitFor();
    await rows.getByText(demo.contacts[0]!.email).waitFor();

    const csv = [
      'ref,name,tier,regions,components,locale,contact_email,contact_name,contact_role',
      'ui-harbor,Harbor Freight Co,pro,us|eu,helpdesk|api,en,ops@harbor.example,Hana Ops,Head of Support',
      'ui-harbor,Harbor Freight Co,pro,us|eu,helpdesk|api,en,cto@harbor.example,Carl Chen,CTO',
      'ui-broken,Broken Tier Ltd,Gold Plan!,us,helpdesk,en,it@broken.example,Ian Iter,IT Admin',
      'ui-badmail,Bad Mail Inc,free,eu,chat,en,not-an-address,Nia Noor,Founder',
    ].join('\n');
    await page.getByLabel('CSV file').setInputFiles({
      name: 'customers.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(csv),
    });
    const pasted = page.getByLabel('or paste the CSV');
    await expect.poll(() => pasted.inputValue()).toBe(csv);
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    const result = page.getByRole('region', { name: 'Import customers (CSV)' }).getByRole('status');
    await expect.poll(() => result.textContent()).toMatch(/^1 created, 0 updated, 2 rejected\./);
    await result.getByRole('row', { name: /^4 .*tier/ }).waitFor();
    await result.getByRole('row', { name: /^5 .*email/ }).waitFor();

    await page.getByRole('searchbox', { name: 'Search' }).fill('Harbor Freight');
    await expect.poll(() => rows.count()).toBe(1);
    await rows.getByText('cto@harbor.example').waitFor();
    await checkPage(ui, 'customers');
    await shot('customers');
    expect(ui.problems).toEqual([]);
  });

  it('admin: Outbox lists captured mail and shows one message in every view', async () => {
    // The incident's notices went out at once; take one the outbox transport captured.
    let letter: { id: string; to: string; subject: string } | undefined;
    await expect
      .poll(
        async () => {
          const list = await app.inject({ method: 'GET', url: '/v1/outbox?limit=1', headers: auth });
          letter = list.json().data[0];
          return letter !== undefined;
        },
        { timeout: 30_000, interval: 250 },
      )
      .toBe(true);
    await page.getByRole('link', { name: 'Outbox' }).click();
    await page.getByRole('heading', { name: 'Outbox', exact: true }).waitFor();
    const items = page.locator('.item-list li');
    await items.first().waitFor();

    await page.getByRole('searchbox', { name: 'Recipient' }).fill(letter!.to);
    await expect.poll(() => items.count()).toBe(1);
    await items.getByText(`to ${letter!.to}`).waitFor();
    await items.getByRole('link', { name: letter!.subject }).click();
    await page.waitForURL(`${base}/outbox/${letter!.id}`);
    const message = page.getByRole('article', { name: letter!.subject });
    await message.getByText(letter!.to, { exact: true }).waitFor();
    // The incident's title, which every locale's letter shows (the newest letter may be a German one).
    const title = 'Errors loading the help desk';
    await message.frameLocator('iframe[title="Captured e-mail"]').getByText(title).first().waitFor();
    await message.getByRole('tab', { name: 'Plain text' }).click();
    await message.locator('pre', { hasText: title }).waitFor();
    // The tabs follow the arrow keys: Plain text → Headers.
    await page.keyboard.press('ArrowRight');
    await message.getByRole('rowheader', { name: 'Message-ID', exact: true }).waitFor();
    await message.getByRole('tab', { name: 'Source' }).click();
    await message.locator('pre', { hasText: 'MIME-Version: 1.0' }).waitFor();
    await checkPage(ui, 'outbox');
    await shot('outbox');
    expect(ui.problems).toEqual([]);
  });

  it('comms: Segments count a rule live, create segments and delete them (refused while in use)', async () => {
    await ui.logout();
    await ui.login('comms');
    expect(await page.getByRole('link', { name: 'Settings' }).count()).toBe(0);
    await page.getByRole('link', { name: 'Segments' }).click();
    await page.getByRole('heading', { name: 'Segments', exact: true }).waitFor();
    const editor = page.locator('form.segment-editor');
    const liveCount = editor.locator('.live-count');
    const countOf = async (rule: unknown, incident?: string) => {
      const answer = await app.inject({
        method: 'POST',
        url: '/v1/segments/count',
        headers: auth,
        payload: { rule, ...(incident ? { incident_id: incident } : {}) },
      });
      const c = answer.json() as { customers: number; recipients: number };
      return `Matches ${c.customers} customers, ${c.recipients} recipients`;
    };

    // A default segment: counted for an incident, and no Delete button.
    ui.expectHttpError(422, /\/v1\/segments\/count$/);
    ui.expectHttpError(400, /\/v1\/segments\/count$/);
    await page.getByRole('button', { name: /Affected customers affected · priority 20/ }).click();
    await liveCount.getByText('The rule cannot be counted').waitFor();
    await editor.getByLabel(/^Count for incident/).fill(incidentId);
    await liveCount.getByText(await countOf({ affected: true }, incidentId)).waitFor();
    expect(await editor.getByRole('button', { name: 'Delete segment' }).count()).toBe(0);
    await editor.getByText('A default segment cannot be deleted').waitFor();

    // The count follows the rule as it is typed.
    const enterprise = { field: 'tier', in: ['enterprise'] };
    const demo = demoCustomers().filter((c) => c.tier === 'enterprise');
    const expected = `Matches ${demo.length} customers, ${demo.reduce((n, c) => n + c.contacts.length, 0)} recipients`;
    expect(await countOf(enterprise)).toBe(expected);
    const rule = editor.getByLabel('Rule (JSON)');
    await rule.fill(JSON.stringify(enterprise));
    await liveCount.getByText(expected).waitFor();
    await rule.fill('{"field": ');
    await liveCount.getByText(/^Not valid JSON/).waitFor();

    // Two new segments.
    const create = async (key: string, name: string) => {
      await page.getByRole('button', { name: 'New segment' }).click();
      await editor.getByLabel('Key').fill(key);
      await editor.getByLabel('Name').fill(name);
      await editor.getByLabel(/^Priority/).fill('500');
      await editor.getByLabel('Template variant').fill('affected');
      await editor.getByLabel('Rule (JSON)').fill(JSON.stringify(enterprise));
      await liveCount.getByText(expected).waitFor();
      await editor.getByRole('button', { name: 'Save segment' }).click();
      await page.getByRole('status').getByText(`Created segment ${key}.`).waitFor();
      await page.getByRole('button', { name: new RegExp(`^${escapeRegExp(name)} ${key}`) }).waitFor();
      expect(await editor.getByLabel('Key').isDisabled()).toBe(true);
    };
    await create('ui-vip', 'VIP customers');
    await create('ui-temp', 'Temporary list');

    // Deleting one nothing uses: confirmed, then gone from the list.
    await editor.getByRole('button', { name: 'Delete segment' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete segment “Temporary list”?' });
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('status').getByText('Deleted segment ui-temp.').waitFor();
    await page.getByRole('button', { name: /^Temporary list/ }).waitFor({ state: 'detached' });
    await page.getByText('Choose a segment to edit its rule.').waitFor();

    // A segment an open communication is addressed to: the API's 409 message is shown.
    const draft = await app.inject({
      method: 'POST',
      url: `/v1/incidents/${incidentId}/communications`,
      headers: auth,
      payload: { kind: 'update', segment: 'ui-vip', subject: 'An update', body: 'We are still on it.' },
    });
    expect(draft.statusCode, draft.body).toBe(201);
    ui.expectHttpError(409, /\/v1\/segments\/ui-vip$/);
    await page.getByRole('button', { name: /^VIP customers ui-vip/ }).click();
    await editor.getByRole('button', { name: 'Delete segment' }).click();
    await page
      .getByRole('dialog', { name: 'Delete segment “VIP customers”?' })
      .getByRole('button', { name: 'Delete' })
      .click();
    const refusal = editor.getByRole('alert');
    await refusal.getByText(/Could not delete the segment/).waitFor();
    await refusal.getByText(/is addressed by communications still in progress/).waitFor();
    await refusal.getByText(`communication id ${draft.json().id}`).waitFor();
    await page.getByRole('button', { name: /^VIP customers ui-vip/ }).waitFor();
    await checkPage(ui, 'segments');
    await shot('segments');
    expect(ui.problems).toEqual([]);
  });

  it('comms: Replies filter by category and status, and show unmatched mail', async () => {
    const sent = (await app.inject({ method: 'GET', url: '/v1/outbox?limit=20', headers: auth })).json()
      .data as { id: string; to: string }[];
    const recipients = [...new Map(sent.map((m) => [m.to, m])).values()];
    expect(recipients.length).toBeGreaterThanOrEqual(2);
    const [thanked, asked] = recipients as [{ id: string; to: string }, { id: string; to: string }];
    await answer(thanked.id, 'Thank you for the honest and quick update, much appreciated.');
    await answer(asked.id, 'When will the help desk work again for our team?');
    const stranger = 'someone@unknown.example';
    await inbound(
      mime({
        from: stranger,
        to: `reply+zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz@${ui.deps.config.replyDomain}`,
        subject: 'Hello?',
        text: 'Is anyone reading this mailbox?',
      }),
      false,
    );

    await page.getByRole('link', { name: 'Replies' }).click();
    await page.getByRole('heading', { name: 'Replies', exact: true }).waitFor();
    const list = page.getByRole('list', { name: 'Replies' });
    const item = (from: string) => list.getByRole('button', { name: new RegExp(escapeRegExp(from)) });
    await item(thanked.to).waitFor();
    await item(asked.to).waitFor();
    // The inbox holds everything; the unmatched view only what matched no e-mail Candor sent.
    await item(stranger).waitFor();

    const filters = page.locator('form.filters');
    await filters.getByLabel('Category').selectOption('question');
    await item(thanked.to).waitFor({ state: 'detached' });
    await item(asked.to).click();
    const detail = page.locator('.reply-detail');
    await detail.getByText('When will the help desk work again').waitFor();
    await detail.getByRole('button', { name: 'acknowledged' }).click();
    await detail.locator('.badge-acknowledged').waitFor();

    await filters.getByLabel('Category').selectOption('');
    await filters.getByLabel('Status').selectOption('new');
    await item(thanked.to).waitFor();
    await item(asked.to).waitFor({ state: 'detached' });
    await filters.getByLabel('Status').selectOption('');
    await filters.getByLabel('Incident id').fill(incidentId);
    await item(asked.to).waitFor();

    await filters.getByLabel('Incident id').fill('');
    await page.getByRole('button', { name: 'Unmatched' }).click();
    await item(stranger).click();
    await item(thanked.to).waitFor({ state: 'detached' });
    await page.locator('.reply-detail').getByText('Not matched to an e-mail Candor sent.').waitFor();
    await page.locator('.reply-detail .badge-unmatched').waitFor();
    await checkPage(ui, 'replies');
    await shot('replies-unmatched');
    expect(ui.problems).toEqual([]);
  });

  const shot = (name: string) => ui.shot(`pages-${name}`);

  /** A customer answers the captured message `outboxId` at its per-message Reply-To. */
  async function answer(outboxId: string, text: string) {
    const letter = (await app.inject({ method: 'GET', url: `/v1/outbox/${outboxId}`, headers: auth })).json();
    const header = (name: string) =>
      (letter.headers as { name: string; value: string }[]).find((h) => h.name.toLowerCase() === name)!.value;
    await inbound(
      mime({
        from: letter.to,
        to: header('reply-to'),
        subject: `Re: ${letter.subject}`,
        text,
        inReplyTo: header('message-id'),
      }),
      true,
    );
  }

  async function inbound(raw: string, matched: boolean) {
    const response = await app.inject({
      method: 'POST',
      url: '/v1/inbound/mime',
      headers: { ...auth, 'content-type': 'message/rfc822' },
      payload: raw,
    });
    expect(response.statusCode).toBe(202);
    expect(response.json().matched).toBe(matched);
  }
});

function mime(m: { from: string; to: string; subject: string; text: string; inReplyTo?: string }): string {
  return [
    `From: ${m.from}`,
    `To: ${m.to}`,
    `Subject: ${m.subject}`,
    `Message-ID: <ui-pages-${randomBytes(4).toString('hex')}@customer.example>`,
    ...(m.inReplyTo ? [`In-Reply-To: ${m.inReplyTo}`] : []),
    `Date: ${new Date().toUTCString()}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    m.text,
    '',
  ].join('\r\n');
}
