import { RelayAppModule } from './relay-app.module';
import { serve } from '../serve';

void serve(
  (config) => RelayAppModule.register(config),
  (config) => config.RELAY_HTTP_PORT,
);
