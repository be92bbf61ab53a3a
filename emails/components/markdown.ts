/**
 * Executive letters are Markdown written by staff. Before React Email's `Markdown` renders it, raw
 * HTML is neutralised (it would pass straight into the e-mail), images are reduced to their alt text
 * (no remote images: they track readers and break in clients that block them) and links other than
 * http(s) and mailto are reduced to their text.
 */
const safeHref = /^\s*<?(https?:|mailto:)/i;

export function sanitiseMarkdown(source: string): string {
  return (
    source
      .replace(/\r\n?/g, '\n')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      // ![alt](src) and ![alt][ref]
      .replace(/!\[([^\]]*)\]\([^)]*\)|!\[([^\]]*)\]\[[^\]]*\]/g, (_m, a, b) => a ?? b ?? '')
      .replace(/\[([^\]]*)\]\(([^)]*)\)/g, (m, text, href) => (safeHref.test(href) ? m : text))
      // Reference definitions: "[id]: javascript:…"
      .replace(/^ {0,3}\[[^\]]+\]:[ \t]*(\S+).*$/gm, (m, href) => (safeHref.test(href) ? m : ''))
  );
}

/**
 * The letter as plain text: Markdown already reads as text, so only the markup that gets in the way
 * goes — emphasis markers, heading hashes and link syntax (`text (url)`).
 */
export function markdownToText(source: string): string {
  return source
    .replace(/\r\n?/g, '\n')
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]*)\]\(\s*<?([^)\s>]*)>?[^)]*\)/g, (_m, text, href) =>
      safeHref.test(href) && text !== href ? `${text} (${href})` : text,
    )
    .replace(/^ {0,3}#{1,6}\s+/gm, '')
    .replace(/(\*\*|__)(?=\S)([\s\S]*?\S)\1/g, '$2')
    .replace(/(^|[^*\w])[*_](?=\S)([^*_\n]*?\S)[*_](?![*\w])/g, '$1$2')
    .replace(/`([^`]*)`/g, '$1')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
