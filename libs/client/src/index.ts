export * from './eventlog-client';
export * from './eventlog-client.module';
