import type { ApiKeyAnswer, ApiKeyList } from '@weft/contract';
import { signalOf, type CallOptions } from './call-options';
import { segment } from './path-segment';
import type { Transport } from './transport';
import type { ApiKey, CreatedApiKey } from './types';

/** The app's API keys: `/v1/keys`. Any key of an app manages all of them. */
export class KeysApi {
  constructor(private readonly transport: Transport) {}

  /** The app's keys, oldest first, revoked ones included; never a key itself. */
  async list(options?: CallOptions): Promise<ApiKey[]> {
    const { keys } = await this.transport.json<ApiKeyList>({
      method: 'GET',
      path: '/v1/keys',
      ...signalOf(options),
    });
    return keys;
  }

  /** A new key of the app; `apiKey` is shown this once. */
  create(options?: CallOptions): Promise<CreatedApiKey> {
    return this.transport.json<CreatedApiKey>({
      method: 'POST',
      path: '/v1/keys',
      body: {},
      ...signalOf(options),
    });
  }

  /** Revokes a key: requests with it fail from now on. Revoking a revoked key changes nothing. */
  async revoke(keyId: string, options?: CallOptions): Promise<ApiKey> {
    const { key } = await this.transport.json<ApiKeyAnswer>({
      method: 'DELETE',
      path: `/v1/keys/${segment(keyId)}`,
      ...signalOf(options),
    });
    return key;
  }
}
