import { Text } from '@react-email/components';
import { type IncidentStatus, statusColors, statusExplanations, statusLabels } from './wording.js';

export interface StatusLineProps {
  status: IncidentStatus;
}

/**
 * The status as a word, not only a colour: colour is decoration here, so the line still reads right
 * in dark mode, in plain-text clients and for colour-blind readers.
 */
export function StatusLine({ status }: StatusLineProps) {
  const color = statusColors[status];
  return (
    <Text className="cd-text" style={{ fontSize: '16px', lineHeight: '24px', margin: '0 0 16px' }}>
      <span
        className={`cd-status-${status}`}
        style={{
          border: `1px solid ${color.light}`,
          borderRadius: '4px',
          color: color.light,
          fontWeight: 600,
          padding: '2px 8px',
        }}
      >
        {statusLabels[status]}
      </span>{' '}
      {statusExplanations[status]}
    </Text>
  );
}
