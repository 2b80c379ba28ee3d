import type {
  ApiKey,
  ApiKeyAnswer,
  ArtifactFile,
  ApiKeyList,
  App,
  AppList,
  CreatedApiKey,
  CreatedApp,
} from '@weft/contract';
import { uploadArtifact, type UploadArtifactOptions } from './artifact-upload';
import { AdminTaskTypesApi } from './admin-task-types-api';
import { signalOf, type CallOptions } from './call-options';
import { segment } from './path-segment';
import type { BytesBody, Transport } from './transport';

/**
 * The admin API, `/v1/admin`: apps, any app's keys, the registered task types (`taskTypes`) and
 * any app's artifact uploads, for operators. Its calls carry the gateway's `ADMIN_TOKEN` instead
 * of an API key; without one they fail with 401
 * `missing_admin_token`, and a gateway without `ADMIN_TOKEN` answers 404.
 */
export class AdminApi {
  /** Any app's artifact uploads, for workers that serve many apps. */
  readonly artifacts: AdminArtifactsApi;
  private readonly headers: Record<string, string>;
  /** The task types registered at run time: list them, remove one. */
  readonly taskTypes: AdminTaskTypesApi;

  constructor(
    private readonly transport: Transport,
    adminToken: string | undefined,
  ) {
    this.headers = adminToken === undefined ? {} : { authorization: `Bearer ${adminToken}` };
    this.artifacts = new AdminArtifactsApi(transport, this.headers);
    this.taskTypes = new AdminTaskTypesApi(transport, this.headers);
  }

  /** A new app, its first key (shown this once) and its webhook signing secret. */
  createApp(name: string, options?: CallOptions): Promise<CreatedApp> {
    return this.transport.json<CreatedApp>({
      method: 'POST',
      path: '/v1/admin/apps',
      body: { name },
      headers: this.headers,
      ...signalOf(options),
    });
  }

  /** Every app, oldest first. */
  async listApps(options?: CallOptions): Promise<App[]> {
    const { apps } = await this.transport.json<AppList>({
      method: 'GET',
      path: '/v1/admin/apps',
      headers: this.headers,
      ...signalOf(options),
    });
    return apps;
  }

  /** An app's keys, oldest first, revoked ones included. */
  async listKeys(appId: string, options?: CallOptions): Promise<ApiKey[]> {
    const { keys } = await this.transport.json<ApiKeyList>({
      method: 'GET',
      path: `/v1/admin/apps/${segment(appId)}/keys`,
      headers: this.headers,
      ...signalOf(options),
    });
    return keys;
  }

  /** A new key of an app; `apiKey` is shown this once. */
  createKey(appId: string, options?: CallOptions): Promise<CreatedApiKey> {
    return this.transport.json<CreatedApiKey>({
      method: 'POST',
      path: `/v1/admin/apps/${segment(appId)}/keys`,
      body: {},
      headers: this.headers,
      ...signalOf(options),
    });
  }

  /** Revokes an app's key. */
  async revokeKey(appId: string, keyId: string, options?: CallOptions): Promise<ApiKey> {
    const { key } = await this.transport.json<ApiKeyAnswer>({
      method: 'DELETE',
      path: `/v1/admin/apps/${segment(appId)}/keys/${segment(keyId)}`,
      headers: this.headers,
      ...signalOf(options),
    });
    return key;
  }
}

/** `/v1/admin/apps/:appId/artifacts`: uploads for any app, with the admin token. */
export class AdminArtifactsApi {
  constructor(
    private readonly transport: Transport,
    private readonly headers: Record<string, string>,
  ) {}

  /**
   * Stores `body` as an artifact of `appId` (404 `app_not_found` for no such app); its `url` is
   * readable with that app's keys. As `artifacts.upload`, for a worker that serves many apps.
   */
  upload(appId: string, body: BytesBody, options: UploadArtifactOptions): Promise<ArtifactFile> {
    return uploadArtifact(
      this.transport,
      `/v1/admin/apps/${segment(appId)}/artifacts`,
      body,
      options,
      this.headers,
    );
  }
}
