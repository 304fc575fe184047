import { IngestModule } from './ingest.module';
import { serve } from './serve';

void serve(
  (config) => IngestModule.register(config),
  (config) => config.INGEST_HTTP_PORT,
);
