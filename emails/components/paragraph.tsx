import type { ComponentProps } from 'react';

/**
 * A `<p>` with exactly the style it is given. React Email's `Text` writes every margin a second time as
 * four longhands after the shorthand (`margin:0 0 16px;margin-top:0;margin-right:0;…`): ~60 bytes a
 * paragraph, ~800 an e-mail, carried by every recipient's copy. Candor's paragraph styles always set
 * font size, line height and margin, so `Text`'s defaults were never used.
 */
export function Paragraph(props: ComponentProps<'p'>) {
  return <p {...props} />;
}
