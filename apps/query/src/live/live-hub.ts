import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AppendNotifications, LiveFeedRepository, liveFilterMatches, TailPage } from '@eventlog/store';
import type { LiveSubscription } from './live-subscription';

const PAGE = 1000;

const streamKey = (tenant: string, stream: string) => `${tenant}\u0000${stream}`;

/**
 * The WebSocket subscribers of this process and what they share: after each append notification,
 * one read of every tenant's new events, handed in memory to the caught-up subscriptions whose
 * filter matches (one query per append, not one per subscriber), and every broadcast notification
 * handed to the matching subscriptions of its tenant. A subscription that is behind reads for
 * itself (LiveSubscription) and attaches here once it has caught up.
 *
 * The cost that grows with subscribers is kept per delivered message (docs/decisions/036): an
 * event finds the subscriptions of its own stream by key (only those without a stream filter are
 * tested one by one), is encoded once for all of them, and each socket's messages of one read go
 * out in one write.
 */
@Injectable()
export class LiveHub implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(LiveHub.name);
  private readonly byTenant = new Map<string, Set<LiveSubscription>>();
  private readonly attached = new Set<LiveSubscription>();
  /** The attached subscriptions that follow one stream, by tenant and stream. */
  private readonly attachedByStream = new Map<string, Set<LiveSubscription>>();
  /** The attached subscriptions without a stream filter (a prefix, a type, or all), by tenant. */
  private readonly attachedByTenant = new Map<string, Set<LiveSubscription>>();
  /** Every event up to here has been handed to each attached subscription. */
  private position = 0;
  private reading = false;
  private readAgain = false;
  private unsubscribe: (() => void)[] = [];

  constructor(
    private readonly feed: LiveFeedRepository,
    private readonly notifications: AppendNotifications,
  ) {}

  onApplicationBootstrap() {
    this.unsubscribe = [this.notifications.subscribe(() => this.wake()), this.notifications.subscribeBroadcasts((p) => this.onBroadcast(p))];
  }

  onApplicationShutdown() {
    this.unsubscribe.forEach((u) => u());
  }

  add(subscription: LiveSubscription) {
    const tenant = subscription.filter.tenant;
    const set = this.byTenant.get(tenant) ?? new Set();
    this.byTenant.set(tenant, set.add(subscription));
  }

  remove(subscription: LiveSubscription) {
    this.detach(subscription);
    const set = this.byTenant.get(subscription.filter.tenant);
    set?.delete(subscription);
    if (set?.size === 0) this.byTenant.delete(subscription.filter.tenant);
  }

  /**
   * Takes over a subscription that has read up to its position (`head`: the newest position its
   * read saw): true when that is at or past what has been handed out, so every later event reaches
   * it from here; false when it must read on.
   */
  tryAttach(subscription: LiveSubscription, head: number): boolean {
    if (subscription.position < this.position) return false;
    // Nobody to keep up to date: start where this subscription is instead of re-reading, but never
    // past the head (a subscription may ask for positions not yet written).
    if (this.attached.size === 0 && !this.reading) this.position = Math.max(this.position, Math.min(subscription.position, head));
    this.attached.add(subscription);
    const [index, key] = this.indexOf(subscription);
    index.set(key, (index.get(key) ?? new Set()).add(subscription));
    // An append notified between its read and now would otherwise wait for the next one.
    this.wake();
    return true;
  }

  detach(subscription: LiveSubscription) {
    if (!this.attached.delete(subscription)) return;
    const [index, key] = this.indexOf(subscription);
    const set = index.get(key);
    set?.delete(subscription);
    if (set?.size === 0) index.delete(key);
  }

  private indexOf({ filter }: LiveSubscription): [Map<string, Set<LiveSubscription>>, string] {
    return filter.stream === undefined ? [this.attachedByTenant, filter.tenant] : [this.attachedByStream, streamKey(filter.tenant, filter.stream)];
  }

  private wake() {
    if (this.reading) {
      this.readAgain = true;
      return;
    }
    if (this.attached.size > 0) void this.read();
  }

  private async read() {
    this.reading = true;
    try {
      do {
        this.readAgain = false;
        const page = await this.feed.readJsonAfter(undefined, this.position, PAGE);
        this.dispatch(page);
        if (page.events.length === PAGE) this.readAgain = true;
      } while (this.readAgain && this.attached.size > 0);
    } catch (err) {
      // Postgres away: the next notification (at the latest the LISTEN reconnect's) reads again.
      this.logger.warn(`live tail read failed: ${(err as Error).message}`);
    } finally {
      this.reading = false;
    }
  }

  private dispatch(page: TailPage) {
    const corked = new Set<LiveSubscription>();
    try {
      for (const event of page.events) {
        let message: Buffer | undefined;
        for (const subscriptions of [this.attachedByStream.get(streamKey(event.tenant, event.stream)), this.attachedByTenant.get(event.tenant)]) {
          if (!subscriptions) continue;
          // A subscription may detach while this runs (its client stopped reading): Set iteration allows it.
          for (const s of subscriptions) {
            if (event.position <= s.position || !liveFilterMatches(s.filter, event)) continue;
            if (!corked.has(s)) {
              corked.add(s);
              s.cork();
            }
            s.deliver(event.position, (message ??= Buffer.from(`{"event":"event","data":${event.json}}`)));
          }
        }
      }
    } finally {
      for (const s of corked) s.uncork();
    }
    this.position = Math.max(this.position, page.seenTo);
    for (const s of this.attached) s.advanceTo(this.position);
  }

  private onBroadcast(payload: string) {
    let notification: { tenant?: unknown; stream?: unknown; type?: unknown };
    try {
      notification = JSON.parse(payload);
    } catch {
      return; // not one of ours
    }
    const { tenant, stream, type } = notification;
    if (typeof tenant !== 'string' || typeof type !== 'string') return;
    const subscriptions = this.byTenant.get(tenant);
    if (!subscriptions) return;
    const message = `{"event":"notification","data":${payload}}`;
    const item = { tenant, type, stream: typeof stream === 'string' ? stream : null };
    for (const s of subscriptions) if (liveFilterMatches(s.filter, item)) s.notify(message);
  }
}
