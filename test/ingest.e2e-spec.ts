import { AppProcess } from './support/app-process';
import { TestDatabase } from './support/database';
import { appEnv } from './support/ingest-env';
import { kafka, testTopics, TestKafka } from './support/kafka';
import { isGapless, positionsAreGapless, storedIds, streamShapes, waitForGroupCaughtUp } from './support/log-checks';
import { waitFor } from './support/wait-for';

const json = (v: unknown) => JSON.stringify(v);
const MAX_DATA_BYTES = 65536;

describe('ingest: Kafka records into the append-only log', () => {
  const topics = testTopics('ingest');
  const tk = new TestKafka();
  let db: TestDatabase;
  let ingest: AppProcess;

  beforeAll(async () => {
    db = await TestDatabase.create('ingest');
    await tk.connect();
    await tk.createTopics([
      { topic: topics.ingest, partitions: 6 },
      { topic: topics.dlq, partitions: 1 },
    ]);
    ingest = await AppProcess.start('ingest', 'ingest-main', appEnv(db, topics, { MAX_EVENT_BYTES: String(MAX_DATA_BYTES) }));
  });

  afterAll(async () => {
    await ingest?.stop();
    await tk.disconnect();
    await db?.drop();
  });

  const eventById = async (id: string) => (await db.pool.query('SELECT * FROM events WHERE id = $1', [id])).rows[0];

  it('persists, absorbs duplicates and dead-letters invalid records, each with its outcome', async () => {
    await tk.produce(topics.ingest, [
      { key: 'o-1', value: json({ id: 'a-1', type: 'OrderPlaced', data: { amount: 5 }, status: 'success', source: 'orders' }) },
      { key: 'o-1', value: json({ id: 'a-1', type: 'OrderPlaced', data: { amount: 5 } }) },
      { key: 'o-1', value: '{"id": "broken"', headers: { 'x-trace': 'kept' } },
      { key: 'o-1', value: json({ id: 'a-2', type: 42 }) },
      { key: 'o-1', value: json({ id: 'a-3', type: 'T', colour: 'red' }) },
      { key: 'o-1', value: json({ id: 'a-4', type: 'T', expectedVersion: 7 }) },
      { key: 'o-1', value: json({ id: 'a-5', type: 'T', data: { s: 'nul\u0000here' } }) },
    ]);

    const dlq = await tk.readAll(topics.dlq, 5);
    const byCode = (code: string) => dlq.filter((r) => r.headerText['x-error-code'] === code);
    expect(byCode('INVALID_JSON')).toHaveLength(1);
    expect(byCode('VALIDATION_FAILED')).toHaveLength(3);
    expect(byCode('WRONG_EXPECTED_VERSION')).toHaveLength(1);

    const broken = byCode('INVALID_JSON')[0];
    expect(broken.value!.toString()).toBe('{"id": "broken"');
    expect(broken.key!.toString()).toBe('o-1');
    expect(broken.headerText['x-trace']).toBe('kept');
    expect(broken.headerText['x-source-topic']).toBe(topics.ingest);
    expect(Number(broken.headerText['x-source-partition'])).toBeGreaterThanOrEqual(0);
    expect(Number(broken.headerText['x-source-offset'])).toBeGreaterThanOrEqual(0);
    expect(broken.headerText['x-error-message']).toMatch(/JSON/);

    const messages = byCode('VALIDATION_FAILED').map((r) => r.headerText['x-error-message']);
    expect(messages.some((m) => /type must be a string/.test(m))).toBe(true);
    expect(messages.some((m) => /colour should not exist/.test(m))).toBe(true);
    expect(messages.some((m) => /data\.s must not contain the NUL/.test(m))).toBe(true);
    expect(byCode('WRONG_EXPECTED_VERSION')[0].headerText['x-error-message']).toMatch(/expectedVersion 7 .* version 1/);

    const stored = await eventById('a-1');
    expect(stored).toMatchObject({ tenant: 'default', stream: 'o-1', version: '1', type: 'OrderPlaced', status: 'success', source: 'orders' });
    expect(stored.data).toEqual({ amount: 5 });
    expect(stored.kafka_topic).toBe(topics.ingest);
    expect(await db.count("SELECT count(*)::int AS n FROM events WHERE stream = 'o-1'")).toBe(1);
  });

  it('stores text with tabs, newlines, backslashes and non-ASCII exactly as sent', async () => {
    const awkward = 'tab\there\nnew line\r\\ back\\slash \\N ünïcødé 🚀 "quoted"';
    const data = { awkward, nested: { list: [awkward, 1.5, null, true] }, 'key\twith\ttabs': 'v' };
    await tk.produce(topics.ingest, [{ key: 'awk', value: json({ id: 'awk-1', type: 'T', message: awkward, source: awkward, data }) }]);
    await waitFor(() => eventById('awk-1'), Boolean, { what: 'awk-1 stored' });
    const stored = await eventById('awk-1');
    expect(stored.message).toBe(awkward);
    expect(stored.source).toBe(awkward);
    expect(stored.data).toEqual(data);
  });

  it('rejects data over the configured size limit as TOO_LARGE, and keeps data at the limit', async () => {
    // This file runs ingest with MAX_EVENT_BYTES=65536 (a broker's default message limit is 1 MB).
    const atLimit = { s: 'y'.repeat(MAX_DATA_BYTES - 8) }; // {"s":"…"} is 8 bytes of JSON around it
    await tk.produce(topics.ingest, [
      { key: 'o-2', value: json({ id: 'big-1', type: 'T', data: atLimit }) },
      { key: 'o-2', value: json({ id: 'big-2', type: 'T', data: { s: 'y'.repeat(MAX_DATA_BYTES - 7) } }) },
      { key: 'o-2', value: json({ id: 'big-3', type: 'T', data: { s: 'z'.repeat(3 * MAX_DATA_BYTES) } }) },
    ]);
    const dlq = await tk.readAll(topics.dlq, 7);
    const tooLarge = dlq.filter((r) => r.headerText['x-error-code'] === 'TOO_LARGE');
    expect(tooLarge.map((r) => JSON.parse(r.value!.toString()).id)).toEqual(['big-2', 'big-3']);
    expect(tooLarge[0].headerText['x-error-message']).toMatch(/at most 65536/);
    expect((await eventById('big-1')).data).toEqual(atLimit);
  });

  it('maps CloudEvents structured and binary mode, traceparent and x-request-id headers, and the key', async () => {
    await tk.produce(topics.ingest, [
      {
        key: 'ignored-key',
        partition: 0,
        value: json({
          specversion: '1.0', id: 'ce-1', source: 'billing', type: 'InvoiceSent', subject: 'inv-9',
          time: '2024-05-01T10:00:00.123Z', data: { total: 3 }, traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', region: 'eu',
        }),
      },
      {
        key: 'inv-9',
        partition: 0,
        value: json({ total: 4 }),
        headers: { ce_specversion: '1.0', ce_id: 'ce-2', ce_type: 'InvoicePaid', ce_source: 'billing', ce_subject: 'inv-9', 'content-type': 'application/json' },
      },
      {
        key: 'acct-7',
        value: json({ id: 'hdr-1', type: 'Login', occurredAt: 1714557600000 }),
        headers: { 'x-request-id': 'req-77', traceparent: '00-11111111111111111111111111111111-2222222222222222-01' },
      },
    ]);
    await waitFor(() => db.count("SELECT count(*)::int AS n FROM events WHERE id IN ('ce-1','ce-2','hdr-1')"), (n) => n === 3);

    const structured = await eventById('ce-1');
    expect(structured).toMatchObject({ stream: 'inv-9', type: 'InvoiceSent', source: 'billing', request_id: '0af7651916cd43dd8448eb211c80319c', node_id: 'b7ad6b7169203331' });
    expect(structured.data).toEqual({ total: 3 });
    expect(structured.metadata).toMatchObject({ region: 'eu', specversion: '1.0' });
    expect(structured.occurred_at.toISOString()).toBe('2024-05-01T10:00:00.123Z');

    const binary = await eventById('ce-2');
    expect(binary).toMatchObject({ stream: 'inv-9', type: 'InvoicePaid', version: '2' });
    expect(binary.data).toEqual({ total: 4 });

    const headers = await eventById('hdr-1');
    expect(headers).toMatchObject({ stream: 'acct-7', request_id: 'req-77', node_id: '2222222222222222' });
    expect(headers.occurred_at.toISOString()).toBe('2024-05-01T10:00:00.000Z');
  });

  it('gives 3 streams x 200 events, interleaved over 6 partitions, versions 1..200 each', async () => {
    const messages = [];
    for (let i = 0; i < 200; i++) {
      for (const s of ['s-a', 's-b', 's-c']) {
        // Deliberately not keyed: one stream's events arrive from every partition.
        messages.push({ partition: messages.length % 6, value: json({ id: `${s}-${i}`, stream: s, type: 'Step', data: { i } }) });
      }
    }
    await tk.produce(topics.ingest, messages);
    await waitFor(() => db.count("SELECT count(*)::int AS n FROM events WHERE stream IN ('s-a','s-b','s-c')"), (n) => n === 600);

    const shapes = (await streamShapes(db)).filter((s) => s.stream.startsWith('s-'));
    expect(shapes.map((s) => [s.stream, s.count, isGapless(s)])).toEqual([
      ['s-a', 200, true],
      ['s-b', 200, true],
      ['s-c', 200, true],
    ]);
    expect(await positionsAreGapless(db)).toBe(true);
    // Within one partition, order is kept: versions follow offsets.
    const { rows } = await db.pool.query(
      `SELECT count(*)::int AS n FROM events a JOIN events b
         ON a.stream = b.stream AND a.kafka_partition = b.kafka_partition AND a.kafka_offset < b.kafka_offset AND a.version > b.version
        WHERE a.stream IN ('s-a','s-b','s-c')`,
    );
    expect(rows[0].n).toBe(0);
    const head = await db.pool.query("SELECT version::int FROM streams WHERE stream = 's-b'");
    expect(head.rows[0].version).toBe(200);
  });

  it('honours expectedVersion: integer, no_stream, stream_exists and any', async () => {
    await tk.produce(topics.ingest, [
      { partition: 0, value: json({ id: 'ev-1', stream: 'ev', type: 'T', expectedVersion: 'no_stream' }) },
      { partition: 0, value: json({ id: 'ev-2', stream: 'ev', type: 'T', expectedVersion: 1 }) },
      { partition: 0, value: json({ id: 'ev-3', stream: 'ev', type: 'T', expectedVersion: 'no_stream' }) },
      { partition: 0, value: json({ id: 'ev-4', stream: 'ev', type: 'T', expectedVersion: 'stream_exists' }) },
      { partition: 0, value: json({ id: 'ev-5', stream: 'ev-new', type: 'T', expectedVersion: 'stream_exists' }) },
      { partition: 0, value: json({ id: 'ev-6', stream: 'ev', type: 'T', expectedVersion: 'any' }) },
      { partition: 0, value: json({ id: 'ev-7', stream: 'ev', type: 'T', expectedVersion: 2 }) },
    ]);
    await waitFor(() => db.count("SELECT count(*)::int AS n FROM events WHERE stream = 'ev'"), (n) => n === 4, { what: 'stream ev' });
    const { rows } = await db.pool.query("SELECT id, version::int FROM events WHERE stream = 'ev' ORDER BY version");
    expect(rows).toEqual([
      { id: 'ev-1', version: 1 },
      { id: 'ev-2', version: 2 },
      { id: 'ev-4', version: 3 },
      { id: 'ev-6', version: 4 },
    ]);
    const dlq = await tk.readAll(topics.dlq, 10);
    const rejectedIds = dlq
      .filter((r) => r.headerText['x-error-code'] === 'WRONG_EXPECTED_VERSION')
      .map((r) => JSON.parse(r.value!.toString()).id)
      .sort();
    expect(rejectedIds).toEqual(['a-4', 'ev-3', 'ev-5', 'ev-7']);
  });

  it('lets good records around a poison record land without blocking the partition', async () => {
    await tk.produce(topics.ingest, [
      { partition: 3, value: json({ id: 'p-1', stream: 'poison', type: 'T' }) },
      { partition: 3, value: Buffer.from([0xff, 0xfe, 0x00, 0x7b]) },
      { partition: 3, value: json({ id: 'p-2', stream: 'poison', type: 'T' }) },
    ]);
    await waitFor(() => db.count("SELECT count(*)::int AS n FROM events WHERE stream = 'poison'"), (n) => n === 2);
    const dlq = await tk.readAll(topics.dlq, 11);
    expect(dlq.filter((r) => r.headerText['x-source-partition'] === '3' && r.headerText['x-error-code'] === 'INVALID_JSON')).toHaveLength(1);
  });

  it('writes nothing new when a new consumer group replays the topic from offset 0', async () => {
    await waitForGroupCaughtUp(kafka, topics.group, topics.ingest);
    const before = await storedIds(db);
    const replayGroup = `${topics.group}.replay`;
    const replay = await AppProcess.start('ingest', 'ingest-replay', appEnv(db, { ...topics, group: replayGroup }, { MAX_EVENT_BYTES: String(MAX_DATA_BYTES) }));
    try {
      await waitForGroupCaughtUp(kafka, replayGroup, topics.ingest);
    } finally {
      await replay.stop();
    }
    expect(await storedIds(db)).toEqual(before);
    expect((await streamShapes(db)).every(isGapless)).toBe(true);
  });

  it('exposes outcomes, batch sizes and lag on /metrics', async () => {
    const text = await (await fetch(`${ingest.url}/metrics`)).text();
    expect(text).toMatch(/eventlog_ingest_outcomes_total\{outcome="persisted",code=""\} [1-9]/);
    expect(text).toMatch(/eventlog_ingest_outcomes_total\{outcome="duplicate",code=""\} [1-9]/);
    expect(text).toMatch(/eventlog_ingest_outcomes_total\{outcome="rejected",code="INVALID_JSON"\} [1-9]/);
    expect(text).toMatch(/eventlog_ingest_batch_size_count [1-9]/);
    expect(text).toMatch(/eventlog_ingest_consumer_lag\{/);
  });

  it('leaves the group on SIGTERM with every offset committed', async () => {
    await ingest.stop();
    // Left, not timed out: the group is empty at once, well before the 15 s session timeout.
    const admin = kafka.admin();
    await admin.connect();
    try {
      const { groups } = await admin.describeGroups([topics.group]);
      expect(groups[0].state).toBe('Empty');
    } finally {
      await admin.disconnect();
    }
    await waitForGroupCaughtUp(kafka, topics.group, topics.ingest, 1000);
  });
});
