/**
 * The condition that keeps the events of deleted streams out of a read: every version below its
 * tombstone's hidden_below (docs/decisions/041). The tombstones are few: the planner hashes them
 * once for a scan (migration 014 keeps the table from looking empty, see there) or probes their
 * key for a short page.
 */
export const visibleEvent = (alias = 'e') =>
  `NOT EXISTS (SELECT 1 FROM stream_tombstones tomb WHERE tomb.tenant = ${alias}.tenant AND tomb.stream = ${alias}.stream AND ${alias}.version < tomb.hidden_below)`;
