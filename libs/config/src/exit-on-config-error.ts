import { ConfigError } from './eventlog-config';

/** Runs the loader; on bad configuration prints one line per variable and exits 1. */
export function exitOnConfigError<T>(load: () => T): T {
  try {
    return load();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const line of err.problems) console.error(`invalid configuration: ${line}`);
    process.exit(1);
  }
}
