import WebSocket from 'ws';

export interface WsMessage {
  event: string;
  data: any;
  /** When it arrived (Date.now()), for latency figures. */
  at: number;
}

/**
 * A WebSocket client of /v1/ws (the `ws` package: Node 20 has no global WebSocket) that records
 * every message it is sent and lets a test wait for one, without polling.
 */
export class WsClient {
  readonly messages: WsMessage[] = [];
  closed?: { code: number; reason: string };
  private waiters: (() => void)[] = [];

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (raw) => {
      const { event, data } = JSON.parse(raw.toString());
      this.messages.push({ event, data, at: Date.now() });
      this.wakeAll();
    });
    socket.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.wakeAll();
    });
  }

  /** Opens a socket; rejects with the HTTP status if the upgrade is refused. */
  static open(url: string, headers: Record<string, string> = {}): Promise<WsClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { headers });
      const client = new WsClient(socket);
      socket.once('open', () => resolve(client));
      socket.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { status: res.statusCode })));
      socket.once('error', reject);
    });
  }

  send(event: string, data?: unknown) {
    this.socket.send(JSON.stringify(data === undefined ? { event } : { event, data }));
  }

  sendRaw(text: string) {
    this.socket.send(text);
  }

  /** Messages of one kind (`event`, `notification`, `error`, …), their data. */
  of(event: string): any[] {
    return this.messages.filter((m) => m.event === event).map((m) => m.data);
  }

  /** Waits until `done` holds of the messages received so far; fails naming `what` after timeoutMs. */
  async until(done: (messages: WsMessage[]) => boolean, what: string, timeoutMs = 30000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done(this.messages)) {
      if (this.closed && !done(this.messages)) throw new Error(`socket closed (${this.closed.code} ${this.closed.reason}) while waiting for ${what}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; got ${JSON.stringify(this.messages.slice(-5))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** The next message of a kind after the `count` already received. */
  async nth(event: string, count: number, timeoutMs = 30000): Promise<any> {
    await this.until((ms) => ms.filter((m) => m.event === event).length > count, `${event} #${count + 1}`, timeoutMs);
    return this.of(event)[count];
  }

  close() {
    this.socket.terminate();
  }

  private wakeAll() {
    const waiters = this.waiters;
    this.waiters = [];
    waiters.forEach((w) => w());
  }
}
