/**
 * The condition that keeps the events of deleted streams out of a read: every version below its
 * tombstone's hidden_below (docs/decisions/041). The tombstones are few: the planner hashes them
 * once for a scan (migration 014 keeps the table from looking empty, see there) or probes their
 * key for a short page.
 */
export const visibleEvent = (alias = 'e') =>
  `NOT EXISTS (SELECT 1 FROM stream_tombstones tomb WHERE tomb.tenant = ${alias}.tenant AND tomb.stream = ${alias}.stream AND ${alias}.version < tomb.hidden_below)`;

/**
 * True of every row when the tenant (a bound parameter) has no tombstone, false of every row
 * otherwise: an uncorrelated condition Postgres evaluates once per statement, in the statement's
 * snapshot. In place of visibleEvent it lets a scan read only index columns, where visibleEvent
 * needs each row's stream and version from the table.
 */
export const noDeletedStreams = (tenantParam: string) => `NOT EXISTS (SELECT 1 FROM stream_tombstones tomb WHERE tomb.tenant = ${tenantParam})`;
