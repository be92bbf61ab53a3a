// Each component from its own package rather than `@react-email/components`, whose bundle also loads
// Tailwind and Prism: ~50 MB of RSS in every process that renders, the send worker included.
import { Body } from '@react-email/body';
import { Container } from '@react-email/container';
import { Head } from '@react-email/head';
import { Html } from '@react-email/html';
import { Preview } from '@react-email/preview';
import { Section } from '@react-email/section';
import type { ReactNode } from 'react';
import { colors, darkModeCss, fontFamily } from './theme.js';

export interface EmailLayoutProps {
  /** BCP 47 language of the copy; screen readers pick their voice from it. */
  lang: string;
  /** Inbox preview line shown next to the subject (the "preheader"). */
  preview: string;
  children: ReactNode;
  footer?: ReactNode;
}

/** Document, dark-mode head and preheader: what both layouts put around their body. */
function Page({ lang, preview, children }: Pick<EmailLayoutProps, 'lang' | 'preview' | 'children'>) {
  return (
    <Html lang={lang} dir="ltr">
      <Head>
        <meta name="color-scheme" content="light dark" />
        <meta name="supported-color-schemes" content="light dark" />
        <style>{darkModeCss}</style>
      </Head>
      <Preview>{preview}</Preview>
      {children}
    </Html>
  );
}

/** The frame every Candor e-mail shares: one centred card on a plain page, no images required. */
export function EmailLayout({ lang, preview, children, footer }: EmailLayoutProps) {
  return (
    <Page lang={lang} preview={preview}>
      <Body
        className="cd-page"
        style={{ backgroundColor: colors.page, fontFamily, margin: 0, padding: '24px 0' }}
      >
        <Container
          className="cd-card"
          style={{
            backgroundColor: colors.card,
            border: `1px solid ${colors.border}`,
            borderRadius: '8px',
            maxWidth: '560px',
            padding: '32px',
          }}
        >
          {children}
        </Container>
        {footer ? <Container style={{ maxWidth: '560px', padding: '16px 32px' }}>{footer}</Container> : null}
      </Body>
    </Page>
  );
}

/**
 * A personal letter: white page, no card, no banner, no brand colours — it should look like mail a
 * person typed, because it is one. Dark-mode classes still apply so the text stays readable.
 */
export function LetterLayout({ lang, preview, children, footer }: EmailLayoutProps) {
  return (
    <Page lang={lang} preview={preview}>
      <Body
        className="cd-page"
        style={{ backgroundColor: colors.card, fontFamily, margin: 0, padding: '16px' }}
      >
        <Container style={{ maxWidth: '600px', padding: 0 }}>
          {children}
          {footer ? <Section style={{ marginTop: '32px' }}>{footer}</Section> : null}
        </Container>
      </Body>
    </Page>
  );
}
