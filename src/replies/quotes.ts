import { convert } from 'html-to-text';

/**
 * What the person wrote, without the quoted message and signature. Written here rather than taken
 * from `email-reply-parser` (npm): without the native `re2` module that library's regexes took 200 s
 * on the corpus' long-quote body, and its "On …" rule swallowed a reply that merely began with "On".
 * The approach is GitHub's email_reply_parser's: lines are quoted (`>`), quote headers ("On … wrote:",
 * Outlook's "From: … Sent: …", "-----Original Message-----"), signatures, or text. Every rule looks
 * at one line of bounded length, so the cost is linear in the input.
 */

const MAX_LINE = 1_000;

// "On <date>, <name> wrote:" in the languages Candor's customers write; the verb may be followed by
// the sender (German Gmail: "Am … schrieb Max <max@x.de>:").
const QUOTE_HEADER =
  /^\s*(?:On|Am|Le|El|Il|Op|Em|Den|Dne|På|W dniu)\s.{0,400}?\b(?:wrote|schrieb|a écrit|escribió|ha scritto|schreef|escreveu|skrev|napsal|napisał).{0,200}:\s*$/i;
const QUOTE_HEADER_START = /^\s*(?:On|Am|Le|El|Il|Op|Em|Den|Dne|På|W dniu)\s/i;

const ORIGINAL_MESSAGE =
  /^\s*-{2,}\s*(?:Original Message|Ursprüngliche Nachricht|Originalnachricht|Message d'origine|Mensaje original|Messaggio originale|Oorspronkelijk bericht|Forwarded message|Weitergeleitete Nachricht|Message transféré)\s*-{2,}\s*$|^\s*(?:Begin forwarded message|Anfang der weitergeleiteten Nachricht|Début du message réexpédié)\s*:\s*$/i;

// Outlook puts the quoted message under a block of "From: / Sent: / To: / Subject:" lines.
const FROM_LINE = /^\s*\*?(?:From|Von|De|Da|Van|Från)\s*\*?\s*:/i;
const SENT_LINE = /^\s*\*?(?:Sent|Date|Gesendet|Datum|Envoyé|Enviado|Inviato|Verzonden|Skickat)\s*\*?\s*:/i;
const SEPARATOR = /^\s*(?:_{7,}|-{7,})\s*$/;

const SIGNATURE = [
  /^-- ?$/,
  /^_{2,}\s*$/,
  /^-\w/,
  /^Sent from my (?:[\w-]+\s*){1,3}$/i,
  /^(?:Sent|Get) (?:from|for) (?:Outlook|Mail|Yahoo Mail|Samsung)\b.{0,60}$/i,
  /^Get Outlook for (?:iOS|Android)\b.{0,60}$/i,
  /^(?:Von meinem|Gesendet von meinem|Gesendet mit der|Envoyé de mon|Enviado desde mi|Inviato da) .{1,60}$/i,
];

function isSignatureStart(line: string): boolean {
  const trimmed = line.trimEnd();
  return SIGNATURE.some((rule) => rule.test(trimmed));
}

/** Joins "On …\n<addr>\nwrote:" headers that mail clients wrap over up to three lines. */
function joinWrappedHeaders(lines: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    let joined = 0;
    if (QUOTE_HEADER_START.test(line) && !QUOTE_HEADER.test(line)) {
      for (let span = 1; span <= 2 && i + span < lines.length; span++) {
        const next = lines[i + span]!;
        if (next.trim() === '' || next.startsWith('>')) break;
        if (QUOTE_HEADER.test(lines.slice(i, i + span + 1).join(' '))) {
          joined = span;
          break;
        }
      }
    }
    out.push(joined ? lines.slice(i, i + joined + 1).join(' ') : line);
    i += joined;
  }
  return out;
}

