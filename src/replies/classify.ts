/**
 * The reply categories and the rules that pick one — a documented, deterministic rule set rather than
 * a model, so staff can see why a reply landed where it did and tests pin the behaviour.
 *
 * Each rule is a regular expression over the reply text (subject included) with a weight; a category
 * scores the sum of the weights of its rules that match (each rule counts once). The category with
 * the highest score of at least `MIN_SCORE` wins; ties go to the earlier category in `categories`
 * (an unsubscribe request or a complaint must never hide behind a "thanks"). No score → `other`.
 *
 * | category | signals (English / German) |
 * | --- | --- |
 * | unsubscribe_request | unsubscribe, remove me, stop sending, opt out / abmelden, austragen, keine E-Mails mehr |
 * | complaint | unacceptable, disappointed, again, refund, SLA, cancel / inakzeptabel, enttäuscht, schon wieder, Erstattung, kündigen |
 * | question | a question mark, when/how/why/what/can you / wann, wie, warum, können Sie, gibt es |
 * | thanks | thank you, thanks, appreciate / danke, vielen Dank, Dankeschön |
 */
export const categories = ['unsubscribe_request', 'complaint', 'question', 'thanks', 'other'] as const;
export type Category = (typeof categories)[number];

export interface Rule {
  category: Exclude<Category, 'other'>;
  pattern: RegExp;
  weight: number;
}

export const MIN_SCORE = 2;

/**
 * A case-insensitive rule where `\b` means a Unicode word boundary: JavaScript's own `\b` treats
 * "ä" as a non-letter, so `\bärgerlich` would never match after a space.
 */
function w(source: string, flags = ''): RegExp {
  const unicode = source.replaceAll(
    String.raw`\b`,
    String.raw`(?:(?<![\p{L}\p{N}_])(?=[\p{L}\p{N}_])|(?<=[\p{L}\p{N}_])(?![\p{L}\p{N}_]))`,
  );
  return new RegExp(unicode, `iu${flags}`);
}

