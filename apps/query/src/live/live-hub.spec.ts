import { AppendNotifications, LiveFeedRepository, LiveFilter, TailEvent, TailPage } from '@eventlog/store';
import { LiveHub } from './live-hub';
import type { LiveSubscription } from './live-subscription';

/** The log as the hub's reads see it; each read can be held until the test lets it answer. */
class Log {
  events: TailEvent[] = [];
  hold?: Promise<void>;
  reads = 0;
  append(...items: [string, string, string][]) {
    for (const [tenant, stream, type] of items) {
      const position = this.events.length + 1;
      this.events.push({ position, tenant, stream, type, json: `{"position":${position}}` });
    }
  }
  readJsonAfter = async (_filter: undefined, after: number, limit: number): Promise<TailPage> => {
    this.reads++;
    const head = this.events.length;
    await this.hold;
    const events = this.events.filter((e) => e.position > after && e.position <= head).slice(0, limit);
    return { events, seenTo: Math.max(events.length < limit ? head : events[events.length - 1].position, after), head };
  };
}

class FakeSubscription {
  received: number[] = [];
  notes: string[] = [];
  /** Whether the socket is held back (corked), and how many times it was released. */
  corked = false;
  writes = 0;
  constructor(
    readonly filter: LiveFilter,
    public position: number,
  ) {}
  deliver(position: number, message: Buffer) {
    expect(message.toString()).toBe(`{"event":"event","data":{"position":${position}}}`);
    expect(this.corked).toBe(true);
    this.received.push(position);
    this.position = position;
  }
  cork() {
    expect(this.corked).toBe(false);
    this.corked = true;
  }
  uncork() {
    expect(this.corked).toBe(true);
    this.corked = false;
    this.writes++;
  }
  advanceTo(position: number) {
    this.position = Math.max(this.position, position);
  }
  notify(message: string) {
    this.notes.push(message);
  }
}

describe('LiveHub', () => {
  let log: Log;
  let hub: LiveHub;
  let appended: () => void;
  let broadcast: (payload: string) => void;
  const settle = () => new Promise((r) => setImmediate(r));
  const sub = (filter: Partial<LiveFilter>, position: number) => {
    const s = new FakeSubscription({ tenant: 'default', ...filter }, position);
    hub.add(s as unknown as LiveSubscription);
    return s;
  };
  const attach = (s: FakeSubscription) => hub.tryAttach(s as unknown as LiveSubscription, log.events.length);

  beforeEach(() => {
    log = new Log();
    const notifications = {
      subscribe: (l: () => void) => ((appended = l), () => undefined),
      subscribeBroadcasts: (l: (p: string) => void) => ((broadcast = l), () => undefined),
    };
    hub = new LiveHub(log as unknown as LiveFeedRepository, notifications as unknown as AppendNotifications);
    hub.onApplicationBootstrap();
  });

  it('hands each new event once to the attached subscriptions it matches, and moves the others on', async () => {
    const all = sub({}, 0);
    const carts = sub({ streamPrefix: 'cart-', types: ['Added'] }, 0);
    const acme = sub({ tenant: 'acme' }, 0);
    const cart1 = sub({ stream: 'cart-1' }, 0);
    const acmeCart1 = sub({ tenant: 'acme', stream: 'cart-1' }, 0);
    const cart1Removed = sub({ stream: 'cart-1', types: ['Removed'] }, 0);
    const behind = sub({}, 0); // added, never attached: it reads for itself
    [all, carts, acme, cart1, acmeCart1, cart1Removed].forEach((s) => expect(attach(s)).toBe(true));
    log.append(['default', 'cart-1', 'Added'], ['default', 'cart-2', 'Removed'], ['acme', 'cart-1', 'Added'], ['default', 'wish-1', 'Added']);
    appended();
    await settle();
    expect(all.received).toEqual([1, 2, 4]);
    expect(carts.received).toEqual([1]);
    expect(acme.received).toEqual([3]);
    expect(cart1.received).toEqual([1]);
    expect(acmeCart1.received).toEqual([3]);
    expect(cart1Removed.received).toEqual([]);
    expect(behind.received).toEqual([]);
    expect([all.position, carts.position, acme.position, cart1.position, cart1Removed.position, behind.position]).toEqual([4, 4, 4, 4, 4, 0]);
  });

  it("sends each socket's messages of one read in one write, and none to a subscription once it is removed", async () => {
    const a = sub({ stream: 'a' }, 0);
    const gone = sub({ stream: 'a' }, 0);
    [a, gone].forEach((s) => attach(s));
    await settle();
    hub.remove(gone as unknown as LiveSubscription);
    log.append(['default', 'a', 'T'], ['default', 'b', 'T'], ['default', 'a', 'T']);
    appended();
    await settle();
    expect(a.received).toEqual([1, 3]);
    expect(a.writes).toBe(1);
    expect(a.corked).toBe(false);
    expect(gone.received).toEqual([]);
    expect(gone.writes).toBe(0);
  });

  it('refuses a subscription behind what it has handed out, and never starts past the head', async () => {
    log.append(['default', 's', 'T'], ['default', 's', 'T']);
    const first = sub({}, 2);
    expect(attach(first)).toBe(true);
    await settle();
    const late = sub({}, 1);
    expect(attach(late)).toBe(false);
    // Alone again, a subscription that asks for position 100 must not move the reads to 100.
    hub.remove(first as unknown as LiveSubscription);
    hub.remove(late as unknown as LiveSubscription);
    const ahead = sub({}, 100);
    expect(attach(ahead)).toBe(true);
    const now = sub({}, 2);
    expect(attach(now)).toBe(true);
    log.append(['default', 's', 'T']);
    appended();
    await settle();
    expect(now.received).toEqual([3]);
    expect(ahead.received).toEqual([]);
  });

  it('reads again when an append is notified while a read is under way', async () => {
    const s = sub({}, 0);
    attach(s);
    await settle();
    let release!: () => void;
    log.hold = new Promise((r) => (release = r));
    log.append(['default', 's', 'T']);
    appended();
    log.append(['default', 's', 'T']); // committed after the read began: its notification comes now
    appended();
    log.hold = undefined;
    release();
    await settle();
    await settle();
    expect(s.received).toEqual([1, 2]);
  });

  it("hands a notification to every matching subscription of its tenant, attached or not", () => {
    const attached = sub({ stream: 'deploy-7' }, 0);
    attach(attached);
    const catchingUp = sub({}, 0);
    const other = sub({ tenant: 'acme' }, 0);
    const typed = sub({ types: ['OrderPlaced'] }, 0);
    const payload = JSON.stringify({ id: 'n1', tenant: 'default', type: 'progress', stream: 'deploy-7', progress: 5 });
    broadcast(payload);
    broadcast('not json');
    broadcast(JSON.stringify({ tenant: 'default', type: 'progress' })); // no stream: not for a stream filter
    expect(attached.notes).toEqual([`{"event":"notification","data":${payload}}`]);
    expect(catchingUp.notes).toHaveLength(2);
    expect(other.notes).toEqual([]);
    expect(typed.notes).toEqual([]);
  });
});
