import { useState } from 'react';
import { ErrorBox, Loading } from '../components.js';
import { formatDateTime } from '../format.js';
import { useApi } from '../hooks.js';
import type { Version } from '../types.js';

/** A unified diff, coloured by line: what changed between two versions. */
export function Diff({ text }: { text: string }) {
  const lines = text.split('\n').filter((l) => !l.startsWith('===') && !l.startsWith('Index:'));
  return (
    <pre className="diff">
      {lines.map((line, i) => {
        const kind = line.startsWith('+++') || line.startsWith('---') ? 'file' : line[0];
        const cls = kind === '+' ? 'add' : kind === '-' ? 'del' : kind === '@' ? 'hunk' : '';
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: lines of a fixed text
          <span key={i} className={cls}>
            {line}
            {'\n'}
          </span>
        );
      })}
    </pre>
  );
}

function VersionSelect({
  label,
  versions,
  value,
  onChange,
}: {
  label: string;
  versions: Version[];
  value: number;
  onChange: (version: number) => void;
}) {
  return (
    <label className="inline">
      {label}
      <select value={value} onChange={(e) => onChange(Number(e.target.value))}>
        {versions.map((v) => (
          <option key={v.version} value={v.version}>
            v{v.version}
          </option>
        ))}
      </select>
    </label>
  );
}

/** Every version of a communication, and the diff between any two. */
export function VersionsPanel({ communicationId, current }: { communicationId: string; current: number }) {
  const [from, setFrom] = useState(Math.max(1, current - 1));
  const [to, setTo] = useState(current);
  const path = `/v1/communications/${communicationId}/versions`;
  const versions = useApi<{ data: Version[] }>(path);
  // Loaded apart from the list: choosing versions then never unmounts the selects and the focus in them.
  const diff = useApi<{ diff?: string }>(from !== to ? `${path}?diff=${from}..${to}` : null);
  const list = versions.data?.data ?? [];
  return (
    <section aria-label="Versions">
      <ErrorBox error={versions.error ?? diff.error} />
      {(versions.loading || diff.loading) && <Loading />}
      <ol className="versions">
        {list.map((v) => (
          <li key={v.version}>
            <strong>v{v.version}</strong> {v.subject}{' '}
            <span className="muted small">
              {formatDateTime(v.created_at)} {v.created_by ? `by ${v.created_by_name ?? v.created_by}` : ''}
            </span>
          </li>
        ))}
      </ol>
      {list.length > 1 && (
        <div className="row">
          <VersionSelect label="Compare" versions={list} value={from} onChange={setFrom} />
          <VersionSelect label="with" versions={list} value={to} onChange={setTo} />
        </div>
      )}
      {diff.data?.diff && <Diff text={diff.data.diff} />}
    </section>
  );
}
