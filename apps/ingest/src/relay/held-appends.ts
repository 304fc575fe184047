import { setTimeout as sleep } from 'node:timers/promises';
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

  /**
   * Up to `max` events starting exactly at checkpoint + 1, from committed appends only, as the
   * relay's Postgres read would return them; [] when the next position is not held here (a batch
   * another process appended, one let go, or a checkpoint another relay moved), and the caller
   * reads from Postgres. Waits for the commit of an append still committing, up to COMMIT_WAIT_MS.
   */
  async take(checkpoint: number, max: number): Promise<OutboundRow[]> {
    const rows: OutboundRow[] = [];
    let next = checkpoint + 1;
    while (rows.length < max) {
      this.release(next - 1);
      const append = this.appends[0];
      if (!append || first(append) > next) break;
      const committed = await settled(append.committed);
      // A COMMIT whose answer is lost on the wire must not hold the relay up: Postgres has it, if anyone.
      if (committed === undefined) break;
      // A failed commit's positions are planned again by a later transaction, held after it.
      if (!committed) {
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

/** How long the relay waits for a held append's COMMIT to answer before it reads from Postgres instead. */
const COMMIT_WAIT_MS = 1000;

/** The commit's outcome, or undefined if it has not answered within COMMIT_WAIT_MS. */
async function settled(committed: Promise<boolean>): Promise<boolean | undefined> {
  const ac = new AbortController();
  try {
    return await Promise.race([committed, sleep(COMMIT_WAIT_MS, undefined, { signal: ac.signal }).catch(() => undefined)]);
  } finally {
    ac.abort();
  }
}

const first = (a: CommittingAppend) => a.rows[0].position;
const last = (a: CommittingAppend) => a.rows[a.rows.length - 1].position;
