import { ClientBase, Pool } from 'pg';

export interface PurgedStream {
  tenant: string;
  stream: string;
  /** Rows removed from events by this run. */
  removed: number;
}

export interface PurgeOptions {
  /** Only streams deleted at least this long ago (ms; default 0: every deleted stream). */
  deletedBeforeMs?: number;
  /** At most this many streams per run (default 1000): a run stays short; the next one continues. */
  limit?: number;
  /** List what would be purged (removed = the rows it would remove) without removing anything. */
  dryRun?: boolean;
}

/**
 * The retention job's purge: physically removes the hidden events of deleted streams, each stream
 * in a transaction of its own through eventlog_purge_stream, the one database function that may
 * delete events and that writes the audit row of each purge (docs/decisions/041). Reads are not
 * affected: a tombstone hid those events already, and the rollups were corrected when it was written.
 */
export async function purgeDeletedStreams(pool: Pool | ClientBase, options: PurgeOptions = {}): Promise<PurgedStream[]> {
  const { rows: pending } = await pool.query<{ tenant: string; stream: string; n: string }>(
    `SELECT t.tenant, t.stream,
            (SELECT count(*) FROM events e WHERE e.tenant = t.tenant AND e.stream = t.stream
                AND e.version >= t.purged_below AND e.version < t.hidden_below) AS n
       FROM stream_tombstones t
      WHERE t.purged_below < t.hidden_below AND t.deleted_at <= now() - make_interval(secs => $1::float8 / 1000)
      ORDER BY t.deleted_at
      LIMIT $2`,
    [options.deletedBeforeMs ?? 0, options.limit ?? 1000],
  );
  if (options.dryRun) return pending.map((p) => ({ tenant: p.tenant, stream: p.stream, removed: Number(p.n) }));
  const purged: PurgedStream[] = [];
  for (const { tenant, stream } of pending) {
    const { rows } = await pool.query<{ removed: string }>('SELECT eventlog_purge_stream($1, $2) AS removed', [tenant, stream]);
    purged.push({ tenant, stream, removed: Number(rows[0].removed) });
  }
  return purged;
}
