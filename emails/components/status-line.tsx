import { Paragraph } from './paragraph.js';
import { statusColors } from './wording.js';

export interface StatusLineProps {
  /** Picks the colour pair; `maintenance` for planned work. */
  tone: keyof typeof statusColors;
  label: string;
  explanation: string;
}

/**
 * The status as a word, not only a colour: colour is decoration here, so the line still reads right
 * in dark mode, in plain-text clients and for colour-blind readers.
 */
export function StatusLine({ tone, label, explanation }: StatusLineProps) {
  const color = statusColors[tone];
  return (
    <Paragraph className="cd-text" style={{ fontSize: '16px', lineHeight: '24px', margin: '0 0 16px' }}>
      <span
        className={`cd-status-${tone}`}
        style={{
          border: `1px solid ${color.light}`,
          borderRadius: '4px',
          color: color.light,
          fontWeight: 600,
          padding: '2px 8px',
        }}
      >
        {label}
      </span>{' '}
      {explanation}
    </Paragraph>
  );
}
