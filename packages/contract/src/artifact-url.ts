// A plain function, no schemas: workers build artifact URLs with it too.

/**
 * The URL the gateway serves an artifact at, `GET /v1/artifacts/{id}` with the owning app's key,
 * under the API's base URL (`PUBLIC_URL`): what steps return and uploads answer with.
 */
export function artifactUrl(baseUrl: string, artifactId: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/v1/artifacts/${encodeURIComponent(artifactId)}`;
}
