import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { segmentContactsPage } from '../../src/audience/segment-audience.js';
import { auditLog, contacts } from '../../src/db/schema.js';
import { unsubscribeToken } from '../../src/delivery/tokens.js';
import { pageLanguage } from '../../src/delivery/unsubscribe-routes.js';
import { useTestApp } from '../support/app.js';
import { drivers } from '../support/database.js';

describe.each(drivers)('unsubscribe (%s)', (driver) => {
  const t = useTestApp(driver, { seedAudience: true });

  const contact = async (email: string) =>
    (await t.deps.database.db.select().from(contacts).where(eq(contacts.email, email)))[0]!;
  const tokenFor = async (email: string) => unsubscribeToken(t.deps.signingSecret, (await contact(email)).id);

  it('shows a confirmation page on GET without unsubscribing', async () => {
    const token = await tokenFor('ops@northwind.example');
    const response = await t.app.inject({ method: 'GET', url: `/u/${token}` });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.headers['referrer-policy']).toBe('no-referrer');
    expect(response.body).toContain('ops@northwind.example');
    expect(response.body).toMatch(/<form method="post">/);
    expect(response.body).toContain('lang="en"');
    expect((await contact('ops@northwind.example')).unsubscribedAt).toBeNull();
  });

  it('speaks German when the browser prefers it', async () => {
    const token = await tokenFor('ops@northwind.example');
    const response = await t.app.inject({
      method: 'GET',
      url: `/u/${token}`,
      headers: { 'accept-language': 'de-DE,de;q=0.9,en;q=0.8' },
    });
    expect(response.body).toContain('lang="de"');
    expect(response.body).toContain('Abbestellen');
    expect(pageLanguage('en-US,de;q=0.5', 'de')).toBe('en');
    expect(pageLanguage(undefined, 'de-AT')).toBe('de');
    expect(pageLanguage('fr', 'de')).toBe('de');
  });

  it('unsubscribes on an RFC 8058 one-click POST, idempotently, and the fan-out skips the contact', async () => {
    const scope = { regions: ['us'], components: ['helpdesk', 'api'] };
    const audience = async () =>
      (await segmentContactsPage(t.deps.database.db, { scope, segmentKey: 'affected', limit: 100 })).map(
        (c) => c.email,
      );
    expect(await audience()).toContain('it@globex.example');
    const token = await tokenFor('it@globex.example');
    const oneClick = () =>
      t.app.inject({
        method: 'POST',
        url: `/u/${token}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'List-Unsubscribe=One-Click',
      });
    const first = await oneClick();
    expect(first.statusCode).toBe(200);
    expect(first.body).toContain('You are unsubscribed');
    const at = (await contact('it@globex.example')).unsubscribedAt;
    expect(at).toBeInstanceOf(Date);

    expect((await oneClick()).statusCode).toBe(200);
    expect((await contact('it@globex.example')).unsubscribedAt).toEqual(at);
    const audits = await t.deps.database.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.action, 'contact.unsubscribe'));
    expect(audits).toHaveLength(1);
    expect(audits[0]!.details).toMatchObject({ via: 'one-click' });
    expect(await audience()).not.toContain('it@globex.example');

    const page = await t.app.inject({ method: 'GET', url: `/u/${token}` });
    expect(page.body).toContain('You are unsubscribed');
  });

  it('accepts the confirmation form (and multipart one-click) as well', async () => {
    const token = await tokenFor('cto@northwind.example');
    const response = await t.app.inject({ method: 'POST', url: `/u/${token}` });
    expect(response.statusCode).toBe(200);
    expect((await contact('cto@northwind.example')).unsubscribedAt).toBeInstanceOf(Date);

    const multipart = await t.app.inject({
      method: 'POST',
      url: `/u/${await tokenFor('bill@initech.example')}`,
      headers: { 'content-type': 'multipart/form-data; boundary=x' },
      payload: '--x\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--x--\r\n',
    });
    expect(multipart.statusCode).toBe(200);
    expect((await contact('bill@initech.example')).unsubscribedAt).toBeInstanceOf(Date);
  });

  it('answers a tampered or foreign token with a 404 page and changes nothing', async () => {
    const token = await tokenFor('alice@umbrella.example');
    const tampered = `${token.slice(0, -1)}${token.endsWith('a') ? 'b' : 'a'}`;
    for (const bad of [tampered, 'not-a-token', `${(await contact('alice@umbrella.example')).id}.`]) {
      const get = await t.app.inject({ method: 'GET', url: `/u/${encodeURIComponent(bad)}` });
      expect(get.statusCode).toBe(404);
      expect(get.headers['content-type']).toMatch(/^text\/html/);
      const post = await t.app.inject({ method: 'POST', url: `/u/${encodeURIComponent(bad)}` });
      expect(post.statusCode).toBe(404);
    }
    // Signed with another key: a token from another Candor installation.
    const foreign = unsubscribeToken(Buffer.alloc(32, 7), (await contact('alice@umbrella.example')).id);
    expect((await t.app.inject({ method: 'POST', url: `/u/${foreign}` })).statusCode).toBe(404);
    expect((await contact('alice@umbrella.example')).unsubscribedAt).toBeNull();
  });

  it('escapes the address in the page', async () => {
    const { db } = t.deps.database;
    const base = await contact('alice@umbrella.example');
    await db
      .insert(contacts)
      .values({ id: 'con_xss', customerId: base.customerId, email: '<b>x</b>@umbrella.example' });
    const response = await t.app.inject({
      method: 'GET',
      url: `/u/${unsubscribeToken(t.deps.signingSecret, 'con_xss')}`,
    });
    expect(response.body).toContain('&lt;b&gt;x&lt;/b&gt;@umbrella.example');
    expect(response.body).not.toContain('<b>x</b>');
  });
});
