import type { Request } from 'express';

/** The API's base URL: the configured one, else this request's protocol and host. */
export function baseUrlOf(request: Request, publicUrl: string | undefined): string {
  return publicUrl ?? `${request.protocol}://${request.get('host') ?? 'localhost'}`;
}

/** Where a run's status is polled. */
export function statusUrlOf(baseUrl: string, runId: string): string {
  return `${baseUrl}/v1/workflows/runs/${encodeURIComponent(runId)}`;
}
