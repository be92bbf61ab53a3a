import { describe, expect, it } from 'vitest';
import { variants } from '../../emails/components/wording.js';
import { resolveLocale } from '../../emails/i18n/index.js';
import { registry, renderCommunication, resolveVariant, templateNames } from '../../src/rendering/render.js';

const locales = ['en', 'de'] as const;
const cases = templateNames.flatMap((name) =>
  registry[name].variants.flatMap((variant) => locales.map((locale) => [name, variant, locale] as const)),
);

describe.each(cases)('%s / %s / %s', (name, variant, locale) => {
  const props = { ...registry[name].previewProps, accountManager: 'Sam Rivera' };

  it('renders (snapshot) and meets the quality bar', async () => {
    const out = await renderCommunication(name, props, { variant, locale });
    expect(out.subject).toMatchSnapshot('subject');
    expect(out.html).toMatchSnapshot('html');
    expect(out.text).toMatchSnapshot('text');

    expect(out.html).toMatch(new RegExp(`<html[^>]* lang="${locale}"`));
    expect(out.html).toMatch(/<div[^>]*display:none[^>]*>[^<]{10,}/); // preheader
    expect(out.html).toContain('prefers-color-scheme: dark');
    expect(out.html).not.toMatch(/<img/i);
    expect(Buffer.byteLength(out.html)).toBeLessThan(100 * 1024);
    // ASCII markup (see asciiHtml), and no character reference where it would stay literal. Outlook's
    // conditional comments are markup to Outlook; React Email's button writes references there itself.
    expect(out.html).toMatch(/^[\0-\x7f]*$/);
    for (const raw of out.html.match(/<style[^>]*>[^<]*<\/style>|<!--(?!\[if )[\s\S]*?-->/g) ?? [])
      expect(raw).not.toContain('&#');
    // A written text part: no markup, no entities, and every paragraph of the HTML's footer reason.
    expect(out.text).not.toMatch(/<\/?[a-z][^>]*>/i);
    expect(out.text).not.toMatch(/&[a-z]+;|&#/);
    expect(out.text).toContain('\n-- \n');
    if (registry[name].recipientFields.length > 0) {
      expect(out.html).toContain('href="https://candor.acme.example/u/ct_01example.signature"');
      expect(out.text).toContain('\nhttps://candor.acme.example/u/ct_01example.signature\n');
    }
  });
});

describe('variants', () => {
  const notice = registry['incident-notice'].previewProps;

  it('names the account manager and the SLA consequence for enterprise accounts', async () => {
    const out = await renderCommunication(
      'incident-notice',
      { ...notice, accountManager: 'Sam Rivera' },
      { variant: 'affected-enterprise' },
    );
    expect(out.text).toContain('Sam Rivera, your account manager, will get in touch');
    expect(out.text).toContain('counts as downtime under your service agreement');
    const team = await renderCommunication('incident-notice', notice, { variant: 'affected-enterprise' });
    expect(team.text).toContain('Your account team will get in touch');
  });

  it('keeps the affected variant concise and makes unaffected an FYI', async () => {
    const affected = await renderCommunication('incident-notice', notice, { variant: 'affected' });
    expect(affected.text).not.toMatch(/service agreement|account manager/);
    const fyi = await renderCommunication('incident-notice', notice, { variant: 'unaffected' });
    expect(fyi.text).toContain('For your information: as far as we can tell, Globex is not affected.');
  });

  it('leaves the SLA out of planned maintenance', async () => {
    const out = await renderCommunication('maintenance', registry.maintenance.previewProps, {
      variant: 'affected-enterprise',
    });
    expect(out.text).not.toContain('counts as downtime');
  });

  it.each([
    ['affected-enterprise', 'affected-enterprise'],
    ['incident-notice:unaffected', 'unaffected'],
    ['incident-notice/affected-enterprise', 'affected-enterprise'],
    ['something-else', 'affected'],
    [null, 'affected'],
  ])('resolves segment template %j to %s', (input, expected) => {
    expect(resolveVariant(input)).toBe(expected);
    expect(variants).toContain(expected);
  });
});

describe('languages', () => {
  it.each([
    ['de', 'de'],
    ['de-DE', 'de'],
    ['de-AT', 'de'],
    ['DE_ch', 'de'],
    ['fr-FR', 'en'],
    [null, 'en'],
    ['', 'en'],
  ])('reads %j as %s', (tag, expected) => {
    expect(resolveLocale(tag)).toBe(expected);
  });

  it('writes German copy from the German catalogue', async () => {
    const out = await renderCommunication('incident-resolved', registry['incident-resolved'].previewProps, {
      locale: 'de-DE',
    });
    expect(out.text).toContain('Hallo Dana,');
    expect(out.text).toContain('Es dauerte 7 Minuten, von 15. Mai 2017, 14:00 Uhr UTC bis');
    expect(out.text).toContain('Keine Störungsmeldungen mehr erhalten');
  });
});

describe('incident-resolved', () => {
  it('says it was brief when the notice was folded into the resolution', async () => {
    const out = await renderCommunication('incident-resolved', {
      ...registry['incident-resolved'].previewProps,
      brief: true,
    });
    expect(out.text).toContain(
      'It was brief: it lasted 7 minutes and was fixed before we could send a first notice',
    );
  });
});

describe('executive-apology', () => {
  const letter = registry['executive-apology'].previewProps;

  it('is a plain letter with the executive’s name, title and signature', async () => {
    const out = await renderCommunication('executive-apology', letter, { variant: 'affected-enterprise' });
    expect(out.html).not.toContain('class="cd-card"');
    expect(out.html).not.toContain('service agreement');
    expect(out.text).toContain('With apologies,\nJordan Lee\nCEO, Acme');
    expect(out.html).toMatch(/<li[^>]*>Recovery now takes seconds/);
  });

  it('neutralises raw HTML, remote images and script links in the Markdown', async () => {
    const out = await renderCommunication('executive-apology', {
      ...letter,
      body: 'Hi <script>alert(1)</script> ![pixel](https://t.example/p.gif) [click](javascript:alert(1)) [ok](https://ok.example)',
    });
    expect(out.html).not.toMatch(/<script|<img|javascript:/i);
    expect(out.html).toContain('&lt;script&gt;');
    expect(out.html).toContain('href="https://ok.example"');
  });
});
