import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  registry,
  renderCommunication,
  renderEmail,
  templateNames,
  versionRenderer,
} from '../../src/rendering/render.js';

/** Names people and companies really have, plus the characters that break naive substitution. */
const tricky = fc.constantFrom(
  '<script>alert(1)</script>',
  'Smith & "Sons"',
  "O'Brien",
  'شركة الأمل', // RTL
  'עברית בע"מ',
  'Zoë 🚀 Ünïcode 👩‍👩‍👧',
  '&amp; already escaped',
  '\u202eRLO override',
  'cdx0123456789abcdef0x', // looks like a placeholder
  '$& $1 $$', // replacement patterns
  'a'.repeat(5000),
);
const name = fc.oneof(
  tricky,
  fc.string({ minLength: 1, maxLength: 80 }),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }),
);
const token = fc.string({ unit: 'binary', maxLength: 40 });

const recipient = fc.record(
  {
    customerName: name,
    contactName: name,
    reason: name,
    accountManager: name,
    unsubscribeUrl: token.map((t) => `https://candor.example/u/${encodeURIComponent(t)}?x=${t.length}&y='"`),
  },
  { requiredKeys: ['customerName', 'unsubscribeUrl'] },
);

const customerTemplates = templateNames.filter((n) => registry[n].recipientFields.length > 0);

describe('render once, personalise by substitution', () => {
  it('is byte-identical to a full per-recipient render', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...customerTemplates),
        fc.constantFrom('affected', 'affected-enterprise', 'unaffected'),
        fc.constantFrom('en', 'de-AT'),
        recipient,
        async (template, variant, locale, r) => {
          const props = { ...registry[template].previewProps, ...r };
          if (!('contactName' in r)) delete props.contactName;
          let full: Awaited<ReturnType<typeof renderEmail>>;
          try {
            full = await renderEmail(template, props, { variant, locale });
          } catch {
            // Names that are empty after cleaning are rejected by both paths alike.
            await expect(renderCommunication(template, props, { variant, locale })).rejects.toThrow();
            return;
          }
          const fast = await renderCommunication(template, props, { variant, locale });
          expect(fast.subject).toBe(full.subject);
          expect(fast.text).toBe(full.text);
          expect(fast.html).toBe(full.html);
          // What Resend sends for the same recipient: the template's variables replaced by the values.
          if (fast.templated) {
            const { template, variables } = fast.templated;
            const fill = (source: string) =>
              source.replace(/\{\{\{(\w+)\}\}\}/g, (_, key: string) => variables[key] ?? 'MISSING');
            expect(fill(template.html)).toBe(full.html);
            expect(fill(template.text)).toBe(full.text);
            expect(Object.keys(variables).sort()).toEqual([...template.variables].sort());
          }
          // The send path's renderer: one per version, recipient fields given per call (an explicit
          // undefined removes the preview's contact name, as the deletion above does).
          const perVersion = versionRenderer(template, registry[template].previewProps);
          expect(await perVersion({ contactName: undefined, ...r }, { variant, locale })).toEqual(fast);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('can fail: a naive substitution without escaping differs from the full render', async () => {
    const props = { ...registry['incident-notice'].previewProps, contactName: 'A & B' };
    const full = await renderEmail('incident-notice', props);
    expect(full.html).toContain('Hello A &amp; B,');
    expect(full.html.replace('Hello A &amp; B,', 'Hello A & B,')).not.toBe(full.html);
  });
});
