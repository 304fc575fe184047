// The harness the benches share with the end-to-end tests (imported as @eventlog/testing): the
// environment (broker, databases, unique names), the apps as real processes and headless Chromium.
export * from './env';
export * from './app-process';
export * from './wait-for';
export * from './browser';
export * from './ws-client';
