import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { setTimeout as sleep } from 'node:timers/promises';
import { LiveFeedRepository, LiveFilter } from '@eventlog/store';
import { toErrorBody } from '../errors/api-error';
import type { LiveHub } from './live-hub';

const PAGE = 500;
/** Bytes queued on a socket above which it is served from Postgres, page by page, instead of from the hub. */
const HIGH_WATER = 1024 * 1024;
const LOW_WATER = 256 * 1024;

export interface LiveSubscriptionOptions {
  slowClientMs: number;
}

/**
 * One socket's subscription (`subscribe` on /v1/ws): the SSE feed's rule, a position and a filter.
 * Behind the head it reads pages of matching events itself; caught up, it attaches to the hub, which
 * hands it each new matching event. A client that stops reading goes back to reading pages once its
 * queue has drained, so it holds at most a page in memory; one that does not drain within
 * `slowClientMs` is sent `dropped` and closed, as the SSE feed does.
 */
export class LiveSubscription {
  private closed = false;

  constructor(
    private readonly socket: WebSocket,
    /** The socket's TCP connection (the upgrade's), held back while the hub hands out a read. */
    private readonly connection: Pick<Duplex, 'cork' | 'uncork'>,
    readonly filter: LiveFilter,
    public position: number,
    private readonly hub: LiveHub,
    private readonly feed: LiveFeedRepository,
    private readonly options: LiveSubscriptionOptions,
  ) {}

  start() {
    this.hub.add(this);
    const { tenant, stream, streamPrefix, types } = this.filter;
    this.send(JSON.stringify({ event: 'subscribed', data: { position: this.position, tenant, stream: stream ?? null, streamPrefix: streamPrefix ?? null, type: types ?? null } }));
    void this.catchUp();
  }

  /** From the hub: a new matching event after this subscription's position (its message as UTF-8, shared by every socket). */
  deliver(position: number, message: Buffer) {
    this.send(message);
    this.position = position;
    if (this.socket.bufferedAmount > HIGH_WATER) {
      this.hub.detach(this);
      void this.catchUp();
    }
  }

  /** From the hub, around what it delivers from one read: the messages leave in one write, not one each. */
  cork() {
    this.connection.cork();
  }

  uncork() {
    this.connection.uncork();
  }

  /** From the hub: nothing else matched up to here. */
  advanceTo(position: number) {
    if (position > this.position) this.position = position;
  }

  /** A notification; skipped while the client is not reading (it is ephemeral, not owed). */
  notify(message: string) {
    if (this.socket.bufferedAmount <= HIGH_WATER) this.send(message);
  }

  close() {
    this.closed = true;
    this.hub.remove(this);
  }

  private send(message: string | Buffer) {
    // A Buffer would go as a binary frame by default; every message is JSON text.
    if (!this.closed && this.socket.readyState === this.socket.OPEN) this.socket.send(message, { binary: false });
  }

  private async catchUp() {
    try {
      while (!this.closed) {
        if (!(await this.drained())) return this.drop();
        const page = await this.feed.readJsonAfter(this.filter, this.position, PAGE);
        if (this.closed) return;
        let sent = 0;
        for (const event of page.events) {
          this.send(`{"event":"event","data":${event.json}}`);
          this.position = event.position;
          if (++sent < page.events.length && this.socket.bufferedAmount > HIGH_WATER) break;
        }
        if (sent < page.events.length || page.events.length === PAGE) continue;
        this.position = page.seenTo;
        if (this.hub.tryAttach(this, page.head)) return;
      }
    } catch (err) {
      // Postgres away: say so; the client resumes with fromPosition once it is back.
      this.send(JSON.stringify({ event: 'error', data: toErrorBody(err) }));
      this.close();
      this.socket.close(1011, 'live feed unavailable');
    }
  }

  /** Waits until the socket's queue is down to LOW_WATER; false if that takes over slowClientMs. */
  private async drained(): Promise<boolean> {
    const deadline = Date.now() + this.options.slowClientMs;
    while (!this.closed && this.socket.bufferedAmount > LOW_WATER) {
      if (Date.now() >= deadline) return false;
      await sleep(20);
    }
    return true;
  }

  private drop() {
    if (this.closed) return;
    const reason = `client too slow: nothing read for ${this.options.slowClientMs} ms`;
    this.send(JSON.stringify({ event: 'dropped', data: { reason, position: this.position } }));
    this.close();
    this.socket.close(1008, 'client too slow');
    // A client that reads nothing never takes the close frame either.
    setTimeout(() => this.socket.terminate(), 1000).unref();
  }
}
