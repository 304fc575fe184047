import { Kafka } from 'kafkajs';
import { TestDatabase } from './database';
import { waitFor } from './wait-for';

export interface StreamShape {
  stream: string;
  count: number;
  minVersion: number;
  maxVersion: number;
  distinctVersions: number;
}

/** Per stream: how many events, and whether their versions are exactly 1..count. */
export async function streamShapes(db: TestDatabase): Promise<StreamShape[]> {
  const { rows } = await db.pool.query(
    `SELECT stream, count(*)::int AS count, min(version)::int AS "minVersion", max(version)::int AS "maxVersion",
            count(DISTINCT version)::int AS "distinctVersions"
       FROM events GROUP BY stream ORDER BY stream`,
  );
  return rows;
}

export const isGapless = (s: StreamShape) =>
  s.minVersion === 1 && s.maxVersion === s.count && s.distinctVersions === s.count;

/** Positions are 1..n with none missing or repeated (the append lock makes them gapless). */
export async function positionsAreGapless(db: TestDatabase): Promise<boolean> {
  const { rows } = await db.pool.query(
    'SELECT count(*)::int AS n, count(DISTINCT position)::int AS d, coalesce(min(position), 1)::int AS lo, coalesce(max(position), 0)::int AS hi FROM events',
  );
  const { n, d, lo, hi } = rows[0];
  return n === d && lo === 1 && hi === n;
}

export async function storedIds(db: TestDatabase): Promise<string[]> {
  return (await db.pool.query<{ id: string }>('SELECT id FROM events ORDER BY id')).rows.map((r) => r.id);
}

/** Waits until the consumer group has committed every partition of the topic up to its end. */
export async function waitForGroupCaughtUp(kafka: Kafka, groupId: string, topic: string, timeoutMs = 60000) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, p.high]));
    await waitFor(
      async () => {
        const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
        // An empty partition has nothing to commit: -1 there means caught up.
        const behind = (p: { partition: number; offset: string }) =>
          p.offset !== ends.get(p.partition) && !(p.offset === '-1' && ends.get(p.partition) === '0');
        return committed.partitions.filter(behind).length;
      },
      (behind) => behind === 0,
      { timeoutMs, what: `group ${groupId} to commit to the end of ${topic}` },
    );
  } finally {
    await admin.disconnect();
  }
}
