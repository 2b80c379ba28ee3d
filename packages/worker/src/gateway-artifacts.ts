// Storing a handler's artifact through the gateway: a worker has no database.

import { StepFailure } from '@weft/core';
import { WeftApiError, WeftClient, WeftConnectionError } from '@weft/client';
import type { ArtifactUpload } from './attempt-runner';

/** How a worker reaches the gateway: its URL, and an API key (one app) or the admin token (any). */
export interface GatewayAccess {
  gatewayUrl: string;
  /** Stores artifacts in this key's app: the runs served must be that app's. */
  apiKey?: string;
  /** Stores artifacts in the app of each run: for a worker serving every app. */
  adminToken?: string;
}

/**
 * Uploads through the gateway's artifact API (`POST /v1/artifacts` with a key, or the admin
 * API's `POST /v1/admin/apps/{appId}/artifacts`). A refusal fails the attempt for good (a wrong
 * credential or app does not heal); the gateway unreachable or failing is retried.
 */
export function gatewayArtifacts(access: GatewayAccess): ArtifactUpload {
  if (!access.apiKey && !access.adminToken) {
    throw new Error('gatewayUrl needs an apiKey or an adminToken to store artifacts');
  }
  const client = new WeftClient({
    url: access.gatewayUrl,
    ...(access.apiKey ? { apiKey: access.apiKey } : {}),
    ...(access.adminToken ? { adminToken: access.adminToken } : {}),
  });
  return async (appId, runId, body, contentType) => {
    try {
      return access.adminToken
        ? await client.admin.artifacts.upload(appId, body, { contentType, runId })
        : await client.artifacts.upload(body, { contentType, runId });
    } catch (error) {
      if (error instanceof WeftApiError && error.status < 500 && error.status !== 429) {
        throw new StepFailure(
          'provider_rejected',
          `the gateway refused the artifact: ${error.message}`,
          { details: { status: error.status, code: error.code } },
        );
      }
      if (error instanceof WeftApiError || error instanceof WeftConnectionError) {
        throw new StepFailure(
          'provider_unavailable',
          `could not store the artifact: ${error.message}`,
        );
      }
      throw error;
    }
  };
}
