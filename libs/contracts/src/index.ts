export * from './event';
export * from './error-codes';
export * from './event-envelope.dto';
export * from './topics';
export * from './query';
export * from './validity-check';
export * from './raw-json';
export * from './raw-json';
