import { type KeyboardEvent, type ReactNode, useEffect, useId, useRef } from 'react';
import type { ApiError, ErrorDetail } from './api.js';
import { formatDuration, humanize } from './format.js';
import { type Paged, useNow } from './hooks.js';
import type { Counts } from './types.js';

/** A detail's message; a detail without one (e.g. `{ communication_id }`) shows its fields instead. */
function detailText(detail: ErrorDetail): string {
  const message = detail.message ?? detail.error;
  if (message !== undefined) return String(message);
  return Object.entries(detail)
    .filter(([key]) => key !== 'path' && key !== 'row')
    .map(([key, value]) => `${key.replace(/_/g, ' ')} ${String(value)}`)
    .join(', ');
}

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
              {detailText(d)}
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

/** A modal confirmation (native `<dialog>`: focus trapped, Escape cancels, the main action has focus). */
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
  const confirm = useRef<HTMLButtonElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      dialog.showModal();
      // React keeps `autoFocus` to itself (no `autofocus` attribute), so showModal() would focus the
      // first button, "Back": give the focus to the main action as promised.
      confirm.current?.focus();
    }
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
          ref={confirm}
        >
          {confirmLabel}
        </button>
      </div>
    </dialog>
  );
}

/**
 * A row of tabs with the keyboard behaviour of the ARIA tabs pattern: Tab reaches the selected tab only,
 * arrow keys (and Home/End) move between tabs and select as they go.
 */
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
  const buttons = useRef<(HTMLButtonElement | null)[]>([]);
  const move = (event: KeyboardEvent, index: number) => {
    const count = tabs.length;
    const targets: Record<string, number> = {
      ArrowRight: (index + 1) % count,
      ArrowLeft: (index - 1 + count) % count,
      Home: 0,
      End: count - 1,
    };
    const target = targets[event.key];
    if (target === undefined) return;
    event.preventDefault();
    onChange(tabs[target]!.value);
    buttons.current[target]?.focus();
  };
  return (
    <div className="tabs" role="tablist" aria-label={label}>
      {tabs.map((t, index) => (
        <button
          key={t.value}
          ref={(button) => {
            buttons.current[index] = button;
          }}
          type="button"
          role="tab"
          aria-selected={value === t.value}
          tabIndex={value === t.value ? 0 : -1}
          className={value === t.value ? 'active' : ''}
          onClick={() => onChange(t.value)}
          onKeyDown={(event) => move(event, index)}
        >
          {t.label}
        </button>
      ))}
    </div>
  );
}

/** "Load more" under a paged list; gone once the last page is in. */
export function LoadMore({ list }: { list: Pick<Paged<unknown>, 'hasMore' | 'loadingMore' | 'loadMore'> }) {
  if (!list.hasMore) return null;
  return (
    <button
      type="button"
      className="load-more"
      disabled={list.loadingMore}
      onClick={() => void list.loadMore()}
    >
      {list.loadingMore ? 'Loading…' : 'Load more'}
    </button>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}

/** What a list shows while it has no rows: "Loading…" before its first page, then `children` if it is empty. */
export function ListStatus({
  list,
  children,
}: {
  list: Pick<Paged<unknown>, 'loading' | 'items'>;
  children: ReactNode;
}) {
  if (list.loading) return <Loading />;
  return list.items?.length === 0 ? <Empty>{children}</Empty> : null;
}

/** A data table: one header row of `columns`, `children` as the body rows; scrolls sideways when narrow. */
export function Table({ columns, children }: { columns: string[]; children: ReactNode }) {
  return (
    <div className="table-wrap">
      <table>
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column} scope="col">
                {column}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

/** E-mail headers, one row each with its name as the row header. */
export function HeaderTable({ headers }: { headers: { name: string; value: string }[] }) {
  return (
    <table className="headers-table">
      <tbody>
        {headers.map((h, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: headers repeat (Received) and keep their order
          <tr key={i}>
            <th scope="row" className="header-name">
              {h.name}
            </th>
            <td>{h.value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** One term and its value in a `<dl className="facts">`. */
export function Fact({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div>
      <dt>{term}</dt>
      <dd>{children}</dd>
    </div>
  );
}

/** A list filter: the first choice, value "", means no filter. */
export function FilterSelect({
  label,
  value,
  onChange,
  options,
  anyLabel = 'Any',
  inline,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  options: readonly (string | { value: string; label: string })[];
  anyLabel?: string;
  /** Label and select on one line (page heads), not stacked (filter forms). */
  inline?: boolean;
}) {
  return (
    <label className={inline ? 'inline' : undefined}>
      {label}
      <select value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">{anyLabel}</option>
        {options.map((o) => {
          const option = typeof o === 'string' ? { value: o, label: o } : o;
          return (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          );
        })}
      </select>
    </label>
  );
}
