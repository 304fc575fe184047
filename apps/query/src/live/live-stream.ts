import { ServerResponse } from 'node:http';
import { once } from 'node:events';
import { StoredEvent } from '@eventlog/contracts';
import { LiveFeedRepository, LiveFilter } from '@eventlog/store';

const PAGE = 500;

export interface LiveStreamOptions {
  heartbeatMs: number;
  slowClientMs: number;
}

/**
 * One Server-Sent Events connection: catch up from a position, then follow new appends. Writes one
 * event at a time and waits for the socket to drain, so a slow reader holds at most one event in
 * memory; one that does not drain within `slowClientMs` is sent a final `dropped` event and closed.
 */
export class LiveStream {
  private closed = false;
  private wake?: () => void;
  private appended = false;

  constructor(
    private readonly res: ServerResponse,
    private readonly feed: LiveFeedRepository,
    private readonly filter: LiveFilter,
    private position: number,
    private readonly options: LiveStreamOptions,
  ) {
    res.on('close', () => this.close());
  }

  /** Called on every append notification. */
  onAppended = () => {
    this.appended = true;
    this.wake?.();
  };

  async run(): Promise<void> {
    this.res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    this.res.write('retry: 2000\n\n');
    let lastWrite = Date.now();
    while (!this.closed) {
      this.appended = false;
      const page = await this.feed.readAfter(this.filter, this.position, PAGE);
      for (const event of page.events) {
        if (!(await this.send(event))) return;
        lastWrite = Date.now();
      }
      this.position = page.seenTo;
      if (page.events.length === PAGE) continue;
      if (Date.now() - lastWrite >= this.options.heartbeatMs) {
        if (!(await this.write(`: heartbeat ${new Date().toISOString()}\n\n`))) return;
        lastWrite = Date.now();
      }
      await this.idle(this.options.heartbeatMs - (Date.now() - lastWrite));
    }
  }

  private send(event: StoredEvent): Promise<boolean> {
    return this.write(`id: ${event.position}\ndata: ${JSON.stringify(event)}\n\n`);
  }

  /** Writes, and if the socket buffer is full waits for it to drain; false once the stream is over. */
  private async write(chunk: string): Promise<boolean> {
    if (this.closed) return false;
    if (this.res.write(chunk)) return true;
    const drained = await Promise.race([
      once(this.res, 'drain').then(() => true, () => false),
      new Promise<boolean>((resolve) => setTimeout(resolve, this.options.slowClientMs, false).unref()),
    ]);
    if (drained && !this.closed) return true;
    if (!this.closed) {
      const reason = `client too slow: nothing read for ${this.options.slowClientMs} ms`;
      this.res.end(`event: dropped\ndata: ${JSON.stringify({ reason, position: this.position })}\n\n`);
      this.close();
    }
    return false;
  }

  private async idle(ms: number) {
    if (this.appended || this.closed) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, Math.max(0, ms));
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wake = undefined;
  }

  close() {
    this.closed = true;
    this.wake?.();
  }
}
