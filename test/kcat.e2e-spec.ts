import { execFileSync } from 'node:child_process';
import { AppProcess } from './support/app-process';
import { TestDatabase } from './support/database';
import { KAFKA_BROKERS } from './support/env';
import { appEnv } from './support/ingest-env';
import { testTopics, TestKafka } from './support/kafka';
import { isGapless, storedIds, streamShapes } from './support/log-checks';
import { waitFor } from './support/wait-for';

/** A producer that is not kafkajs: librdkafka's kcat, as a Go/Python/Java service would produce. */
describe('ingest from a non-Node producer (kcat)', () => {
  const topics = testTopics('kcat');
  const tk = new TestKafka();
  let db: TestDatabase;
  let ingest: AppProcess;

  beforeAll(async () => {
    db = await TestDatabase.create('kcat');
    await tk.connect();
    await tk.createTopics([
      { topic: topics.ingest, partitions: 6 },
      { topic: topics.dlq, partitions: 1 },
    ]);
    ingest = await AppProcess.start('ingest', 'kcat-ingest', appEnv(db, topics));
  });
  afterAll(async () => {
    await ingest?.stop();
    await tk.disconnect();
    await db?.drop();
  });

  const kcat = (args: string[], input: string) =>
    execFileSync('kcat', ['-b', KAFKA_BROKERS, '-t', topics.ingest, '-P', ...args], { input, encoding: 'utf8' });

  it('lands keyed JSON records exactly once with gapless versions, redelivery included', async () => {
    const lines: string[] = [];
    for (let i = 0; i < 300; i++) {
      const stream = `kc-${i % 3}`;
      lines.push(`${stream}|${JSON.stringify({ id: `kc-${i}`, type: 'Tick', data: { i } })}`);
    }
    kcat(['-K', '|'], lines.join('\n') + '\n');
    kcat(['-K', '|'], lines.slice(0, 50).join('\n') + '\n'); // a producer retrying: same ids again
    // Binary-mode CloudEvent, attributes in headers.
    kcat(['-K', '|', '-H', 'ce_specversion=1.0', '-H', 'ce_id=kc-ce', '-H', 'ce_type=Tock', '-H', 'ce_source=kcat'], 'kc-0|{"n":1}\n');

    await waitFor(() => db.count(), (n) => n >= 301, { what: '301 events' });
    await waitFor(async () => (await fetch(`${ingest.url}/metrics`)).text(), (t) => /outcome="duplicate",code=""\} 50/.test(t), { what: '50 duplicates counted' });
    const ids = await storedIds(db);
    expect(ids).toHaveLength(301);
    expect(new Set(ids).size).toBe(301);
    const shapes = await streamShapes(db);
    expect(shapes.map((s) => [s.stream, s.count, isGapless(s)])).toEqual([
      ['kc-0', 101, true],
      ['kc-1', 100, true],
      ['kc-2', 100, true],
    ]);
    const ce = (await db.pool.query("SELECT type, source, data FROM events WHERE id = 'kc-ce'")).rows[0];
    expect(ce).toEqual({ type: 'Tock', source: 'kcat', data: { n: 1 } });
  });

  it('with partitioner=murmur2_random, kcat puts a key on the partition kafkajs does (README, contract 4b)', async () => {
    const keys = Array.from({ length: 20 }, (_, i) => `same-${i}`);
    await tk.produce(topics.ingest, keys.map((key) => ({ key, value: JSON.stringify({ id: `kj-${key}`, type: 'FromKafkajs' }) })));
    kcat(['-K', '|', '-X', 'partitioner=murmur2_random'], keys.map((key) => `${key}|${JSON.stringify({ id: `rd-${key}`, type: 'FromKcat' })}`).join('\n') + '\n');
    await waitFor(() => db.count(`SELECT count(*)::int AS n FROM events WHERE stream LIKE 'same-%'`), (n) => n === 40, { what: '40 events' });
    const { rows } = await db.pool.query<{ stream: string; partitions: number; versions: string }>(
      `SELECT stream, count(DISTINCT kafka_partition)::int AS partitions, string_agg(version::text, ',' ORDER BY version) AS versions
         FROM events WHERE stream LIKE 'same-%' GROUP BY stream`,
    );
    expect(rows).toHaveLength(20);
    expect(rows.filter((r) => r.partitions !== 1 || r.versions !== '1,2')).toEqual([]);
  });
});
