import { NewEvent } from '@eventlog/contracts';
import { EventStoreRepository, RelaySession } from '@eventlog/store';
import { toOutboundRecord } from '../apps/ingest/src/relay/outbound-record';
import { AppProcess } from './support/app-process';
import { TestDatabase } from './support/database';
import { appEnv } from './support/ingest-env';
import { produceLoad } from './support/produce-load';
import { outboundPositions, range, relayActive, relayCases } from './support/relay-cases';
import { waitFor } from './support/wait-for';

/*
 * Decision 042: the relay inside ingest publishes the batches that process just committed from
 * memory when they start right after its checkpoint, and reads from Postgres otherwise. These
 * tests tell the two paths apart by eventlog_relay_published_total{read}.
 */

async function published(p: AppProcess): Promise<{ memory: number; postgres: number }> {
  const text = await (await fetch(`${p.url}/metrics`)).text();
  const count = (read: string) => Number(new RegExp(`^eventlog_relay_published_total\\{read="${read}"\\} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
  return { memory: count('memory'), postgres: count('postgres') };
}

describe('relay from memory: the batches its own process committed, else from Postgres', () => {
  const { tk, cleanup, setUp } = relayCases();

  const checkpoint = (db: TestDatabase) => db.count('SELECT coalesce(max(position), 0)::int AS n FROM relay_checkpoint');
  const waitCheckpoint = (db: TestDatabase, n: number) => waitFor(() => checkpoint(db), (p) => p >= n, { timeoutMs: 60000, what: `the relay checkpoint at ${n}` });

  it('publishes from memory exactly the records that the Postgres read makes: key, value bytes, headers', async () => {
    const { db, topics } = await setUp('relay_mem_bytes');
    const ingest = await AppProcess.start('ingest', 'relay-mem-bytes', appEnv(db, topics));
    cleanup.push(() => ingest.stop());
    await waitFor(() => relayActive(ingest), (f) => f === 1, { what: 'the relay active' });

    // Values whose spelling Postgres decides: jsonb's key order (by UTF-8 length, then bytes) and
    // spacing, numbers in exponent form, escapes, non-ASCII, and every optional field.
    const messages = Array.from({ length: 40 }, (_, i) => {
      const body = {
        id: `mb-${i}`,
        tenant: i % 2 ? 'tenant-ü' : undefined,
        stream: `mb-stream-${i % 3}`,
        type: 'Bytes\tType',
        source: i % 3 ? 'src "quoted"' : undefined,
        status: i % 4 ? 'running' : undefined,
        message: i % 5 ? 'line\nnext \\ back' : undefined,
        parentNodeId: i % 2 ? `mb-${i - 1}` : undefined,
        data: { b: i, aa: [1, 2.5, {}, []], a: { z: null, é: 'x"\n\u0001/\u007f', '😀': '🙂' }, ab: (i + 1) * 1e21, c: (i + 1) * 1.5e-7, d: -0, e: true, 10: 'n', 2: 'm', deep: { k: [{ y: false }] } },
        metadata: i % 2 ? { trace: { span: i, tags: ['a', 'b'] }, ää: 1, zz: 2 } : undefined,
      };
      return { key: body.stream, value: JSON.stringify(body) };
    });
    await tk.produce(topics.ingest, messages);
    const records = await tk.readPositions(topics.outbound, messages.length);
    expect(await published(ingest)).toEqual({ memory: messages.length, postgres: 0 });
    await ingest.stop();

    // The same events through the Postgres path: the relay's own read.
    const session = (await RelaySession.tryAcquire(db.url, `${topics.outbound}.check`, () => undefined, () => undefined))!;
    const rows = await session.readAfter(0, 1000);
    await session.close();
    expect(rows).toHaveLength(messages.length);
    for (const row of rows) {
      const expected = toOutboundRecord(row);
      const got = records.find((r) => r.headerText['eventlog-position'] === row.position)!;
      expect(got.key!.toString('utf8')).toBe(expected.key);
      expect(got.value!.equals(Buffer.from(expected.value as string, 'utf8'))).toBe(true);
      expect(got.headerText).toEqual(expected.headers);
    }
  });

  it('reads from Postgres while behind, after a batch it did not append and after a lease change; from memory once contiguous again', async () => {
    const { db, topics } = await setUp('relay_mem_switch');
    const elsewhere = new EventStoreRepository(db.pool);
    let appendedElsewhere = 0;
    /** Appends in this test process, as another ingest instance or the query app would. */
    const appendElsewhere = async (n: number) => {
      const events: NewEvent[] = Array.from({ length: n }, (_, i) => {
        const id = `other-${appendedElsewhere + i}`;
        return {
          id, tenant: 'default', stream: `other-${i % 4}`, type: 'Other', data: { i }, metadata: {}, source: null, status: null, message: null,
          requestId: null, nodeId: id, parentNodeId: null, occurredAt: new Date(), expectedVersion: 'any', kafka: null,
        };
      });
      appendedElsewhere += n;
      await elsewhere.appendBatch(events);
    };
    const last = () => db.count('SELECT last::int AS n FROM event_position');
    /** Holds the relay lease in this test process until it is closed. */
    const takeLease = () =>
      waitFor(() => RelaySession.tryAcquire(db.url, topics.outbound, () => undefined, () => undefined), (s) => s !== undefined, {
        intervalMs: 20,
        what: 'the relay lease',
      }) as Promise<RelaySession>;

    // Behind: while another holds the lease, ingest appends 200 and another writer 300.
    let lease = await takeLease();
    const ingest = await AppProcess.start('ingest', 'relay-mem-switch', appEnv(db, topics));
    cleanup.push(() => ingest.stop());
    await appendElsewhere(300);
    await produceLoad(tk, topics.ingest, { count: 200, streams: 5, prefix: 'sw-a' });
    await waitFor(last, (n) => n === 500, { what: '500 events appended' });
    expect(await relayActive(ingest)).toBe(0);
    await lease.close();
    await waitCheckpoint(db, 500);
    // Its own 200 were appended while it did not hold the lease: read back, like the others.
    expect(await published(ingest)).toEqual({ memory: 0, postgres: 500 });

    // Caught up: what it appends now starts right after the checkpoint.
    await produceLoad(tk, topics.ingest, { count: 200, streams: 5, prefix: 'sw-b' });
    await waitCheckpoint(db, 700);
    expect(await published(ingest)).toEqual({ memory: 200, postgres: 500 });

    // A batch it did not append: read from Postgres, then memory again.
    await appendElsewhere(50);
    await waitCheckpoint(db, 750);
    await produceLoad(tk, topics.ingest, { count: 100, streams: 5, prefix: 'sw-c' });
    await waitCheckpoint(db, 850);
    expect(await published(ingest)).toEqual({ memory: 300, postgres: 550 });

    // A lease change: its lease connection dies and another holder takes the lease meanwhile.
    await db.pool.query(`SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND classid = 4242002 AND granted`);
    lease = await takeLease();
    await produceLoad(tk, topics.ingest, { count: 100, streams: 5, prefix: 'sw-d' });
    await waitFor(last, (n) => n === 950, { what: '950 events appended' });
    await lease.close();
    await waitCheckpoint(db, 950);
    expect(await published(ingest)).toEqual({ memory: 300, postgres: 650 });
    await produceLoad(tk, topics.ingest, { count: 100, streams: 5, prefix: 'sw-e' });
    await waitCheckpoint(db, 1050);
    expect(await published(ingest)).toEqual({ memory: 400, postgres: 650 });

    const { unique, ordered } = outboundPositions(await tk.readPositions(topics.outbound, 1050));
    expect(unique).toEqual(range(1050));
    expect(ordered).toBe(true);
  });
});
