import { appendedOutboundRow, CommittingAppend, OutboundRow } from '@eventlog/store';

/**
 * The append transactions this process committed and the relay has not published yet, in position
 * order, at most `maxEvents` events: past that the oldest are let go and the relay reads them from
 * Postgres. Held only while the relay holds its lease (start to stop).
 */
export class HeldAppends {
  private appends: CommittingAppend[] = [];
  private events = 0;
  private holding = false;

  constructor(private readonly maxEvents: number) {}

  start(): void {
    this.holding = true;
  }

  /** The lease is gone: what is held may be published by another relay, or not at all. */
  stop(): void {
    this.holding = false;
    this.appends = [];
    this.events = 0;
  }

  hold(append: CommittingAppend): void {
    if (!this.holding) return;
    this.appends.push(append);
    this.events += append.rows.length;
    while (this.events > this.maxEvents && this.appends.length > 1) this.events -= this.appends.shift()!.rows.length;
  }

  /** Whether an append holds the position right after `checkpoint`; it may still be committing. */
  holds(checkpoint: number): boolean {
    return this.appends.some((a) => first(a) <= checkpoint + 1 && last(a) > checkpoint);
  }

  /**
   * Up to `max` events starting exactly at checkpoint + 1, from committed appends only, as the
   * relay's Postgres read would return them; [] when the next position is not held here (a batch
   * another process appended, one let go, or a checkpoint another relay moved), and the caller
   * reads from Postgres. Waits for the commit of an append still committing.
   */
  async take(checkpoint: number, max: number): Promise<OutboundRow[]> {
    const rows: OutboundRow[] = [];
    let next = checkpoint + 1;
    while (rows.length < max) {
      this.release(next - 1);
      const append = this.appends[0];
      if (!append || first(append) > next) break;
      // A failed commit's positions are planned again by a later transaction, held after it.
      if (!(await append.committed)) {
        this.drop(append);
        continue;
      }
      // Meanwhile the relay may have stopped, or the append may have been let go.
      if (this.appends[0] !== append) continue;
      const from = next - first(append);
      for (let i = from; i < append.rows.length && rows.length < max; i++) {
        const row = appendedOutboundRow(append.rows[i], append.recordedAt);
        // An event whose stored text is not certain here: Postgres's read publishes it.
        if (!row) return rows;
        rows.push(row);
        next += 1;
      }
    }
    return rows;
  }

  /** Lets go of every position up to `checkpoint`, published one way or the other. */
  release(checkpoint: number): void {
    while (this.appends.length > 0 && last(this.appends[0]) <= checkpoint) this.drop(this.appends[0]);
  }

  private drop(append: CommittingAppend): void {
    const i = this.appends.indexOf(append);
    if (i < 0) return;
    this.appends.splice(i, 1);
    this.events -= append.rows.length;
  }
}

const first = (a: CommittingAppend) => a.rows[0].position;
const last = (a: CommittingAppend) => a.rows[a.rows.length - 1].position;
