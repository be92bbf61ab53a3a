import { render } from '@react-email/render';
import { describe, expect, it } from 'vitest';
import IncidentNoticeEmail, { type IncidentNoticeEmailProps } from '../../emails/incident-notice.js';
import {
  incidentNoticeSubject,
  prepareIncidentNotice,
  renderCommunication,
  renderIncidentNotice,
  TemplateError,
} from '../../src/rendering/render.js';

const preview = IncidentNoticeEmail.PreviewProps;

describe('incident notice', () => {
  it('renders the preview props (snapshot)', async () => {
    const out = await renderIncidentNotice(preview);
    expect(out.subject).toBe('Incident: Errors loading the help desk');
    expect(out.html).toMatchSnapshot('html');
    expect(out.text).toMatchSnapshot('text');
  });

  it('has a language, a preheader, an unsubscribe link and stays small', async () => {
    const { html } = await renderIncidentNotice(preview);
    expect(html).toMatch(/<html[^>]* lang="en"/);
    expect(html).toMatch(/<div[^>]*display:none[^>]*>Investigating: Some customers in the US see errors/);
    expect(html).toContain(`href="${preview.unsubscribeUrl}"`);
    expect(html).toContain(preview.reason);
    expect(Buffer.byteLength(html)).toBeLessThan(100 * 1024);
    expect(html).not.toMatch(/<img/);
  });

  it('writes a plain-text part that reads on its own', async () => {
    const { text } = await renderIncidentNotice(preview);
    expect(text).toContain('Some customers in the US see errors when they open the help desk.');
    expect(text).toContain('We are working on it now and will send the next update within 30 minutes.');
    expect(text).toContain('Status: Investigating. We know something is wrong');
    expect(text).toContain('Started: 15 May 2017, 14:00 UTC');
    expect(text).toContain(`\n${preview.unsubscribeUrl}\n`);
    expect(text).not.toMatch(/<\/?[a-z][^>]*>/i);
    expect(text).not.toMatch(/&[a-z]+;/);
  });

  it('gives the same bytes as rendering the React component directly', async () => {
    const direct = await render(<IncidentNoticeEmail {...preview} />);
    expect((await renderIncidentNotice(preview)).html).toBe(direct);
  });

  it('escapes recipient values in the HTML but keeps them literal in the text', async () => {
    const props = {
      ...preview,
      contactName: '<b>Dana & "Co"</b>',
      unsubscribeUrl: 'https://x.example/u/a?b=1&c=2',
    };
    const { html, text } = await renderIncidentNotice(props);
    expect(html).toContain('Hello &lt;b&gt;Dana &amp; &quot;Co&quot;&lt;/b&gt;,');
    expect(html).not.toContain('<b>Dana');
    expect(html).toContain('href="https://x.example/u/a?b=1&amp;c=2"');
    expect(text).toContain('Hello <b>Dana & "Co"</b>,');
    expect(await render(<IncidentNoticeEmail {...props} />)).toBe(html);
  });

  it('greets the customer team when there is no contact name', async () => {
    const { contactName: _, ...props } = preview;
    const { html, text } = await renderIncidentNotice(props);
    expect(html).toContain('Hello Globex team,');
    expect(text).toContain('Hello Globex team,');
  });

  it('renders once and personalises many recipients by substitution', async () => {
    const { customerName: _c, contactName: _n, unsubscribeUrl: _u, reason: _r, ...shared } = preview;
    const prepared = await prepareIncidentNotice(shared);
    const a = prepared.personalise({
      customerName: 'A Corp',
      unsubscribeUrl: 'https://u.example/a',
      reason: 'Reason A.',
    });
    const b = prepared.personalise({
      customerName: 'B Corp',
      contactName: 'Bea',
      unsubscribeUrl: 'https://u.example/b',
      reason: 'Reason B.',
    });
    expect(a.html).toContain('Hello A Corp team,');
    expect(b.html).toContain('Hello Bea,');
    expect(a.html).toContain('https://u.example/a');
    expect(a.html).not.toContain('https://u.example/b');
    expect(b.text).toContain('Reason B.');
    expect(a.html).not.toMatch(/cdx[0-9a-f]{16}/);
  });

  it('keeps the subject stable across status changes and puts the status in the preheader', async () => {
    const resolved: IncidentNoticeEmailProps = { ...preview, status: 'resolved', message: 'All fixed.' };
    const out = await renderIncidentNotice(resolved);
    expect(out.subject).toBe((await renderIncidentNotice(preview)).subject);
    expect(out.html).toMatch(/display:none[^>]*>Resolved: All fixed\./);
    expect(out.text).toContain('We are sorry for the trouble.');
    expect(incidentNoticeSubject('  Errors\r\nloading ')).toBe('Incident: Errors loading');
  });
});

describe('renderCommunication', () => {
  const stored = {
    title: 'Errors loading the help desk',
    status: 'identified',
    severity: 'major',
    message: 'We found it.',
    components: ['Help desk'],
    regions: ['us'],
    startedAt: '2017-05-15T14:00:00.000Z',
    companyName: 'Acme',
  };
  const recipient = { customerName: 'Globex', contactName: 'Dana', unsubscribeUrl: 'https://c.example/u/t' };

  it('renders stored props with the version subject and a default reason', async () => {
    const out = await renderCommunication('incident-notice', {
      ...stored,
      ...recipient,
      subject: 'Acme incident: X',
    });
    expect(out.subject).toBe('Acme incident: X');
    expect(out.text).toContain('Status: Cause found.');
    expect(out.text).toContain('You get this because you are listed as a contact for Globex at Acme.');
  });

  it('lets a staff edit (body) win over the event message', async () => {
    const out = await renderCommunication('incident-notice', {
      ...stored,
      ...recipient,
      body: 'Edited copy.',
    });
    expect(out.text).toContain('Edited copy.');
    expect(out.text).not.toContain('We found it.');
  });

  it('shows a postmortem as resolved', async () => {
    const out = await renderCommunication('incident-notice', {
      ...stored,
      ...recipient,
      status: 'postmortem',
    });
    expect(out.text).toContain('Status: Resolved.');
  });

  it('rejects unknown templates and invalid props with TemplateError', async () => {
    await expect(renderCommunication('nope', { ...stored, ...recipient })).rejects.toBeInstanceOf(
      TemplateError,
    );
    await expect(
      renderCommunication('incident-notice', { ...stored, ...recipient, status: 'on-fire' }),
    ).rejects.toThrow(/status/);
    await expect(renderCommunication('incident-notice', stored)).rejects.toThrow(/customerName/);
  });
});
