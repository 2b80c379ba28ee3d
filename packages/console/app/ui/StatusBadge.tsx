import { statusLabel } from './format';

/** A run's or node's status as a coloured pill; the word is always there, not only the colour. */
export function StatusBadge({ status }: { status: string }) {
  return (
    <span className={`status status-${status}`} data-status={status}>
      {statusLabel(status)}
    </span>
  );
}
