import type { Consumer } from 'kafkajs';

/**
 * Resolves once a consumer has joined its group and completed a fetch: by then a new group's
 * "latest" offsets are resolved, so a record produced afterwards is seen. Listen before connect().
 * (The query app's PersistenceWaiter has the same wait; the package cannot import the app.)
 */
export function consumerReady(consumer: Consumer, timeoutMs: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let joined = false;
    const timer = setTimeout(() => done(new Error(`${what}: no group join and fetch within ${timeoutMs} ms`)), timeoutMs);
    const removers = [
      consumer.on(consumer.events.GROUP_JOIN, () => (joined = true)),
      consumer.on(consumer.events.FETCH, () => joined && done()),
      consumer.on(consumer.events.CRASH, (e) => done(e.payload.error)),
    ];
    function done(err?: Error) {
      clearTimeout(timer);
      removers.forEach((remove) => remove());
      if (err) reject(err);
      else resolve();
    }
  });
}
