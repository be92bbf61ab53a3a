import { describe, expect, it } from 'vitest';
import { providerTemplateOf, variableName } from '../../src/rendering/provider-template.js';
import { clearRenderCache, registry, renderCommunication } from '../../src/rendering/render.js';

const notice = registry['incident-notice'].previewProps;

describe('provider templates', () => {
  it('names the same body alike in every process, so a retry sends the same template', async () => {
    const first = await renderCommunication('incident-notice', notice, { variant: 'affected', locale: 'de' });
    clearRenderCache(); // a fresh render, with fresh random placeholders, as another process makes
    const second = await renderCommunication('incident-notice', notice, {
      variant: 'affected',
      locale: 'de',
    });
    expect(first.templated?.template).toBeDefined();
    expect(second.templated?.template).toEqual(first.templated?.template);
    expect(first.templated!.template.name).toMatch(/^Candor incident-notice affected de [0-9a-f]{8}$/);
    const english = await renderCommunication('incident-notice', notice, {
      variant: 'affected',
      locale: 'en',
    });
    expect(english.templated!.template.key).not.toBe(first.templated!.template.key);
  });

  it('keeps clear of the names Resend reserves and escapes only the HTML copy', () => {
    expect(variableName('unsubscribeUrl', false)).toBe('CANDOR_UNSUBSCRIBE_URL');
    expect(variableName('customerName', true)).toBe('CANDOR_CUSTOMER_NAME_HTML');
  });

  it('sends copy that a template language would misread as finished e-mails', () => {
    const text = { parts: ['Hi ', '.'], slots: [0] };
    const cases = [
      { parts: ['<p>{{x}} ', '</p>'], slots: [0] },
      { parts: ['<p>a}} ', '</p>'], slots: [0] },
      { parts: ['<p>{', '</p>'], slots: [0] },
      { parts: ['<p>', '}</p>'], slots: [0] },
    ];
    for (const html of cases) expect(providerTemplateOf('t', ['customerName'], html, text)).toBeUndefined();
    const plain = providerTemplateOf('t', ['customerName'], { parts: ['<p>{ ', ' }</p>'], slots: [0] }, text);
    expect(plain?.valuesOf(['A & B'], ['A &amp; B'])).toEqual({
      CANDOR_CUSTOMER_NAME_HTML: 'A &amp; B',
      CANDOR_CUSTOMER_NAME: 'A & B',
    });
    expect(plain?.template).toMatchObject({
      html: '<p>{ {{{CANDOR_CUSTOMER_NAME_HTML}}} }</p>',
      text: 'Hi {{{CANDOR_CUSTOMER_NAME}}}.',
      variables: ['CANDOR_CUSTOMER_NAME_HTML', 'CANDOR_CUSTOMER_NAME'],
    });
  });
});
