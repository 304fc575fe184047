import { NewEvent } from '@eventlog/contracts';
import { EventStoreRepository } from '@eventlog/store';
import { TestDatabase } from './support/database';
import { misplacedRollups, NO_DIFFERENCES, rollupDifferences } from './support/partition-checks';

/** Values the COPY text format and the parameter arrays each escape their own way. */
const TRICKY = ['plain', 'tab\there', 'line\nbreak\r\n', 'back\\slash \\N', '"quoted", {braces}', 'NULL', '', '😀 e\u0301 \u202e', '\u007f\u200b'];

function events(prefix: string, n: number): NewEvent[] {
  return Array.from({ length: n }, (_, i) => {
    const text = TRICKY[i % TRICKY.length];
    return {
      id: `${prefix}-${i}`,
      tenant: 't',
      stream: `${prefix}-s${i % 5}`,
      type: `T ${text}`,
      data: { text, n: i, nested: { list: [text, null, 1.5, -0, 1e21] }, [text]: true },
      metadata: i % 2 ? {} : { note: text },
      source: i % 3 ? text : null,
      status: i % 4 ? 'running' : null,
      message: i % 3 ? null : text,
      requestId: `${prefix}-req`,
      nodeId: `${prefix}-n${i}`,
      parentNodeId: i ? `${prefix}-n${i - 1}` : null,
      kafka: i % 2 ? null : { topic: `topic ${text}`, partition: i % 3, offset: 10_000_000_000 + i },
      occurredAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i, i)),
      expectedVersion: 'any',
    };
  });
}

describe('append: a small batch inserted in the stamp statement and a large one COPYd store the same', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await TestDatabase.create('append_paths');
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('every column of a small (insert) and a large (COPY) batch of the same events is equal; versions, positions, ids and rollups exact', async () => {
    const store = new EventStoreRepository(db.pool);
    const small = await store.appendBatch(events('small', 9));
    const large = await store.appendBatch(events('large', 90));
    expect(small.map((o) => o.kind)).toEqual(Array(9).fill('persisted'));
    expect(large.map((o) => o.kind)).toEqual(Array(90).fill('persisted'));

    // The columns the event gives, compared as Postgres stores them, with the prefix taken out.
    const stored = async (prefix: string) =>
      (
        await db.pool.query(
          `SELECT replace(id, $1, '') AS id, replace(stream, $1, '') AS stream, type, data::text, metadata::text, source, status, message,
                  replace(request_id, $1, '') AS request_id, replace(node_id, $1, '') AS node_id, replace(parent_node_id, $1, '') AS parent_node_id,
                  occurred_at, kafka_topic, kafka_partition, kafka_offset, version, tableoid::regclass::text AS partition
             FROM events WHERE id LIKE $1 || '-%' ORDER BY position`,
          [prefix],
        )
      ).rows;
    const smallRows = await stored('small');
    expect(smallRows).toEqual((await stored('large')).slice(0, 9));
    expect(smallRows[1]).toMatchObject({ type: 'T tab\there', data: expect.stringContaining('"text": "tab\\there"'), kafka_offset: null });
    expect(smallRows[0]).toMatchObject({ kafka_offset: '10000000000', source: null, metadata: '{"note": "plain"}' });

    // Positions dense over both transactions, one recorded_at per transaction, each id known once.
    const { rows } = await db.pool.query<{ position: string; recorded_at: Date }>('SELECT position, recorded_at FROM events ORDER BY position');
    expect(rows.map((r) => Number(r.position))).toEqual(Array.from({ length: 99 }, (_, i) => i + 1));
    expect(new Set(rows.slice(0, 9).map((r) => r.recorded_at.getTime())).size).toBe(1);
    expect(small.map((o) => (o.kind === 'persisted' ? o.position : 0))).toEqual(rows.slice(0, 9).map((r) => Number(r.position)));
    expect(await db.count('SELECT count(*)::int AS n FROM event_ids')).toBe(99);
    expect(await rollupDifferences(db)).toEqual(NO_DIFFERENCES);
    // The COPY into a partition and the insert through the parent count under the same bound, and
    // both leave each id's position and recorded_at in event_ids, which reads by id go through.
    expect(await misplacedRollups(db)).toEqual({ event_counts: [], event_totals: [] });
    expect(await db.count('SELECT count(*)::int AS n FROM events e JOIN event_ids x USING (tenant, id, position, recorded_at)')).toBe(99);

    // The insert path's rows are duplicates the second time, like the COPY path's.
    expect((await store.appendBatch(events('small', 9))).map((o) => o.kind)).toEqual(Array(9).fill('duplicate'));
  });
});
