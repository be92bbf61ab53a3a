import { spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildMime } from '../src/delivery/transports/mime.js';
import { registry, renderCommunication, templateNames } from '../src/rendering/render.js';

/**
 * Runs every template × locale (enterprise variant, the longest copy) through SpamAssassin with
 * local tests only (`-L`: no DNS blocklists, no network) and prints the scores. Needs the Debian
 * package `spamassassin`. Usage: `npx tsx scripts/spam-score.ts [--show]` (`--show` prints rule hits).
 */
const here = path.dirname(fileURLToPath(import.meta.url));
const show = process.argv.includes('--show');
const results: { template: string; locale: string; score: number; rules: string }[] = [];

for (const name of templateNames) {
  for (const locale of ['en', 'de']) {
    const def = registry[name];
    const variant = def.variants.includes('affected-enterprise') ? 'affected-enterprise' : 'affected';
    const out = await renderCommunication(name, { ...def.previewProps, accountManager: 'Sam Rivera' }, { variant, locale });
    const messageId = `<msg_01example${name.replace(/-/g, '')}@acme.example>`;
    const mime = await buildMime(
      {
        messageId,
        from: name === 'executive-apology' ? '"Jordan Lee" <jordan@acme.example>' : '"Acme Status" <status@acme.example>',
        to: 'dana@globex.example',
        replyTo: '"Acme Status" <reply+abcdefghijklmnopqrstuvwxyz234567@replies.acme.example>',
        subject: out.subject,
        html: out.html,
        text: out.text,
        headers: {
          'Message-ID': messageId,
          'List-Unsubscribe': '<https://candor.acme.example/u/con_01example.sig>, <mailto:unsubscribe+abc@replies.acme.example>',
          'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
        },
        tags: [],
      },
      new Date(),
    );
    const run = spawnSync('spamassassin', ['-L', '-t'], { input: mime, encoding: 'utf8', maxBuffer: 16 << 20 });
    if (run.error) throw run.error;
    const status = run.stdout.match(/^X-Spam-Status: .*?score=(-?[\d.]+)[\s\S]*?tests=([\s\S]*?)autolearn/m);
    const score = Number(status?.[1] ?? Number.NaN);
    const rules = (status?.[2] ?? '').replace(/\s+/g, '').replace(/,$/, '');
    results.push({ template: name, locale, score, rules });
    if (show) console.log(run.stdout.slice(run.stdout.indexOf('Content analysis details')).split('\n\n')[0]);
  }
}
console.table(results);
const worst = Math.max(...results.map((r) => r.score));
console.log(`worst score: ${worst} (target < 2.0)`);
await mkdir(path.join(here, '..', 'bench', 'results'), { recursive: true });
await writeFile(
  path.join(here, '..', 'bench', 'results', 'spamassassin.json'),
  `${JSON.stringify({ at: new Date().toISOString(), results, worst }, null, 2)}\n`,
);
process.exitCode = worst < 2 ? 0 : 1;
