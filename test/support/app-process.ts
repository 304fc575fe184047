import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { KAFKA_BROKERS, PROJECT_ROOT } from './env';
import { waitFor } from './wait-for';

const root = PROJECT_ROOT;
const logDir = join(root, '.infra', 'test-logs');
/** How long a stopped app may take to run its shutdown hooks and exit. */
const STOP_TIMEOUT_MS = 60_000;

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

type App = 'ingest' | 'query' | 'relay';

// Started as production starts them (package.json start:*): ingest with a larger young generation.
const APPS: Record<App, { main: string; portVar: string; nodeArgs: string[] }> = {
  ingest: { main: 'dist/apps/ingest/src/main.js', portVar: 'INGEST_HTTP_PORT', nodeArgs: ['--max-semi-space-size=64'] },
  query: { main: 'dist/apps/query/src/main.js', portVar: 'QUERY_HTTP_PORT', nodeArgs: [] },
  relay: { main: 'dist/apps/ingest/src/relay/main.js', portVar: 'RELAY_HTTP_PORT', nodeArgs: [] },
};

/**
 * One of the apps as a real process (the built dist), as it runs in production. Logs go to
 * .infra/test-logs/<name>.log for post-mortems.
 */
export class AppProcess {
  private child?: ChildProcess;
  private exited?: Promise<number | null>;

  private constructor(
    readonly app: App,
    readonly name: string,
    readonly port: number,
    private readonly env: Record<string, string>,
  ) {}

  static async start(app: App, name: string, env: Record<string, string>): Promise<AppProcess> {
    const port = await freePort();
    const proc = new AppProcess(app, name, port, env);
    await proc.launch();
    return proc;
  }

  /** The running process's pid (for the benches' CPU figures). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  /** (Re)starts the process and waits until /health/ready answers 200. */
  async launch(): Promise<void> {
    mkdirSync(logDir, { recursive: true });
    const log = createWriteStream(join(logDir, `${this.name}.log`), { flags: 'a' });
    const { main, portVar, nodeArgs } = APPS[this.app];
    // APP_CPU_PROFILE_DIR: each app process writes a V8 CPU profile there when it exits (for the
    // benches' "where the time goes"; summarised by scripts/cpu-profile-summary.js).
    const profile = process.env.APP_CPU_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.APP_CPU_PROFILE_DIR}`] : [];
    this.child = spawn(process.execPath, [...nodeArgs, ...profile, join(root, main)], {
      env: { PATH: process.env.PATH, KAFKA_BROKERS, LOG_LEVEL: 'info', ...this.env, [portVar]: String(this.port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // Two writers share the file: neither may end it, or the other's last lines fail the runner.
    this.child.stdout!.pipe(log, { end: false });
    this.child.stderr!.pipe(log, { end: false });
    const child = this.child;
    this.exited = new Promise((resolve) =>
      child.on('close', (code) => {
        log.end();
        resolve(code);
      }),
    );
    let exitCode: number | null | undefined;
    void this.exited.then((code) => (exitCode = code));
    await waitFor(
      async () => {
        if (exitCode !== undefined) throw new Error(`${this.name} exited with ${exitCode}; see .infra/test-logs/${this.name}.log`);
        return fetch(`${this.url}/health/ready`).then((r) => r.status, () => 0);
      },
      (status) => status === 200,
      { timeoutMs: 60000, what: `${this.name} ready` },
    );
  }

  /** kill -9: no shutdown hook runs. */
  async kill(): Promise<void> {
    this.child?.kill('SIGKILL');
    await this.exited;
  }

  /**
   * SIGTERM, and wait until the process has run its shutdown hooks and exited. One that has not
   * exited after STOP_TIMEOUT_MS is killed and the stop fails: a shutdown that hangs is a bug (a
   * process spinning without yielding to I/O never handles the signal), not a reason to hang the suite.
   */
  async stop(): Promise<void> {
    if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null) return;
    const child = this.child;
    const exited = this.exited!;
    child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const hung = await Promise.race([
      exited.then(() => false),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), STOP_TIMEOUT_MS))),
    ]);
    clearTimeout(timer);
    if (!hung) return;
    child.kill('SIGKILL');
    await exited;
    throw new Error(`${this.name} did not exit within ${STOP_TIMEOUT_MS / 1000} s of SIGTERM and was killed (log: ${join(logDir, `${this.name}.log`)})`);
  }
}
