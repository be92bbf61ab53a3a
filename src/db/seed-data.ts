/**
 * The fictional demo company: Acme, a help-desk SaaS, and about 200 of its customers. Generated from a
 * fixed seed so every fresh `npm start` shows the same workspace (and the README's numbers stay true).
 */
export interface DemoCustomer {
  ref: string;
  name: string;
  tier: 'free' | 'pro' | 'enterprise';
  regions: string[];
  components: string[];
  locale: string;
  contacts: { email: string; name: string; role: string }[];
}

const FIRST = [
  'Ada',
  'Ben',
  'Chloé',
  'Dmitri',
  'Elif',
  'Farah',
  'Gustav',
  'Hana',
  'Ines',
  'Jonas',
  'Kofi',
  'Lea',
  'Mateo',
  'Noor',
  'Oskar',
  'Priya',
  'Quentin',
  'Rosa',
  'Sven',
  'Tomás',
  'Uma',
  'Viktor',
  'Wen',
  'Yara',
  'Zoe',
];
const LAST = [
  'Okafor',
  'Schmidt',
  'Tanaka',
  'Nguyen',
  'García',
  'Müller',
  'Kowalski',
  'Haddad',
  'Larsen',
  'Rossi',
  'Dubois',
  'Singh',
  'Ivanova',
  'Moreau',
  'Becker',
  'Costa',
];
const WORD_A = [
  'Blue',
  'North',
  'Bright',
  'Silver',
  'Green',
  'Swift',
  'Iron',
  'Cedar',
  'Harbor',
  'Summit',
  'Lumen',
  'Atlas',
  'Nimbus',
  'Orchid',
  'Pioneer',
  'Quartz',
];
const WORD_B = [
  'Bakery',
  'Logistics',
  'Travel',
  'Clinic',
  'Books',
  'Labs',
  'Foods',
  'Energy',
  'Studio',
  'Motors',
  'Retail',
  'Finance',
  'Games',
  'Outdoors',
];
const ROLES = ['Head of Support', 'IT Admin', 'Operations Lead', 'CTO', 'Support Agent', 'Founder'];
const REGIONS = ['us', 'eu', 'apac'] as const;
const COMPONENTS = ['helpdesk', 'api', 'chat'] as const;

/** mulberry32: small, fast, deterministic. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function demoCustomers(count = 200, seed = 2017): DemoCustomer[] {
  const random = prng(seed);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const customers: DemoCustomer[] = [];
  for (let i = 1; i <= count; i++) {
    const name = `${pick(WORD_A)} ${pick(WORD_B)}`;
    const slug = `${name.toLowerCase().replace(/[^a-z]+/g, '')}${i}`;
    const roll = random();
    const tier = roll < 0.15 ? 'enterprise' : roll < 0.55 ? 'pro' : 'free';
    const region = REGIONS[i % 3]!;
    const regions =
      random() < 0.1 ? [region, pick(REGIONS)].filter((r, j, all) => all.indexOf(r) === j) : [region];
    const components = COMPONENTS.filter(() => random() < 0.6);
    if (components.length === 0) components.push('helpdesk');
    const contactCount = 1 + Math.floor(random() * 3);
    const contacts = Array.from({ length: contactCount }, (_, c) => {
      const first = pick(FIRST);
      const last = pick(LAST);
      return {
        email: `${first
          .normalize('NFD')
          .replace(/[^A-Za-z]/g, '')
          .toLowerCase()}.${c + 1}@${slug}.example`,
        name: `${first} ${last}`,
        role: c === 0 ? 'Head of Support' : pick(ROLES),
      };
    });
    customers.push({
      ref: `cus-${String(i).padStart(4, '0')}`,
      name,
      tier,
      regions,
      components,
      locale: region === 'eu' && random() < 0.5 ? 'de' : 'en',
      contacts,
    });
  }
  return customers;
}