/** Index of the first line of an Outlook header block (with its separator above), or -1. */
function outlookBlock(lines: string[], at: number): number {
  if (!FROM_LINE.test(lines[at]!)) return -1;
  for (let k = at + 1; k <= at + 5 && k < lines.length; k++) {
    if (SENT_LINE.test(lines[k]!)) {
      let start = at;
      while (start > 0 && (lines[start - 1]!.trim() === '' || SEPARATOR.test(lines[start - 1]!))) start--;
      return start;
    }
  }
  return -1;
}

/** The reply without quotes and signature; text the person wrote between quotes is kept. */
export function stripQuotedText(input: string, maxLines = 20_000): string {
  // Long lines are cut one by one, so a 700 kB line of ">" does not push the person's next line out.
  const lines = joinWrappedHeaders(
    input.split(/\r\n?|\n/, maxLines).map((l) => (l.length > MAX_LINE ? l.slice(0, MAX_LINE) : l)),
  );
  // Outlook and "Original Message" quotes are not marked with ">": everything below them is quote.
  let end = lines.length;
  for (let i = 0; i < lines.length; i++) {
    const block = ORIGINAL_MESSAGE.test(lines[i]!) ? i : outlookBlock(lines, i);
    if (block !== -1) {
      end = block;
      break;
    }
  }
  const kept: string[] = [];
  let inSignature = false;
  for (let i = 0; i < end; i++) {
    const line = lines[i]!;
    if (line.trimStart().startsWith('>') || QUOTE_HEADER.test(line)) {
      inSignature = false;
      continue;
    }
    if (inSignature) continue;
    if (isSignatureStart(line)) {
      inSignature = true;
      continue;
    }
    kept.push(line.trimEnd());
  }
  return kept
    .join('\n')
    .replace(/^\s*\n/, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/**
 * Quote blocks of the common clients, removed before the HTML is turned into text: Gmail
 * (`div.gmail_quote`), Apple Mail and Thunderbird (`blockquote[type=cite]`, `div.moz-cite-prefix`),
 * Yahoo (`div.yahoo_quoted`) and signature blocks. Outlook quotes are not wrapped in an element,
 * so its markers cut the document instead (see `cutOutlookQuote`).
 */
const QUOTE_SELECTORS = [
  'div.gmail_quote',
  'div.gmail_signature',
  'blockquote[type=cite]',
  'div.moz-cite-prefix',
  'div.moz-signature',
  'div.yahoo_quoted',
  'blockquote.gmail_quote',
];

const OUTLOOK_MARKERS = [
  /<div[^>]{0,200}\bid=["']?appendonsend/i,
  /<div[^>]{0,200}\bid=["']?divRplyFwdMsg/i,
  /<hr[^>]{0,200}\bid=["']?stopSpelling/i,
  /<div[^>]{0,200}\bclass=["']?OutlookMessageHeader/i,
  /<div[^>]{0,80}style=["'][^"'>]{0,80}border-top:\s*solid\s+#(?:E1E1E1|B5C4DF)/i,
];

/** Cuts an HTML body at the first Outlook reply/forward marker: everything after it is the quote. */
export function cutOutlookQuote(html: string): string {
  let cut = html.length;
  for (const marker of OUTLOOK_MARKERS) {
    const at = html.search(marker);
    if (at !== -1 && at < cut) cut = at;
  }
  return html.slice(0, cut);
}

/** Plain text of an HTML reply with the quoted message removed. */
export function htmlToReplyText(html: string, maxChars = 1_000_000): string {
  return convert(cutOutlookQuote(html.slice(0, maxChars)), {
    wordwrap: false,
    limits: { maxInputLength: maxChars, maxDepth: 64, maxChildNodes: 2_000, ellipsis: '…' },
    selectors: [
      ...QUOTE_SELECTORS.map((selector) => ({ selector, format: 'skip' })),
      { selector: 'a', options: { ignoreHref: true } },
      { selector: 'img', format: 'skip' },
      { selector: 'style', format: 'skip' },
      { selector: 'head', format: 'skip' },
    ],
  });
}
