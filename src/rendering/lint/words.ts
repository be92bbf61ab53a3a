/**
 * Default word lists for the content lint, English and German. Each entry is a phrase matched
 * case-insensitively at word boundaries; a `*` at the end matches any word ending. Operators override
 * any list with a JSON file (`CANDOR_LINT_CONFIG`), shaped like `LintWordLists` (partial is fine).
 */
export interface LintWordLists {
  /** Shifting the cause onto someone else: vendors, providers, "not our fault". */
  blame: string[];
  /** Words a customer's office manager would not use; each maps to a plain-language suggestion. */
  jargon: Record<string, string>;
  /** Words that make a text an apology. */
  apology: string[];
  /** First-person plural: who owns the problem. */
  ownership: string[];
  /** Maximum words before `length` warns, per communication kind (`default` for the rest). */
  maxWords: Record<string, number>;
}

export const defaultWordLists: LintWordLists = {
  blame: [
    // English
    'vendor*',
    'third party',
    'third-party',
    'our provider',
    'our hosting provider',
    'our cloud provider',
    'upstream provider',
    'supplier*',
    'not our fault',
    'outside our control',
    'beyond our control',
    'out of our control',
    'their bug',
    'bug in their',
    "vendor's",
    // German
    'dienstleister*',
    'drittanbieter*',
    'lieferant*',
    'anbieter*',
    'nicht unsere schuld',
    'außerhalb unserer kontrolle',
    'nicht in unserer hand',
  ],
  jargon: {
    deadlock: 'say what customers saw: "the help desk stopped responding"',
    'dead-lock': 'say what customers saw: "the help desk stopped responding"',
    failover: 'say "switching to our backup system"',
    'fail-over': 'say "switching to our backup system"',
    replica: 'say "backup copy"',
    replicas: 'say "backup copies"',
    'privileges table': 'leave the internals out; say which feature did not work',
    db: 'say "database" or, better, which feature did not work',
    database: 'say which feature did not work; customers do not see databases',
    '5xx': 'say "errors"',
    '500 error*': 'say "errors"',
    '502': 'say "errors"',
    '503': 'say "errors"',
    latency: 'say "slow" or "delays"',
    rca: 'say "what went wrong and why"',
    'root cause analysis': 'say "what went wrong and why"',
    postmortem: 'say "our report on what happened"',
    'post-mortem': 'say "our report on what happened"',
    'mitigat*': 'say "reduce" or "work around"',
    'node*': 'say "server" or leave it out',
    cluster: 'say "our systems"',
    'load balancer': 'say "our systems"',
    rollback: 'say "we undid the change"',
    'roll back': 'say "we undid the change"',
    'sla breach': 'say what it means for the customer, e.g. service credits',
    p1: 'leave internal priority labels out',
    sev1: 'leave internal severity labels out',
  },
  apology: [
    'sorry',
    'apologise',
    'apologize',
    'apologies',
    'apology',
    'entschuldig*',
    'tut uns leid',
    'tut mir leid',
    'bedauern',
  ],
  ownership: ['we', 'our', 'us', "we're", "we've", 'i', 'my', 'wir', 'unser*', 'uns', 'ich', 'mein*'],
  maxWords: { default: 350, notice: 200, update: 200, resolution: 300, apology: 450, postmortem: 900 },
};
