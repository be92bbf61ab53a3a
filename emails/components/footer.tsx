import { Link } from '@react-email/link';
import type { EmailDoc } from './document.js';
import { Paragraph } from './paragraph.js';
import { linkStyle, mutedStyle } from './theme.js';

/** Says why the e-mail came and how to stop it: people trust mail that explains itself. */
export function EmailFooter({ reason, note, unsubscribe }: EmailDoc['footer']) {
  return (
    <>
      <Paragraph className="cd-muted" style={mutedStyle}>
        {reason}
      </Paragraph>
      {note || unsubscribe ? (
        <Paragraph className="cd-muted" style={mutedStyle}>
          {note}
          {note && unsubscribe ? ' ' : null}
          {unsubscribe ? (
            <Link className="cd-link" href={unsubscribe.url} style={linkStyle}>
              {unsubscribe.label}
            </Link>
          ) : null}
        </Paragraph>
      ) : null}
    </>
  );
}
