import { Button } from '@react-email/button';
import { Heading } from '@react-email/heading';
import { Hr } from '@react-email/hr';
import { Link } from '@react-email/link';
import { Markdown } from '@react-email/markdown';
import { Section } from '@react-email/section';
import type { Block, EmailDoc } from './document.js';
import { EmailFooter } from './footer.js';
import { EmailLayout, LetterLayout } from './layout.js';
import { sanitiseMarkdown } from './markdown.js';
import { Paragraph } from './paragraph.js';
import { StatusLine } from './status-line.js';
import { colors, headingStyle, linkStyle, mutedStyle, sectionHeadingStyle, textStyle } from './theme.js';

const detailStyle = { ...mutedStyle, margin: '0 0 4px' };

function BlockView({ block }: { block: Block }) {
  switch (block.kind) {
    case 'p':
      return (
        <Paragraph className="cd-text" style={{ ...textStyle, whiteSpace: 'pre-line' }}>
          {block.text}
        </Paragraph>
      );
    case 'h':
      return (
        <Heading as="h2" className="cd-text" style={sectionHeadingStyle}>
          {block.text}
        </Heading>
      );
    case 'status':
      return <StatusLine tone={block.tone} label={block.label} explanation={block.explanation} />;
    case 'details':
      return (
        <Section style={{ margin: '0 0 16px' }}>
          {block.rows.map(([label, value]) => (
            <Paragraph key={label} className="cd-muted" style={detailStyle}>
              <strong>{label}:</strong> {value}
            </Paragraph>
          ))}
        </Section>
      );
    case 'list':
      return (
        <ul className="cd-text" style={{ ...textStyle, paddingLeft: '20px' }}>
          {block.items.map((item, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: items are static copy; duplicates are legal
            <li key={i}>{item}</li>
          ))}
        </ul>
      );
    case 'link':
      return (
        <Paragraph className="cd-text" style={textStyle}>
          {block.label}{' '}
          <Link className="cd-link" href={block.url} style={linkStyle}>
            {block.url.replace(/^https?:\/\//, '')}
          </Link>
        </Paragraph>
      );
    case 'button':
      return (
        <Section style={{ margin: '8px 0 24px' }}>
          <Button
            href={block.url}
            style={{
              backgroundColor: colors.link,
              borderRadius: '6px',
              color: '#ffffff',
              fontSize: '16px',
              fontWeight: 600,
              padding: '12px 20px',
            }}
          >
            {block.label}
          </Button>
        </Section>
      );
    case 'quote':
      return (
        <Paragraph
          className="cd-text cd-quote"
          style={{
            ...textStyle,
            borderLeft: `3px solid ${colors.border}`,
            paddingLeft: '12px',
            whiteSpace: 'pre-line',
          }}
        >
          {block.text}
        </Paragraph>
      );
    case 'markdown':
      return (
        <div className="cd-md">
          <Markdown
            markdownContainerStyles={{ color: colors.text, fontSize: '16px', lineHeight: '24px' }}
            markdownCustomStyles={{ link: linkStyle, p: { margin: '0 0 16px' } }}
          >
            {sanitiseMarkdown(block.source)}
          </Markdown>
        </div>
      );
    case 'rule':
      return <Hr className="cd-rule" style={{ borderColor: colors.border, margin: '24px 0 16px' }} />;
  }
}

/** Renders an `EmailDoc` as the HTML part. */
export function EmailDocument({ doc }: { doc: EmailDoc }) {
  const footer = <EmailFooter {...doc.footer} />;
  const body = (
    <>
      {doc.eyebrow ? (
        <Paragraph className="cd-muted" style={{ ...mutedStyle, margin: '0 0 4px' }}>
          {doc.eyebrow}
        </Paragraph>
      ) : null}
      {doc.title ? (
        <Heading as="h1" className="cd-text" style={headingStyle}>
          {doc.title}
        </Heading>
      ) : null}
      {doc.blocks.map((block, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: the block list is static per render
        <BlockView key={i} block={block} />
      ))}
      {doc.closing.length > 0 ? (
        <Paragraph className="cd-text" style={{ ...textStyle, margin: '16px 0 0', whiteSpace: 'pre-line' }}>
          {doc.closing.join('\n')}
        </Paragraph>
      ) : null}
    </>
  );
  const Frame = doc.layout === 'letter' ? LetterLayout : EmailLayout;
  return (
    <Frame lang={doc.lang} preview={doc.preview} footer={footer}>
      {body}
    </Frame>
  );
}
