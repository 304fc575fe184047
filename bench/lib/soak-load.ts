import { Producer } from 'kafkajs';
import { setTimeout as sleep } from 'node:timers/promises';
import { quantile } from './scenario';

/*
 * The two halves of the soak's load: a producer paced to a steady rate, and query clients that loop
 * over a mix of endpoints. Both only count; the soak reads and resets their figures once a minute.
 */

export const SOAK_STREAMS = 2000;
/** Events per request id (trace): 20, as nodes n0 … n19 of a small tree. */
const TRACE_LENGTH = 20;

/** The n-th soak event: ~400 bytes, keyed by stream, with a trace of 20 events per request id. */
export function soakEvent(n: number) {
  const stream = `soak-stream-${n % SOAK_STREAMS}`;
  const node = n % TRACE_LENGTH;
  return {
    key: stream,
    value: JSON.stringify({
      id: `soak-${n}`,
      stream,
      type: `Type${n % 10}`,
      status: n % 50 === 0 ? 'fail' : 'success',
      source: `service-${n % 7}`,
      message: `step ${node} of request ${Math.floor(n / TRACE_LENGTH)}`,
      requestId: `req-${Math.floor(n / TRACE_LENGTH)}`,
      nodeId: `n${node}`,
      parentNodeId: node === 0 ? undefined : `n${Math.floor((node - 1) / 3)}`,
      data: { n, amount: n % 1000, device: ['ios', 'android', 'web'][n % 3], note: 'x'.repeat(200) },
    }),
  };
}

/** Produces soak events `from`, `from+1`, … at `rate` per second until stopped; counts what the broker acknowledged. */
export class PacedProducer {
  produced = 0;
  errors = 0;
  lastError?: string;
  private running = false;
  private done?: Promise<void>;

  constructor(
    private readonly producer: Producer,
    private readonly topic: string,
    private readonly from: number,
  ) {}

  get next() {
    return this.from + this.produced;
  }

  start(rate: number) {
    this.running = true;
    this.done = this.loop(rate);
  }

  async stop() {
    this.running = false;
    await this.done;
  }

  private async loop(rate: number) {
    const started = Date.now();
    let attempted = 0;
    while (this.running) {
      // Whatever is due by now, so that a slow send is caught up rather than lost from the rate.
      const due = Math.floor((rate * (Date.now() - started)) / 1000) - attempted;
      if (due > 0) {
        const count = Math.min(due, Math.max(1, rate)); // at most a second's worth in one request
        const messages = Array.from({ length: count }, (_, i) => soakEvent(this.from + attempted + i));
        attempted += count;
        try {
          await this.producer.send({ topic: this.topic, messages, acks: -1 });
          this.produced += count;
        } catch (err) {
          // Counted, and the same ids sent again on the next tick: a send that did reach the broker
          // is absorbed by ingest as a duplicate, so the log still holds each event once.
          this.errors += 1;
          this.lastError = (err as Error).message;
          attempted -= count;
        }
      }
      await sleep(50);
    }
  }
}

export interface QueryFigures {
  requests: number;
  errors: number;
  latencies: number[];
  byQuery: Record<string, number[]>;
  lastError?: string;
}

const emptyFigures = (): QueryFigures => ({ requests: 0, errors: 0, latencies: [], byQuery: {} });

/**
 * `clients` concurrent HTTP clients, each looping over the query mix: a log page, a stream read, a
 * trace, a DSL count by type over the last five minutes, stats of one stream. Anything but a 200 is
 * an error. Streams and traces are drawn from events known to be persisted (below `persisted()`).
 */
export class QueryClients {
  private figures = emptyFigures();
  private running = false;
  private done?: Promise<void>;
  private seq = 0;

  constructor(
    private readonly baseUrl: string,
    private readonly persisted: () => number,
  ) {}

  private next(): { name: string; path: string; body?: unknown } {
    const known = Math.max(1, this.persisted());
    const n = Math.floor(Math.random() * known);
    const stream = `soak-stream-${n % SOAK_STREAMS}`;
    // Whole request ids only: request r is complete once event 20r+19 is persisted.
    const request = Math.floor(Math.random() * Math.max(1, Math.floor(known / TRACE_LENGTH)));
    switch (this.seq++ % 5) {
      case 0:
        return { name: 'log page', path: '/v1/events?pageSize=20&includeTotal=false' };
      case 1:
        return { name: 'stream read', path: `/v1/streams/${stream}/events?limit=100` };
      case 2:
        return { name: 'trace', path: `/v1/traces/req-${request}` };
      case 3: {
        const to = new Date();
        const from = new Date(to.getTime() - 5 * 60_000);
        return {
          name: 'DSL count',
          path: '/v1/query',
          body: { where: [{ field: 'occurredAt', operator: 'between', value: [from.toISOString(), to.toISOString()] }], reduce: { type: 'count', groupBy: ['type'] } },
        };
      }
      default:
        return { name: 'stats', path: `/v1/stats?stream=${stream}` };
    }
  }

  private async client() {
    while (this.running) {
      const q = this.next();
      const started = process.hrtime.bigint();
      let ok = false;
      try {
        const res = await fetch(`${this.baseUrl}${q.path}`, q.body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(q.body) });
        const text = await res.text();
        ok = res.status === 200;
        if (!ok) this.figures.lastError = `${q.name}: HTTP ${res.status} ${text.slice(0, 200)}`;
      } catch (err) {
        this.figures.lastError = `${q.name}: ${(err as Error).message}`;
      }
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      this.figures.requests += 1;
      if (!ok) this.figures.errors += 1;
      this.figures.latencies.push(ms);
      (this.figures.byQuery[q.name] ??= []).push(ms);
    }
  }

  start(clients: number) {
    this.running = true;
    this.done = Promise.all(Array.from({ length: clients }, () => this.client())).then(() => undefined);
  }

  async stop() {
    this.running = false;
    await this.done;
  }

  /** The figures since the last call. */
  take(): QueryFigures {
    const f = this.figures;
    this.figures = emptyFigures();
    return f;
  }
}

export const p = (values: number[], q: number) => (values.length ? Number(quantile(values, q).toFixed(1)) : NaN);

/** process_resident_memory_bytes from an app's /metrics, in MiB. */
export async function rssMiB(baseUrl: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const m = /^process_resident_memory_bytes ([0-9.e+]+)$/m.exec(text);
  if (!m) throw new Error(`${baseUrl}/metrics has no process_resident_memory_bytes`);
  return Math.round((Number(m[1]) / 1024 / 1024) * 10) / 10;
}
