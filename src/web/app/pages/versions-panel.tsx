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

/** Every version of a communication, and the diff between any two. */
export function VersionsPanel({ communicationId, current }: { communicationId: string; current: number }) {
  const [from, setFrom] = useState(Math.max(1, current - 1));
  const [to, setTo] = useState(current);
  const versions = useApi<{ data: Version[]; diff?: string }>(
    `/v1/communications/${communicationId}/versions${from !== to ? `?diff=${from}..${to}` : ''}`,
  );
  const list = versions.data?.data ?? [];
  return (
    <section aria-label="Versions">
      <ErrorBox error={versions.error} />
      {versions.loading && <Loading />}
      <ol className="versions">
        {list.map((v) => (
          <li key={v.version}>
            <strong>v{v.version}</strong> {v.subject}{' '}
            <span className="muted small">
              {formatDateTime(v.created_at)} {v.created_by ? `by ${v.created_by}` : ''}
            </span>
          </li>
        ))}
      </ol>
      {list.length > 1 && (
        <div className="row">
          <label className="inline">
            Compare
            <select value={from} onChange={(e) => setFrom(Number(e.target.value))}>
              {list.map((v) => (
                <option key={v.version} value={v.version}>
                  v{v.version}
                </option>
              ))}
            </select>
          </label>
          <label className="inline">
            with
            <select value={to} onChange={(e) => setTo(Number(e.target.value))}>
              {list.map((v) => (
                <option key={v.version} value={v.version}>
                  v{v.version}
                </option>
              ))}
            </select>
          </label>
        </div>
      )}
      {versions.data?.diff && <Diff text={versions.data.diff} />}
    </section>
  );
}
