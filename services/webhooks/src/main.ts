import { runService } from '@weft/service';
import { readWebhooksConfig } from './config';
import { startWebhooks } from './start-webhooks';

void runService({
  name: 'webhooks',
  readConfig: readWebhooksConfig,
  start: (config, runtime) => startWebhooks(config, runtime),
});
