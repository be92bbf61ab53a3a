import { Link, Text } from '@react-email/components';
import { linkStyle, mutedStyle } from './theme.js';

export interface EmailFooterProps {
  /** Why this person gets this e-mail, in one sentence ("You get this because …"). */
  reason: string;
  unsubscribeUrl: string;
  companyName: string;
}

/** Says why the e-mail came and how to stop it: people trust mail that explains itself. */
export function EmailFooter({ reason, unsubscribeUrl, companyName }: EmailFooterProps) {
  return (
    <>
      <Text className="cd-muted" style={mutedStyle}>
        {reason}
      </Text>
      <Text className="cd-muted" style={mutedStyle}>
        You can reply to this e-mail; a person at {companyName} reads every reply.{' '}
        <Link className="cd-link" href={unsubscribeUrl} style={linkStyle}>
          Unsubscribe from incident e-mails
        </Link>
        .
      </Text>
    </>
  );
}
