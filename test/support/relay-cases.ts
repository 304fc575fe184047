import { AppProcess } from './app-process';
import { TestDatabase } from './database';
import { ReceivedRecord, testTopics } from './kafka';
import { kafkaCases } from './case-hooks';

/** Positions seen on the outbound topic: each partition must be increasing once duplicates are dropped. */
export function outboundPositions(records: ReceivedRecord[]) {
  const byPartition = new Map<number, number[]>();
  for (const r of records) byPartition.set(r.partition, [...(byPartition.get(r.partition) ?? []), Number(r.headerText['eventlog-position'])]);
  const ordered = [...byPartition.values()].every((list) => {
    const deduped = list.filter((p, i) => list.indexOf(p) === i);
    return deduped.every((p, i) => i === 0 || p > deduped[i - 1]);
  });
  return { unique: [...new Set(records.map((r) => Number(r.headerText['eventlog-position'])))].sort((a, b) => a - b), ordered };
}

/** Whether a process holds the relay's lease, from its metrics. */
export const relayActive = async (p: AppProcess) => Number(/^eventlog_relay_active (\d)/m.exec(await (await fetch(`${p.url}/metrics`)).text())?.[1]);

export const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

/**
 * The relay suites' cases: one broker connection for the suite, and per case its own database and
 * topics (6 ingest and outbound partitions), dropped with everything pushed on `cleanup` after it.
 * Call inside a describe: it registers the hooks.
 */
export function relayCases() {
  const { tk, cleanup } = kafkaCases();

  async function setUp(label: string) {
    const db = await TestDatabase.create(label);
    cleanup.push(() => db.drop());
    const topics = testTopics(label);
    await tk.createTopics([
      { topic: topics.ingest, partitions: 6 },
      { topic: topics.dlq, partitions: 1 },
      { topic: topics.outbound, partitions: 6 },
    ]);
    return { db, topics };
  }
  return { tk, cleanup, setUp };
}
