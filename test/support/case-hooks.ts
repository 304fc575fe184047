import { TestKafka } from './kafka';

/** What a case pushes here (stop an app, drop a database) is undone after it, newest first; a failing step does not stop the rest. */
export function cleanupAfterEach(): (() => Promise<unknown>)[] {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    while (cleanup.length) await cleanup.pop()!().catch(() => undefined);
  });
  return cleanup;
}

/** One broker connection for the suite, and the per-case cleanup. Call inside a describe: it registers the hooks. */
export function kafkaCases(): { tk: TestKafka; cleanup: (() => Promise<unknown>)[] } {
  const tk = new TestKafka();
  beforeAll(() => tk.connect());
  const cleanup = cleanupAfterEach();
  afterAll(() => tk.disconnect());
  return { tk, cleanup };
}
