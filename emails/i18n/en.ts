/**
 * English copy of every Candor e-mail. Rules for writers: plain words a customer's office manager
 * understands, no incident-management vocabulary, "we" for the company, and recipient names are only
 * ever inserted verbatim (render-once personalisation substitutes them after rendering).
 */

const months = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

function utcParts(iso: string) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return undefined;
  const pad = (n: number) => String(n).padStart(2, '0');
  return { d, time: `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}` };
}

export const en = {
  locale: 'en',
  formatTime(iso: string): string {
    const p = utcParts(iso);
    if (!p) return iso;
    return `${p.d.getUTCDate()} ${months[p.d.getUTCMonth()]} ${p.d.getUTCFullYear()}, ${p.time} UTC`;
  },
  /** "a", "a and b", "a, b and c". */
  list(items: readonly string[]): string {
    if (items.length <= 1) return items[0] ?? '';
    return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
  },
  duration(minutes: number): string {
    if (minutes < 1) return 'less than a minute';
    if (minutes < 60) return minutes === 1 ? '1 minute' : `${minutes} minutes`;
    const h = Math.floor(minutes / 60);
    const m = minutes % 60;
    const hours = h === 1 ? '1 hour' : `${h} hours`;
    return m === 0 ? hours : `${hours} and ${m === 1 ? '1 minute' : `${m} minutes`}`;
  },
  common: {
    greeting: (name: string) => `Hello ${name},`,
    greetingTeam: (customer: string) => `Hello ${customer} team,`,
    replyNote: (company: string) => `You can reply to this e-mail; a person at ${company} reads every reply.`,
    unsubscribe: 'Unsubscribe from incident e-mails',
    signoffTeam: (company: string) => `The ${company} team`,
    liveUpdates: 'Live updates:',
    impact: 'Impact',
    affected: 'Affected',
    where: 'Where',
    started: 'Started',
    ended: 'Ended',
    thisUpdate: 'This update',
    duration: 'Duration',
    writeAgain: 'We will write again when we know more.',
  },
  reason: {
    affected: (customer: string, company: string) =>
      `You get this because you are a contact for ${customer}, and ${customer} uses the part of ${company} this is about.`,
    'affected-enterprise': (customer: string, company: string) =>
      `You get this because you are a contact for ${customer}, an enterprise customer of ${company}.`,
    unaffected: (customer: string, company: string) =>
      `You get this because you are a contact for ${customer} at ${company}. We keep all customers informed.`,
  },
  status: {
    investigating: 'Investigating',
    identified: 'Cause found',
    monitoring: 'Fix in place',
    resolved: 'Resolved',
  },
  statusExplanation: {
    investigating: 'We know something is wrong and are working out why.',
    identified: 'We found the cause and are working on a fix.',
    monitoring: 'A fix is in place. We are watching closely to make sure it holds.',
    resolved: 'This is fixed. Everything should work normally again.',
  },
  severity: {
    minor: 'Some things are slower or do not work as they should.',
    major: 'Part of the service is not working.',
    critical: 'The service is not working.',
  },
  variant: {
    slaHeading: 'Your service agreement',
    sla: 'This time counts as downtime under your service agreement. If it takes you below the agreed availability, we credit your account automatically; you do not need to ask.',
    accountManager: (name: string) =>
      `${name}, your account manager, will get in touch with you personally and is there for any question.`,
    accountTeam: 'Your account team will get in touch with you personally and is there for any question.',
    unaffected: (customer: string) =>
      `For your information: as far as we can tell, ${customer} is not affected. We are writing so that you hear it from us first.`,
  },
  incident: {
    subject: (company: string, title: string) => `${company} incident: ${title}`,
    eyebrow: (company: string) => `${company} incident update`,
    sorry: 'We are sorry for the trouble.',
  },
  update: {
    eyebrow: (company: string) => `${company} incident update`,
    intro: 'Here is where things stand now.',
  },
  resolved: {
    eyebrow: (company: string) => `${company}: resolved`,
    preview: (duration: string) =>
      `Resolved after ${duration}. What happened and what we are doing about it.`,
    whatHappened: 'What happened',
    howLong: (duration: string, start: string, end: string) =>
      `It lasted ${duration}, from ${start} to ${end}.`,
    brief: (duration: string) =>
      `It was brief: it lasted ${duration} and was fixed before we could send a first notice, so this is the only e-mail you will get about it.`,
    whatWeDo: 'What we are doing about it',
    sorry: 'We are sorry for the disruption this caused you and your customers.',
  },
  postmortem: {
    subject: (company: string, title: string) => `${company} incident: ${title}`,
    eyebrow: (company: string) => `${company}: what happened and what changes`,
    preview: 'A full account of the incident: what happened, why, and what we are changing.',
    summary: 'Summary',
    timeline: 'Timeline',
    cause: 'Why it happened',
    changes: 'What we are changing',
    closing: 'Thank you for your patience. If anything here is unclear, reply and ask us.',
  },
  maintenance: {
    subject: (company: string, title: string) => `${company} maintenance: ${title}`,
    eyebrow: (company: string) => `${company} planned maintenance`,
    phase: { scheduled: 'Planned', started: 'In progress', completed: 'Completed' },
    phaseExplanation: {
      scheduled: 'We have planned maintenance. Nothing is wrong; we are telling you ahead of time.',
      started: 'The planned maintenance has started.',
      completed: 'The planned maintenance is finished. Everything should work normally.',
    },
    window: 'When',
    windowValue: (start: string, end: string) => `${start} to ${end}`,
    closing: 'Thank you for bearing with us.',
  },
  apology: {
    subject: (sender: string) => `A personal note from ${sender}`,
    greeting: (name: string) => `Dear ${name},`,
    greetingTeam: (customer: string) => `Dear ${customer} team,`,
    preview: (sender: string) => `A personal note from ${sender}.`,
    footer: (company: string) =>
      `You get this letter because you are a customer of ${company}. Reply to it and it reaches me.`,
    unsubscribe: 'Unsubscribe',
  },
  approval: {
    subject: (subject: string) => `Please approve: ${subject}`,
    preview: 'An e-mail that goes out under your name is waiting for your approval.',
    greeting: (name: string) => `Hello ${name},`,
    intro: (requester: string) =>
      `${requester} has prepared an e-mail that will go out under your name. It is not sent until you approve this exact text.`,
    recipients: (count: number) =>
      count === 1 ? 'It will go to 1 recipient.' : `It will go to ${count} recipients.`,
    subjectLabel: 'Subject',
    button: 'Review and approve',
    expires: (time: string) => `The link works once and expires on ${time}.`,
    footer: 'You get this because you are the named sender of this e-mail.',
  },
  replyForward: {
    subject: (customer: string, subject: string) => `Reply from ${customer}: ${subject}`,
    preview: (contact: string) => `${contact} replied to your letter.`,
    intro: (contact: string, customer: string) =>
      `${contact} (${customer}) replied to your letter. Their words, as they wrote them:`,
    received: 'Received',
    answer: (email: string) => `To answer, write to ${email} or reply to this e-mail.`,
    inbox: 'See all replies',
    footer: 'You get this because you sent the letter this reply answers.',
  },
};

export type Messages = typeof en;
