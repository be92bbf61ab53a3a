import { useState } from 'react';
import { api } from '../api.js';
import { ConfirmDialog, Countdown, ErrorBox } from '../components.js';
import { useAction } from '../hooks.js';
import { useSession } from '../session.js';

interface Sendable {
  id: string;
  kind: string;
  status: string;
  segment: string;
  recipients: number;
  send_at: string | null;
}

/** Hold-window countdown with "Send now" and "Cancel", each confirmed first; shared by incident and communication pages. */
export function SendControls({
  communication: c,
  onChange,
}: {
  communication: Sendable;
  onChange: () => void;
}) {
  const { user } = useSession();
  const [confirm, setConfirm] = useState<'send' | 'cancel' | null>(null);
  const { busy, error, run } = useAction();
  const canWrite = user.role !== 'executive';
  const held = c.status === 'scheduled';
  const sendable = held || c.status === 'approved' || (c.status === 'draft' && c.kind !== 'apology');
  const cancellable = ['draft', 'pending_approval', 'approved', 'scheduled'].includes(c.status);
  const act = async (what: 'send' | 'cancel') => {
    const done = await run(() => api.post(`/v1/communications/${c.id}/${what}`));
    setConfirm(null);
    if (done) onChange();
  };
  return (
    <div className="send-controls">
      {held && c.send_at && <Countdown until={c.send_at} />}
      {canWrite && sendable && (
        <button type="button" className="primary" onClick={() => setConfirm('send')}>
          {held ? 'Send now' : 'Send'}
        </button>
      )}
      {canWrite && cancellable && (
        <button type="button" className="danger" onClick={() => setConfirm('cancel')}>
          Cancel
        </button>
      )}
      <ErrorBox error={error} title={confirm === 'cancel' ? 'Could not cancel' : 'Could not send'} />
      <ConfirmDialog
        open={confirm === 'send'}
        title="Send this e-mail now?"
        confirmLabel="Send now"
        busy={busy}
        onConfirm={() => void act('send')}
        onCancel={() => setConfirm(null)}
      >
        <p>
          The {c.kind} to segment <strong>{c.segment}</strong> goes to about {c.recipients} recipients at
          once. This cannot be undone.
        </p>
      </ConfirmDialog>
      <ConfirmDialog
        open={confirm === 'cancel'}
        title="Cancel this e-mail?"
        confirmLabel="Cancel the e-mail"
        danger
        busy={busy}
        onConfirm={() => void act('cancel')}
        onCancel={() => setConfirm(null)}
      >
        <p>Nobody in segment {c.segment} will get it. A cancelled e-mail cannot be sent later.</p>
      </ConfirmDialog>
    </div>
  );
}
