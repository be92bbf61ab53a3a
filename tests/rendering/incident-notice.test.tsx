import { render } from '@react-email/render';
import { describe, expect, it } from 'vitest';
import IncidentNoticeEmail from '../../emails/incident-notice.js';
import { asciiHtml, renderCommunication, renderEmail, TemplateError } from '../../src/rendering/render.js';

const preview = IncidentNoticeEmail.PreviewProps;

describe('incident notice', () => {
  it('gives the same markup as rendering the React component directly, in ASCII', async () => {
    const direct = await render(<IncidentNoticeEmail {...preview} lang="en" variant="affected" />);
    const { html } = await renderCommunication('incident-notice', preview);
    expect(html).toBe(asciiHtml(direct));
    // The preheader's no-break and zero-width padding is what made the direct render non-ASCII.
    expect(direct).toMatch(/[^\0-\x7f]/);
    expect(html).toContain('&#160;&#8204;&#8203;');
  });

  it('writes non-ASCII recipient values as character references in the HTML, raw in the text', async () => {
    const props = { ...preview, contactName: 'Zoë 🚀 Ünïcode \ud800' };
    const { html, text } = await renderCommunication('incident-notice', props);
    expect(html).toContain('Hello Zo&#235; &#128640; &#220;n&#239;code &#65533;,');
    expect(html).toMatch(/^[\0-\x7f]*$/);
    expect(text).toContain('Hello Zoë 🚀 Ünïcode ');
    expect((await renderEmail('incident-notice', props)).html).toBe(html);
  });

  it('escapes recipient values in the HTML but keeps them literal in the text', async () => {
    const props = {
      ...preview,
      contactName: `<b>Dana & "Co" O'Neil</b>`,
      unsubscribeUrl: 'https://x.example/u/a?b=1&c=2',
    };
    const { html, text } = await renderCommunication('incident-notice', props);
    expect(html).toContain('Hello &lt;b&gt;Dana &amp; &quot;Co&quot; O&#x27;Neil&lt;/b&gt;,');
    expect(html).not.toContain('<b>Dana');
    expect(html).toContain('href="https://x.example/u/a?b=1&amp;c=2"');
    expect(text).toContain(`Hello <b>Dana & "Co" O'Neil</b>,`);
    expect((await renderEmail('incident-notice', props)).html).toBe(html);
  });

  it('greets the customer team when there is no contact name', async () => {
    const { contactName: _, ...props } = preview;
    const { html, text } = await renderCommunication('incident-notice', props);
    expect(html).toContain('Hello Globex team,');
    expect(text).toContain('Hello Globex team,');
  });

  it('renders once and personalises many recipients by substitution', async () => {
    const a = await renderCommunication('incident-notice', {
      ...preview,
      contactName: undefined,
      customerName: 'A Corp',
      unsubscribeUrl: 'https://u.example/a',
      reason: 'Reason A.',
    });
    const b = await renderCommunication('incident-notice', {
      ...preview,
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
    expect(a.html + b.text).not.toMatch(/cdx[0-9a-f]{16}/);
  });

  it('keeps the subject stable across status changes and puts the status in the preheader', async () => {
    const first = await renderCommunication('incident-notice', preview);
    const resolved = await renderCommunication('incident-notice', {
      ...preview,
      status: 'resolved',
      message: 'All fixed.',
    });
    expect(resolved.subject).toBe(first.subject);
    expect(first.subject).toBe('Acme incident: Errors loading the help desk');
    expect(resolved.html).toMatch(/display:none[^>]*>Resolved: All fixed\./);
    expect(resolved.text).toContain('We are sorry for the trouble.');
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

  it('renders stored props with the version subject and the variant’s default reason', async () => {
    const out = await renderCommunication('incident-notice', {
      ...stored,
      ...recipient,
      subject: 'Acme incident: X',
    });
    expect(out.subject).toBe('Acme incident: X');
    expect(out.text).toContain('Cause found. We found the cause');
    expect(out.text).toContain('You get this because you are a contact for Globex, and Globex uses');
  });

  it('uses the catalogue subject for readers of another language', async () => {
    const out = await renderCommunication(
      'incident-notice',
      { ...stored, ...recipient, subject: 'Acme incident: X' },
      { locale: 'de-AT' },
    );
    expect(out.subject).toBe('Acme Störung: Errors loading the help desk');
    expect(out.html).toMatch(/<html[^>]* lang="de"/);
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

  it('shows a postmortem status as resolved', async () => {
    const out = await renderCommunication('incident-notice', {
      ...stored,
      ...recipient,
      status: 'postmortem',
    });
    expect(out.text).toContain('Resolved. This is fixed.');
  });

  it('rejects unknown templates and invalid props with TemplateError', async () => {
    await expect(renderCommunication('nope', { ...stored, ...recipient })).rejects.toBeInstanceOf(
      TemplateError,
    );
    await expect(
      renderCommunication('incident-notice', { ...stored, ...recipient, status: 'on-fire' }),
    ).rejects.toThrow(/status/);
    await expect(renderCommunication('incident-notice', stored)).rejects.toThrow(/customerName/);
    await expect(
      renderCommunication('incident-notice', {
        ...stored,
        ...recipient,
        unsubscribeUrl: 'javascript:alert(1)',
      }),
    ).rejects.toThrow(/unsubscribeUrl/);
  });
});
