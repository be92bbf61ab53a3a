import type { Block, EmailDoc } from './document.js';
import { markdownToText } from './markdown.js';

function blockText(block: Block): string[] {
  switch (block.kind) {
    case 'p':
    case 'quote':
      return block.kind === 'quote' ? block.text.split('\n').map((line) => `> ${line}`) : [block.text];
    case 'h':
      return [block.text, '-'.repeat(Math.min(block.text.length, 60))];
    case 'status':
      return [`${block.label}. ${block.explanation}`];
    case 'details':
      return block.rows.map(([label, value]) => `${label}: ${value}`);
    case 'list':
      return block.items.map((item) => `- ${item}`);
    case 'link':
    case 'button':
      // The URL on a line of its own: punctuation glued to a bare URL breaks it in some clients.
      return [`${block.label.replace(/:$/, '')}:`, block.url];
    case 'markdown':
      return [markdownToText(block.source)];
    case 'rule':
      return [];
  }
}

/**
 * The text/plain part, written from the same document as the HTML. Lines are not hard-wrapped:
 * quoted-printable keeps them within the SMTP limit and mobile clients reflow unwrapped text better.
 */
export function documentText(doc: EmailDoc): string {
  const out: string[] = [];
  const push = (lines: string[]) => {
    if (lines.length > 0) out.push(...lines, '');
  };
  push([doc.eyebrow, doc.title].filter((line): line is string => Boolean(line)));
  for (const block of doc.blocks) push(blockText(block));
  push(doc.closing);
  // "-- " (with the space) is the signature separator clients recognise and fold away in replies.
  out.push('-- ', doc.footer.reason);
  if (doc.footer.note) out.push(doc.footer.note);
  if (doc.footer.unsubscribe) out.push('', `${doc.footer.unsubscribe.label}:`, doc.footer.unsubscribe.url);
  out.push('');
  return out.join('\n');
}
