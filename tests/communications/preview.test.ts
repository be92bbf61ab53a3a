import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import PostalMime from 'postal-mime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { threadOf } from '../../src/delivery/threading.js';
import { buildMime } from '../../src/delivery/transports/mime.js';
import { drivers } from '../support/database.js';
import { createTestDeps, type TestDeps } from '../support/deps.js';
import { auth, BOOTSTRAP_KEY } from '../support/fixtures.js';
import {
  insertCommunication,
  insertCustomer,
  insertIncident,
  insertMessage,
  insertSegment,
  previewApp,
} from './harness.js';

describe.each(drivers)('preview and lint endpoints (%s)', (driver) => {
  let deps: TestDeps;
  let app: FastifyInstance;
  let incidentId: string;
  let communicationId: string;
  let northwind: { id: string; contactIds: string[] };
  let firstHeader: string;

  beforeAll(async () => {
    const lintConfig = path.join(tmpdir(), `candor-lint-${process.pid}-${driver}.json`);
    await writeFile(lintConfig, JSON.stringify({ jargon: { helpdesk: 'say "help desk"' } }));
    deps = await createTestDeps(driver, {
      env: { CANDOR_BOOTSTRAP_API_KEY: BOOTSTRAP_KEY, CANDOR_LINT_CONFIG: lintConfig },
    });
    app = await previewApp(deps);
    const db = deps.database.db;
    northwind = await insertCustomer(
      db,
      {
        ref: 'northwind',
        name: 'Northwind',
        tier: 'enterprise',
        attributes: { account_manager: 'Sam Rivera' },
      },
      [{ email: 'ops@northwind.example', name: 'Nora Ops' }],
    );
    await insertCustomer(db, { ref: 'globex', name: 'Globex <Labs> & "Co"', locale: 'de-AT' }, [
      { email: 'it@globex.example' },
    ]);
    incidentId = await insertIncident(db, 'db-freeze');
    const earlier = await insertCommunication(db, incidentId);
    firstHeader = (
      await insertMessage(db, {
        communicationId: earlier,
        contactId: northwind.contactIds[0]!,
        customerId: northwind.id,
        email: 'ops@northwind.example',
        sentAt: new Date('2017-05-15T14:03:00Z'),
      })
    ).header;
    communicationId = await insertCommunication(db, incidentId);
    await insertSegment(db, 'enterprise', 'affected-enterprise');
  });
  afterAll(async () => {
    await app?.close();
    await deps?.close();
  });

  const get = (url: string) => app.inject({ method: 'GET', url, headers: auth });

  it('returns the html a contact would get, with x-candor headers', async () => {
    const res = await get(`/v1/communications/${communicationId}/preview?contact=ops@northwind.example`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toContain('Hello Nora Ops,');
    expect(res.headers['x-candor-subject']).toBe('Acme incident: Errors loading the help desk');
    expect(res.headers['x-candor-placeholder-message-id']).toBe('true');
    expect(res.headers['x-candor-in-reply-to']).toBe(`<${firstHeader}>`);
    expect(res.headers['x-candor-list-unsubscribe']).toMatch(/^<http:\/\/localhost:3000\/u\/con_/);
  });

  it('is byte for byte what the send path composes and puts in the MIME message', async () => {
    const res = await get(
      `/v1/communications/${communicationId}/preview?format=json&contact=it@globex.example`,
    );
    const body = res.json();
    expect(body.locale).toBe('de-AT');
    expect(body.headers.subject).toBe('Acme Störung: Errors loading the help desk');
    expect(body.html).toContain('Hallo Team von Globex &lt;Labs&gt; &amp; &quot;Co&quot;,');
    expect(body.text).toContain('Hallo Team von Globex <Labs> & "Co",');
    expect(body.headers.in_reply_to).toBeNull();
    const text = await get(
      `/v1/communications/${communicationId}/preview?format=text&contact=it@globex.example`,
    );
    expect(text.body).toBe(body.text);
    expect(text.headers['x-candor-subject']).toMatch(/^=\?UTF-8\?B\?/);

    const mime = await buildMime({
      messageId: 'm',
      from: body.headers.from,
      to: body.headers.to,
      replyTo: body.headers.reply_to,
      subject: body.headers.subject,
      html: body.html,
      text: body.text,
      headers: {},
      tags: [],
    });
    const parsed = await PostalMime.parse(mime);
    expect(parsed.html?.trimEnd()).toBe(body.html.trimEnd());
  });

  it('uses the segment’s variant and names the account manager', async () => {
    const res = await get(
      `/v1/communications/${communicationId}/preview?format=json&contact=ops@northwind.example&segment=enterprise`,
    );
    const body = res.json();
    expect(body.variant).toBe('affected-enterprise');
    expect(body.text).toContain('Sam Rivera, your account manager');
    expect(body.headers.references).toBe(`<${firstHeader}>`);
    expect(body.headers.message_id).toMatch(/^<preview\.com_[a-z0-9]+@acme\.example>$/);
    expect(body.placeholder_message_id).toBe(true);
  });

  it('uses the real Message-ID once a message row exists, and a representative recipient by default', async () => {
    const msg = await insertMessage(deps.database.db, {
      communicationId,
      contactId: northwind.contactIds[0]!,
      customerId: northwind.id,
      email: 'ops@northwind.example',
    });
    const res = await get(`/v1/communications/${communicationId}/preview?format=json`);
    const body = res.json();
    expect(body.contact.email).toBe('ops@northwind.example');
    expect(body.placeholder_message_id).toBe(false);
    expect(body.headers.message_id).toBe(`<${msg.header}>`);
  });

  it('answers 404 for unknown communications, contacts and segments, 401 without a key', async () => {
    expect((await get('/v1/communications/com_nope/preview')).statusCode).toBe(404);
    expect((await get(`/v1/communications/${communicationId}/preview?contact=x@y.example`)).statusCode).toBe(
      404,
    );
    expect((await get(`/v1/communications/${communicationId}/preview?segment=nope`)).statusCode).toBe(404);
    const anonymous = await app.inject({
      method: 'GET',
      url: `/v1/communications/${communicationId}/preview`,
    });
    expect(anonymous.statusCode).toBe(401);
  });

  it('lints the blaming apology and passes the good one', async () => {
    const db = deps.database.db;
    const apology = (body: string) =>
      insertCommunication(db, incidentId, {
        kind: 'apology',
        template: 'executive-apology',
        subject: 'About the outages',
        body,
        props: { body, sender: { name: 'Jordan Lee', title: 'CEO' }, companyName: 'Acme' },
      });
    const bad = await apology(
      "Our database vendor's bug caused a deadlock in the privileges table and a slow failover. This was outside our control.",
    );
    const good = await apology(
      'Over the past two weeks, our help desk stopped working for you sixteen times. That is not good enough, and I am sorry. The problem was ours to prevent, and we have changed how we recover.',
    );
    const badWarnings = (await get(`/v1/communications/${bad}/lint`)).json().warnings;
    const rules = badWarnings.map((w: { rule: string }) => w.rule);
    expect(rules).toContain('blame');
    expect(rules).toContain('jargon');
    expect(rules).toContain('no-apology');
    expect(badWarnings[0]).toMatchObject({ severity: 'warning', excerpt: expect.stringContaining('vendor') });
    expect((await get(`/v1/communications/${good}/lint`)).json()).toEqual({ warnings: [] });
    // The configured file added a term to the jargon list.
    const notice = await insertCommunication(db, incidentId, { body: 'The helpdesk had a deadlock.' });
    const jargon = (await get(`/v1/communications/${notice}/lint`)).json().warnings;
    const suggestions = jargon.map((w: { suggestion: string }) => w.suggestion).join('\n');
    expect(suggestions).toContain('say "help desk"');
    expect(suggestions).toContain('deadlock');
    expect((await get('/v1/communications/com_nope/lint')).statusCode).toBe(404);
  });

  it('threadOf lists earlier sent messages of the incident per contact, oldest first', async () => {
    const thread = await threadOf(deps.database.db, { incidentId, contactIds: northwind.contactIds });
    expect(thread.get(northwind.contactIds[0]!)).toEqual([firstHeader]);
  });
});
