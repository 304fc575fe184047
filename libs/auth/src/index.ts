export * from './access.decorators';
export * from './access.guard';
export * from './token-registry';
export * from './token-throttler.guard';
export * from './request-tenant';
export * from './request-token';
