/** Messages between the ingest process's main thread and its relay worker. */
export type RelayReport =
  | { kind: 'active'; holding: boolean }
  | { kind: 'published'; count: number }
  | { kind: 'lag'; events: number; oldestSeconds: number }
  | { kind: 'log'; level: 'log' | 'warn' | 'error'; message: string };

export type RelayCommand = { kind: 'stop' };
