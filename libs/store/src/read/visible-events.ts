/**
 * The condition that keeps the events of deleted streams out of a read: every version below its
 * tombstone's hidden_below (docs/decisions/041). The tombstones are few, so the planner anti-joins
 * them by hash or probes their key; a log without deletions pays one probe of an empty table.
 */
export const visibleEvent = (alias = 'e') =>
  `NOT EXISTS (SELECT 1 FROM stream_tombstones tomb WHERE tomb.tenant = ${alias}.tenant AND tomb.stream = ${alias}.stream AND ${alias}.version < tomb.hidden_below)`;
