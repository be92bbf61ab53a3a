import { type ReactNode, useEffect, useId, useRef } from 'react';
import type { ApiError } from './api.js';
import { formatDuration, humanize } from './format.js';
import { useNow } from './hooks.js';
import type { Counts } from './types.js';

export function ErrorBox({ error, title }: { error: ApiError | null | undefined; title?: string }) {
  if (!error) return null;
  return (
    <div className="error" role="alert">
      <strong>{title ?? 'Something went wrong'}:</strong> {error.message}
      {error.details.length > 0 && (
        <ul>
          {error.details.map((d, i) => (
            // Details have no id; their order is the server's and stable.
            // biome-ignore lint/suspicious/noArrayIndexKey: see above
            <li key={i}>
              {d.path ? <code>{String(d.path)}</code> : d.row !== undefined ? `Row ${String(d.row)}` : null}{' '}
              {String(d.message ?? d.error ?? '')}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p className="muted" aria-live="polite">
      {label}
    </p>
  );
}

export function Badge({ value }: { value: string }) {
  return <span className={`badge badge-${value}`}>{humanize(value)}</span>;
}

/** Sent out of recipients, with delivered and replied beside it; announced politely as it moves. */
export function Progress({ counts, recipients }: { counts: Counts; recipients: number }) {
  const total = Math.max(recipients, (counts.sent ?? 0) + (counts.queued ?? 0), 1);
  const sent = counts.sent ?? 0;
  return (
    <div className="progress-block">
      <progress max={total} value={sent} aria-label={`Sent ${sent} of ${total}`} />
      <dl className="counts" aria-live="polite">
        {['sent', 'delivered', 'opened', 'replied', 'queued', 'bounced', 'failed', 'suppressed'].map((k) =>
          (counts[k] ?? 0) > 0 || k === 'sent' || k === 'delivered' || k === 'replied' ? (
            <div key={k} data-count={k}>
              <dt>{k}</dt>
              <dd>{counts[k] ?? 0}</dd>
            </div>
          ) : null,
        )}
      </dl>
    </div>
  );
}

export function Countdown({ until }: { until: string }) {
  const now = useNow();
  const left = (new Date(until).getTime() - now) / 1000;
  return (
    <span className="countdown" role="timer">
      {left > 0 ? `goes out in ${formatDuration(left)}` : 'going out now'}
    </span>
  );
}

/** A modal confirmation (native `<dialog>`: focus trapped, Escape cancels). */
export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  danger,
  busy,
  onConfirm,
  onCancel,
}: {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  busy?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog ref={ref} aria-labelledby={titleId} onCancel={onCancel} className="dialog">
      <h2 id={titleId}>{title}</h2>
      <div>{children}</div>
      <div className="actions">
        <button type="button" onClick={onCancel}>
          Back
        </button>
        <button
          type="button"
          className={danger ? 'danger' : 'primary'}
          disabled={busy}
          onClick={onConfirm}
          // biome-ignore lint/a11y/noAutofocus: the dialog's main action takes focus when it opens
          autoFocus
        >
          {confirmLabel}
        </button>
      </div>
    </dialog>
  );
}

export function Tabs<T extends string>({
  label,
  tabs,
  value,
  onChange,
}: {
  label: string;
  tabs: { value: T; label: string }[];
  value: T;
  onChange: (value: T) => void;
}) {
  return (
    <div className="tabs" role="tablist" aria-label={label}>
      {tabs.map((t) => (
        <button
          key={t.value}
          type="button"
          role="tab"
          aria-selected={value === t.value}
          className={value === t.value ? 'active' : ''}
          onClick={() => onChange(t.value)}
        >
          {t.label}
        </button>
      ))}
    </div>
  );
}

export function LoadMore({
  hasMore,
  loading,
  onClick,
}: {
  hasMore: boolean;
  loading: boolean;
  onClick: () => void;
}) {
  if (!hasMore) return null;
  return (
    <button type="button" className="load-more" disabled={loading} onClick={onClick}>
      {loading ? 'Loading…' : 'Load more'}
    </button>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}
