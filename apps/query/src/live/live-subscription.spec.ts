import type { WebSocket } from 'ws';
import { LiveFeedRepository, LiveFilter, TailPage } from '@eventlog/store';
import type { LiveHub } from './live-hub';
import { LiveSubscription } from './live-subscription';

/** A socket whose queue the test fills and drains by hand. */
class FakeSocket {
  readonly OPEN = 1;
  readyState = 1;
  bufferedAmount = 0;
  sent: { event: string; data: any }[] = [];
  closedWith?: number;
  send(message: string | Buffer, options: { binary?: boolean }) {
    // A Buffer is sent as text, never as a binary frame.
    expect(options.binary).toBe(false);
    this.sent.push(JSON.parse(message.toString()));
  }
  close(code: number) {
    this.closedWith = code;
  }
  terminate() {
    this.readyState = 3;
  }
}

describe('LiveSubscription', () => {
  const filter: LiveFilter = { tenant: 'default' };
  let socket: FakeSocket;
  let events: number[];
  let attached: boolean;
  let removed: boolean;
  const hub = {
    add: () => undefined,
    remove: () => (removed = true),
    detach: () => (attached = false),
    tryAttach: (s: LiveSubscription, head: number) => (attached = s.position >= head),
  };
  const feed = {
    readJsonAfter: async (_f: LiveFilter, after: number, limit: number): Promise<TailPage> => {
      const page = events.filter((p) => p > after).slice(0, limit);
      const head = events.length;
      return {
        events: page.map((position) => ({ position, tenant: 'default', stream: 's', type: 'T', json: `{"position":${position}}` })),
        seenTo: page.length < limit ? Math.max(head, after) : page[page.length - 1],
        head,
      };
    },
  };
  const until = async (done: () => boolean) => {
    for (let i = 0; i < 200 && !done(); i++) await new Promise((r) => setTimeout(r, 10));
    expect(done()).toBe(true);
  };
  const start = (position: number, slowClientMs = 5000) => {
    const s = new LiveSubscription(socket as unknown as WebSocket, { cork: () => undefined, uncork: () => undefined }, filter, position, hub as unknown as LiveHub, feed as unknown as LiveFeedRepository, { slowClientMs });
    s.start();
    return s;
  };
  const positions = () => socket.sent.filter((m) => m.event === 'event').map((m) => m.data.position);

  beforeEach(() => {
    socket = new FakeSocket();
    events = Array.from({ length: 1200 }, (_, i) => i + 1);
    attached = false;
    removed = false;
  });

  it('confirms, catches up page by page from its position, then attaches', async () => {
    start(100);
    await until(() => attached);
    expect(socket.sent[0]).toEqual({ event: 'subscribed', data: { position: 100, tenant: 'default', stream: null, streamPrefix: null, type: null } });
    expect(positions()).toEqual(events.slice(100));
  });

  it('a client that stops reading is detached, and served from where it stopped once it drains', async () => {
    const s = start(1200);
    await until(() => attached);
    socket.bufferedAmount = 2 * 1024 * 1024;
    events.push(1201, 1202, 1203);
    s.deliver(1201, Buffer.from('{"event":"event","data":{"position":1201}}'));
    expect(attached).toBe(false);
    await new Promise((r) => setTimeout(r, 100));
    expect(positions()).toEqual([1201]); // nothing more while it is not reading
    socket.bufferedAmount = 0;
    await until(() => attached);
    expect(positions()).toEqual([1201, 1202, 1203]);
    expect(socket.closedWith).toBeUndefined();
  });

  it('one that does not drain within slowClientMs is sent dropped and closed', async () => {
    const s = start(1200, 150);
    await until(() => attached);
    socket.bufferedAmount = 2 * 1024 * 1024;
    s.deliver(1201, Buffer.from('{"event":"event","data":{"position":1201}}'));
    await until(() => socket.closedWith !== undefined);
    expect(socket.closedWith).toBe(1008);
    expect(socket.sent.at(-1)).toEqual({ event: 'dropped', data: { reason: 'client too slow: nothing read for 150 ms', position: 1201 } });
    expect(removed).toBe(true);
  });

  it('skips notifications while the client is not reading', () => {
    const s = start(1200);
    s.notify('{"event":"notification","data":{"id":"a"}}');
    socket.bufferedAmount = 2 * 1024 * 1024;
    s.notify('{"event":"notification","data":{"id":"b"}}');
    expect(socket.sent.filter((m) => m.event === 'notification').map((m) => m.data.id)).toEqual(['a']);
  });
});
