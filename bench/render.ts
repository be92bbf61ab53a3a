import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { clearRenderCache, registry, renderCommunication, renderEmail } from '../src/rendering/render.js';

/**
 * Personalised messages per second: render-once + substitution (what the send worker does) against a
 * full React render per recipient, in the same run on the same recipients. Every result's length is
 * summed so the work cannot be optimised away.
 */
const here = path.dirname(fileURLToPath(import.meta.url));

function recipients(n: number) {
  return Array.from({ length: n }, (_, i) => ({
    customerName: `Customer ${i} & Sons <Ltd>`,
    contactName: i % 3 === 0 ? undefined : `Contact "${i}" O'Neil`,
    unsubscribeUrl: `https://candor.example/u/con_${i.toString(36).padStart(8, '0')}.sig${i}`,
  }));
}

async function measure(
  label: string,
  people: ReturnType<typeof recipients>,
  render: (p: (typeof people)[number]) => Promise<{ html: string; text: string }>,
) {
  let bytes = 0;
  const start = process.hrtime.bigint();
  for (const person of people) {
    const out = await render(person);
    bytes += out.html.length + out.text.length;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { label, messages: people.length, seconds, perSecond: people.length / seconds, bytes };
}

export async function run() {
  const template = 'incident-notice';
  const base = registry[template].previewProps;
  const options = { variant: 'affected-enterprise', locale: 'de' };
  // Warm both paths (JIT, module loading) before timing.
  for (const p of recipients(50)) {
    await renderEmail(template, { ...base, ...p }, options);
    await renderCommunication(template, { ...base, ...p }, options);
  }
  clearRenderCache();
  const full = await measure('full render per recipient', recipients(1_000), (p) =>
    renderEmail(template, { ...base, ...p }, options),
  );
  const once = await measure('render once + substitution', recipients(200_000), (p) =>
    renderCommunication(template, { ...base, ...p }, options),
  );
  const speedup = once.perSecond / full.perSecond;
  console.table(
    [full, once].map((r) => ({
      mode: r.label,
      messages: r.messages,
      seconds: r.seconds.toFixed(2),
      'messages/s': Math.round(r.perSecond).toLocaleString('en'),
    })),
  );
  console.log(`speed-up: ${speedup.toFixed(0)}× (target ≥ 100×, ≥ 50,000 messages/s)`);
  const result = {
    benchmark: 'render',
    at: new Date().toISOString(),
    node: process.version,
    template,
    ...options,
    full: { messages: full.messages, seconds: full.seconds, perSecond: full.perSecond },
    renderOnce: { messages: once.messages, seconds: once.seconds, perSecond: once.perSecond },
    speedup,
    meetsTarget: speedup >= 100 && once.perSecond >= 50_000,
  };
  await mkdir(path.join(here, 'results'), { recursive: true });
  await writeFile(path.join(here, 'results', 'render.json'), `${JSON.stringify(result, null, 2)}\n`);
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
