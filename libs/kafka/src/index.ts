export * from './kafka-client.factory';
export * from './kafka.module';
export * from './topic-bootstrap';
export * from './chunk-by-bytes';
export * from './too-large';
