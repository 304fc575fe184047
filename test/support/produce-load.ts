import { TestKafka } from './kafka';

/** `count` events over `streams` streams, keyed by stream, produced in chunks; returns their ids. */
export async function produceLoad(
  tk: TestKafka,
  topic: string,
  { count, streams, prefix, chunk = 500, pauseMs = 0 }: { count: number; streams: number; prefix: string; chunk?: number; pauseMs?: number },
): Promise<string[]> {
  const ids: string[] = [];
  for (let from = 0; from < count; from += chunk) {
    const messages = [];
    for (let i = from; i < Math.min(count, from + chunk); i++) {
      const id = `${prefix}-${i}`;
      const stream = `${prefix}-stream-${i % streams}`;
      ids.push(id);
      messages.push({ key: stream, value: JSON.stringify({ id, stream, type: 'Load', data: { i } }) });
    }
    await tk.produce(topic, messages);
    if (pauseMs) await new Promise((r) => setTimeout(r, pauseMs));
  }
  return ids.sort();
}