export const rules: readonly Rule[] = [
  // unsubscribe_request
  { category: 'unsubscribe_request', pattern: w(String.raw`\bunsubscribe\b`), weight: 4 },
  {
    category: 'unsubscribe_request',
    pattern: w(String.raw`\b(?:remove|take) (?:me|us|this address)\b.{0,40}\b(?:list|mailing|emails?)\b`),
    weight: 4,
  },
  {
    category: 'unsubscribe_request',
    pattern: w(String.raw`\bstop (?:sending|e-?mailing|these)\b`),
    weight: 4,
  },
  { category: 'unsubscribe_request', pattern: w(String.raw`\bopt(?:[- ])?out\b`), weight: 3 },
  {
    category: 'unsubscribe_request',
    pattern: w(String.raw`\b(?:abmelden|abbestellen|austragen)\b`),
    weight: 4,
  },
  {
    category: 'unsubscribe_request',
    pattern: w(String.raw`\bkeine (?:weiteren )?(?:e-?mails|nachrichten|mails)\b`),
    weight: 4,
  },
  // complaint
  {
    category: 'complaint',
    pattern: w(String.raw`\b(?:unacceptable|outrageous|ridiculous|terrible|awful|disgrace)`),
    weight: 3,
  },
  {
    category: 'complaint',
    pattern: w(String.raw`\b(?:disappoint|frustrat|angry|furious|fed up|upset)`),
    weight: 3,
  },
  { category: 'complaint', pattern: w(String.raw`\b(?:refund|compensation|credit|sla|breach)\b`), weight: 2 },
  {
    category: 'complaint',
    pattern: w(String.raw`\b(?:cancel|terminate|switch(?:ing)? to another)\b`),
    weight: 2,
  },
  {
    category: 'complaint',
    pattern: w(String.raw`\b(?:again|third time|second time|every week|keeps happening)\b`),
    weight: 1,
  },
  {
    category: 'complaint',
    pattern: w(String.raw`\b(?:lost (?:money|revenue|sales|customers)|cost us)\b`),
    weight: 2,
  },
  {
    category: 'complaint',
    pattern: w(String.raw`\b(?:inakzeptabel|unzumutbar|frechheit|ärgerlich|katastrophe|katastrophal)`),
    weight: 3,
  },
  { category: 'complaint', pattern: w(String.raw`\b(?:enttäuscht|verärgert|sauer|unzufrieden)`), weight: 3 },
  {
    category: 'complaint',
    pattern: w(String.raw`\b(?:erstattung|gutschrift|entschädigung|vertragsstrafe)`),
    weight: 2,
  },
  { category: 'complaint', pattern: w(String.raw`\b(?:kündigen|kündigung)`), weight: 2 },
  {
    category: 'complaint',
    pattern: w(String.raw`\b(?:schon wieder|zum (?:zweiten|dritten) mal|ständig)\b`),
    weight: 1,
  },
  // question
  { category: 'question', pattern: /\?/, weight: 2 },
  {
    category: 'question',
    pattern: w(
      String.raw`^\s*(?:when|how|why|what|which|who|where|is|are|will|can|could|do|does|did|should)\b`,
      'm',
    ),
    weight: 1,
  },
  {
    category: 'question',
    pattern: w(String.raw`\b(?:can|could|would) you (?:please )?(?:tell|let|explain|confirm|share|send)\b`),
    weight: 2,
  },
  {
    category: 'question',
    pattern: w(String.raw`\b(?:i|we) (?:would like|want) to know\b|\bwondering\b`),
    weight: 2,
  },
  {
    category: 'question',
    pattern: w(
      String.raw`^\s*(?:wann|wie|warum|wieso|weshalb|was|welche|wer|wo|gibt es|ist|sind|können|könnten|kann|wird)\b`,
      'm',
    ),
    weight: 1,
  },
  {
    category: 'question',
    pattern: w(
      String.raw`\b(?:können|könnten) sie (?:mir|uns)?\b|\bich (?:hätte|habe) eine frage\b|\bwir möchten wissen\b`,
    ),
    weight: 2,
  },
  // thanks
  { category: 'thanks', pattern: w(String.raw`\b(?:thanks?|thank you|thx|cheers)\b`), weight: 2 },
  {
    category: 'thanks',
    pattern: w(String.raw`\b(?:appreciate|grateful|great job|well done|good work|kudos)\b`),
    weight: 2,
  },
  {
    category: 'thanks',
    pattern: w(String.raw`\b(?:danke|dankeschön|vielen dank|besten dank|herzlichen dank)\b`),
    weight: 2,
  },
  {
    category: 'thanks',
    pattern: w(String.raw`\b(?:gut gemacht|super arbeit|wissen wir zu schätzen)\b`),
    weight: 2,
  }, // A courtesy beyond English and German: the most common thanks of French, Spanish and Italian.
  { category: 'thanks', pattern: w(String.raw`\b(?:merci|gracias|grazie)\b`), weight: 2 },
];

export interface Classification {
  category: Category;
  scores: Record<Exclude<Category, 'other'>, number>;
}

/** Category of one reply's visible text (quotes already stripped); bounded by `maxChars`. */
export function classify(text: string, subject = '', maxChars = 20_000): Classification {
  // A "Re:" subject is Candor's own; only a subject the customer wrote says something about the reply.
  const own = /^\s*(?:re|aw|antw|sv|fw|fwd|wg|tr)\s*:/i.test(subject) ? '' : subject;
  const input = `${own}\n${text}`.slice(0, maxChars);
  const scores = { unsubscribe_request: 0, complaint: 0, question: 0, thanks: 0 };
  for (const rule of rules) if (rule.pattern.test(input)) scores[rule.category] += rule.weight;
  let best: Category = 'other';
  let bestScore = MIN_SCORE - 1;
  for (const category of categories) {
    if (category === 'other') continue;
    if (scores[category] > bestScore) {
      best = category;
      bestScore = scores[category];
    }
  }
  return { category: best, scores };
}
