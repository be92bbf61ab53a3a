import type { Messages } from './en.js';

/**
 * German copy. Formal "Sie", as German business mail expects; times stay in UTC like the English
 * copy so that both parts of a mixed-language customer read the same moment.
 */

const months = [
  'Januar',
  'Februar',
  'März',
  'April',
  'Mai',
  'Juni',
  'Juli',
  'August',
  'September',
  'Oktober',
  'November',
  'Dezember',
];

const minutesWord = (m: number) => (m === 1 ? '1 Minute' : `${m} Minuten`);

export const de: Messages = {
  locale: 'de',
  formatTime(iso: string): string {
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return iso;
    const pad = (n: number) => String(n).padStart(2, '0');
    const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
    return `${d.getUTCDate()}. ${months[d.getUTCMonth()]} ${d.getUTCFullYear()}, ${time} Uhr UTC`;
  },
  list(items: readonly string[]): string {
    if (items.length <= 1) return items[0] ?? '';
    return `${items.slice(0, -1).join(', ')} und ${items.at(-1)}`;
  },
  duration(minutes: number): string {
    if (minutes < 1) return 'weniger als eine Minute';
    if (minutes < 60) return minutesWord(minutes);
    const h = Math.floor(minutes / 60);
    const m = minutes % 60;
    const hours = h === 1 ? '1 Stunde' : `${h} Stunden`;
    return m === 0 ? hours : `${hours} und ${minutesWord(m)}`;
  },
  common: {
    greeting: (name: string) => `Hallo ${name},`,
    greetingTeam: (customer: string) => `Hallo Team von ${customer},`,
    replyNote: (company: string) =>
      `Sie können auf diese E-Mail antworten; bei ${company} liest ein Mensch jede Antwort.`,
    unsubscribe: 'Keine Störungsmeldungen mehr erhalten',
    signoffTeam: (company: string) => `Ihr Team von ${company}`,
    liveUpdates: 'Aktuelle Informationen:',
    impact: 'Auswirkung',
    affected: 'Betroffen',
    where: 'Wo',
    started: 'Beginn',
    ended: 'Ende',
    thisUpdate: 'Stand',
    duration: 'Dauer',
    writeAgain: 'Wir melden uns wieder, sobald wir mehr wissen.',
  },
  reason: {
    affected: (customer: string, company: string) =>
      `Sie erhalten diese E-Mail als Kontakt von ${customer}, weil ${customer} den betroffenen Teil von ${company} nutzt.`,
    'affected-enterprise': (customer: string, company: string) =>
      `Sie erhalten diese E-Mail als Kontakt von ${customer}, Enterprise-Kunde von ${company}.`,
    unaffected: (customer: string, company: string) =>
      `Sie erhalten diese E-Mail als Kontakt von ${customer} bei ${company}. Wir informieren alle Kunden.`,
  },
  status: {
    investigating: 'Wird untersucht',
    identified: 'Ursache gefunden',
    monitoring: 'Lösung aktiv',
    resolved: 'Behoben',
  },
  statusExplanation: {
    investigating: 'Wir wissen, dass etwas nicht stimmt, und suchen die Ursache.',
    identified: 'Wir haben die Ursache gefunden und arbeiten an einer Lösung.',
    monitoring: 'Eine Lösung ist aktiv. Wir beobachten genau, ob sie hält.',
    resolved: 'Das Problem ist behoben. Alles sollte wieder normal funktionieren.',
  },
  severity: {
    minor: 'Manches ist langsamer oder funktioniert nicht wie gewohnt.',
    major: 'Ein Teil des Dienstes funktioniert nicht.',
    critical: 'Der Dienst funktioniert nicht.',
  },
  variant: {
    slaHeading: 'Ihr Servicevertrag',
    sla: 'Diese Zeit zählt nach Ihrem Servicevertrag als Ausfallzeit. Fällt die vereinbarte Verfügbarkeit dadurch darunter, schreiben wir Ihnen die Gutschrift automatisch gut; Sie müssen nichts beantragen.',
    accountManager: (name: string) =>
      `${name}, Ihre persönliche Ansprechperson, meldet sich bei Ihnen und ist für alle Fragen da.`,
    accountTeam: 'Ihr Betreuungsteam meldet sich persönlich bei Ihnen und ist für alle Fragen da.',
    unaffected: (customer: string) =>
      `Zu Ihrer Information: Nach allem, was wir wissen, ist ${customer} nicht betroffen. Wir schreiben Ihnen, damit Sie es zuerst von uns erfahren.`,
  },
  incident: {
    subject: (company: string, title: string) => `${company} Störung: ${title}`,
    eyebrow: (company: string) => `${company}: Stand der Störung`,
    sorry: 'Es tut uns leid für die Unannehmlichkeiten.',
  },
  update: {
    eyebrow: (company: string) => `${company}: Stand der Störung`,
    intro: 'So ist der aktuelle Stand.',
  },
  resolved: {
    eyebrow: (company: string) => `${company}: behoben`,
    preview: (duration: string) => `Nach ${duration} behoben. Was passiert ist und was wir jetzt tun.`,
    whatHappened: 'Was passiert ist',
    howLong: (duration: string, start: string, end: string) =>
      `Es dauerte ${duration}, von ${start} bis ${end}.`,
    brief: (duration: string) =>
      `Es war kurz: Es dauerte ${duration} und war behoben, bevor wir eine erste Meldung senden konnten. Dies ist daher die einzige E-Mail dazu.`,
    whatWeDo: 'Was wir jetzt tun',
    sorry: 'Es tut uns leid, dass Sie und Ihre Kunden dadurch gestört wurden.',
  },
  postmortem: {
    subject: (company: string, title: string) => `${company} Störung: ${title}`,
    eyebrow: (company: string) => `${company}: was passiert ist und was sich ändert`,
    preview: 'Der vollständige Bericht: was passiert ist, warum, und was wir ändern.',
    summary: 'Zusammenfassung',
    timeline: 'Ablauf',
    cause: 'Warum es passiert ist',
    changes: 'Was wir ändern',
    closing: 'Danke für Ihre Geduld. Wenn etwas unklar ist, antworten Sie einfach und fragen Sie uns.',
  },
  maintenance: {
    subject: (company: string, title: string) => `${company} Wartung: ${title}`,
    eyebrow: (company: string) => `${company}: geplante Wartung`,
    phase: { scheduled: 'Geplant', started: 'Läuft', completed: 'Abgeschlossen' },
    phaseExplanation: {
      scheduled: 'Wir haben eine Wartung geplant. Es ist nichts kaputt; wir sagen Ihnen vorher Bescheid.',
      started: 'Die geplante Wartung hat begonnen.',
      completed: 'Die geplante Wartung ist abgeschlossen. Alles sollte normal funktionieren.',
    },
    window: 'Wann',
    windowValue: (start: string, end: string) => `${start} bis ${end}`,
    closing: 'Danke für Ihr Verständnis.',
  },
  apology: {
    subject: (sender: string) => `Eine persönliche Nachricht von ${sender}`,
    greeting: (name: string) => `Guten Tag ${name},`,
    greetingTeam: (customer: string) => `Guten Tag an das Team von ${customer},`,
    preview: (sender: string) => `Eine persönliche Nachricht von ${sender}.`,
    footer: (company: string) =>
      `Sie erhalten diesen Brief als Kunde von ${company}. Wenn Sie antworten, erreicht Ihre Antwort mich.`,
    unsubscribe: 'Abmelden',
  },
  approval: {
    subject: (subject: string) => `Bitte freigeben: ${subject}`,
    preview: 'Eine E-Mail in Ihrem Namen wartet auf Ihre Freigabe.',
    greeting: (name: string) => `Hallo ${name},`,
    intro: (requester: string) =>
      `${requester} hat eine E-Mail vorbereitet, die in Ihrem Namen verschickt wird. Sie geht erst hinaus, wenn Sie genau diesen Text freigeben.`,
    recipients: (count: number) =>
      count === 1 ? 'Sie geht an 1 Empfänger.' : `Sie geht an ${count} Empfänger.`,
    subjectLabel: 'Betreff',
    button: 'Prüfen und freigeben',
    expires: (time: string) => `Der Link funktioniert einmal und läuft am ${time} ab.`,
    footer: 'Sie erhalten dies, weil Sie als Absender dieser E-Mail genannt sind.',
  },
  replyForward: {
    subject: (customer: string, subject: string) => `Antwort von ${customer}: ${subject}`,
    preview: (contact: string) => `${contact} hat auf Ihren Brief geantwortet.`,
    intro: (contact: string, customer: string) =>
      `${contact} (${customer}) hat auf Ihren Brief geantwortet. Im Wortlaut:`,
    received: 'Eingegangen',
    answer: (email: string) => `Zum Antworten schreiben Sie an ${email} oder antworten Sie auf diese E-Mail.`,
    inbox: 'Alle Antworten ansehen',
    footer: 'Sie erhalten dies, weil Sie den Brief geschrieben haben, auf den hier geantwortet wird.',
  },
};
