export * from './eventlog-config';
export * from './config.module';
export * from './exit-on-config-error';
export * from './access-tokens';
export * from './stall-after-by-type';
export * from './retention-by-tenant';
