import { Injectable } from '@nestjs/common';
import { PlannedRow } from './append-plan';

/**
 * A transaction of this process on its way to commit: its rows with their final positions (dense,
 * in order) and recorded_at as contract text. `committed` settles when COMMIT answers: false when it
 * failed, after which the same positions may be planned again by another transaction.
 */
export interface CommittingAppend {
  rows: PlannedRow[];
  recordedAt: string;
  committed: Promise<boolean>;
}

/**
 * Hands each append transaction of this process, just before its COMMIT, to at most one listener:
 * the relay, which publishes it from memory instead of reading it back (decision 042). With no
 * listener (the query app, or ingest without the relay) it costs nothing.
 */
@Injectable()
export class AppendCommits {
  private listener?: (append: CommittingAppend) => void;

  listen(listener: (append: CommittingAppend) => void): () => void {
    this.listener = listener;
    return () => {
      if (this.listener === listener) this.listener = undefined;
    };
  }

  /**
   * Called under the position lock, so listeners see transactions in position order; the caller
   * settles the returned function with COMMIT's outcome.
   */
  committing(rows: PlannedRow[], recordedAt: string): ((committed: boolean) => void) | undefined {
    if (!this.listener || rows.length === 0) return undefined;
    let settle!: (committed: boolean) => void;
    const committed = new Promise<boolean>((resolve) => (settle = resolve));
    this.listener({ rows, recordedAt, committed });
    return settle;
  }
}
