import { Kafka, logLevel } from 'kafkajs';
import { Pool } from 'pg';

/**
 * The hand-rolled sink eventlog is compared with: kafkajs eachMessage, and per event one
 * `SELECT max(version) + 1` and one INSERT in autocommit. Runs until `deadline`; returns how many
 * events it wrote and over how long, from its first write (group join and start-up not counted).
 */
export async function runNaiveIngest(opts: { brokers: string[]; topic: string; databaseUrl: string; deadline: number }): Promise<{ written: number; ms: number }> {
  const pool = new Pool({ connectionString: opts.databaseUrl, max: 2 });
  const consumer = new Kafka({ brokers: opts.brokers, logLevel: logLevel.NOTHING }).consumer({ groupId: `naive.${Date.now()}` });
  let written = 0;
  let position = 0;
  let firstAt = 0;
  await consumer.connect();
  await consumer.subscribe({ topic: opts.topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic, partition, message }) => {
      if (Date.now() > opts.deadline) return;
      firstAt ||= Date.now();
      const e = JSON.parse(message.value!.toString());
      const { rows } = await pool.query(
        "SELECT coalesce(max(version), 0) + 1 AS v FROM events WHERE tenant = 'default' AND stream = $1",
        [e.stream],
      );
      await pool.query(
        `INSERT INTO events (position, tenant, id, stream, version, type, data, metadata, node_id, occurred_at,
                             kafka_topic, kafka_partition, kafka_offset)
         VALUES ($1, 'default', $2, $3, $4, $5, $6, '{}', $2, now(), $7, $8, $9)`,
        [++position, e.id, e.stream, rows[0].v, e.type, JSON.stringify(e.data), topic, partition, message.offset],
      );
      written++;
    },
  });
  while (Date.now() < opts.deadline) await new Promise((r) => setTimeout(r, 200));
  await consumer.disconnect();
  await pool.end();
  return { written, ms: opts.deadline - firstAt };
}
