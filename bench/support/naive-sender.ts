import { Resend } from 'resend';
import { registry, renderEmail } from '../../src/rendering/render.js';

/** What the naive sender achieved; `delivered` is counted by the fake, not trusted from the loop. */
export interface NaiveResult {
  recipients: number;
  seconds: number;
  emailsPerSecond: number;
  failed: number;
}

/**
 * The baseline Candor's send path is measured against: what a first version without the design would do
 * — a full React Email render for every recipient and one `emails.send` request per recipient, one after
 * another. Same template, variant and fake provider as the Candor run, so the ratio isolates the design
 * (render once + substitution, batches of 100, concurrent paced jobs).
 */
export async function naiveSend(baseUrl: string, recipients: number): Promise<NaiveResult> {
  const resend = new Resend('re_test_key', { baseUrl });
  const template = 'incident-notice';
  const base = registry[template].previewProps;
  const options = { variant: 'affected' };
  const person = (i: number) => ({
    customerName: `Customer ${i}`,
    contactName: `User ${i}`,
    unsubscribeUrl: `https://candor.example/u/naive_${i}`,
  });
  // Warm the renderer and the HTTP client so the clock measures steady state, as Candor's run does.
  for (let i = 0; i < 20; i++) await renderEmail(template, { ...base, ...person(-i) }, options);
  let failed = 0;
  const started = performance.now();
  for (let i = 0; i < recipients; i++) {
    const email = await renderEmail(template, { ...base, ...person(i) }, options);
    const { error } = await resend.emails.send({
      from: 'Acme Status <status@acme.example>',
      to: [`naive${i}@c${i}.example`],
      subject: email.subject ?? 'Errors loading the help desk',
      html: email.html,
      text: email.text,
    });
    if (error) failed++;
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    recipients,
    seconds: Math.round(seconds * 100) / 100,
    emailsPerSecond: Math.round(recipients / seconds),
    failed,
  };
}
