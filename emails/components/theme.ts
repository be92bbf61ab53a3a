import type { CSSProperties } from 'react';
import { statusColors } from './wording.js';

/**
 * Colours are explicit on every block (never "transparent on white") so that mail clients that invert
 * colours in dark mode invert a coherent pair; clients that honour `prefers-color-scheme` get the
 * hand-picked dark palette from `darkModeCss` instead.
 */
export const colors = {
  page: '#f4f4f5',
  card: '#ffffff',
  text: '#18181b',
  muted: '#52525b',
  border: '#e4e4e7',
  link: '#1d4ed8',
};

export const fontFamily =
  '-apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';

export const darkModeCss = `
@media (prefers-color-scheme: dark) {
  .cd-page { background-color: #18181b !important; }
  .cd-card { background-color: #27272a !important; border-color: #3f3f46 !important; }
  .cd-text { color: #f4f4f5 !important; }
  .cd-muted { color: #a1a1aa !important; }
  .cd-link { color: #93c5fd !important; }
  .cd-rule { border-color: #3f3f46 !important; }
  .cd-md, .cd-md p, .cd-md li { color: #f4f4f5 !important; }
  .cd-md a { color: #93c5fd !important; }
  .cd-quote { border-color: #52525b !important; }
${Object.entries(statusColors)
  .map(
    ([status, c]) =>
      `  .cd-status-${status} { color: ${c.dark} !important; border-color: ${c.dark} !important; }`,
  )
  .join('\n')}
}
`;

export const textStyle: CSSProperties = {
  color: colors.text,
  fontSize: '16px',
  lineHeight: '24px',
  margin: '0 0 16px',
};

export const mutedStyle: CSSProperties = {
  color: colors.muted,
  fontSize: '14px',
  lineHeight: '20px',
  margin: '0 0 8px',
};

export const headingStyle: CSSProperties = {
  color: colors.text,
  fontSize: '22px',
  lineHeight: '30px',
  margin: '0 0 20px',
};

export const sectionHeadingStyle: CSSProperties = {
  color: colors.text,
  fontSize: '17px',
  lineHeight: '24px',
  margin: '24px 0 8px',
};

export const linkStyle: CSSProperties = {
  color: colors.link,
  textDecoration: 'underline',
};
