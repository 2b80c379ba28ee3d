import type { WorkflowDefinition } from '@weft/core';
import { SseParser, WeftApiError, type ServerSentEvent } from '@weft/client';
import type {
  ApiErrorBody,
  RunPage,
  RunView,
  SavedWorkflow,
  StartedRun,
  WorkflowSummary,
  WorkflowVersion,
} from './types';

function isErrorBody(body: unknown): body is ApiErrorBody {
  const error = (body as Partial<ApiErrorBody> | null)?.error;
  return typeof error === 'object' && error !== null && typeof error.message === 'string';
}

function parseJson(text: string): unknown {
  try {
    return text === '' ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The error an unsuccessful answer means, from its `{error}` body when it has one. */
function errorOf(status: number, body: unknown): WeftApiError {
  if (isErrorBody(body)) {
    return new WeftApiError({
      status,
      code: body.error.code,
      message: body.error.message,
      details: body.error.details ?? {},
    });
  }
  return new WeftApiError({
    status,
    code: 'http_error',
    message: `The gateway answered HTTP ${status}`,
  });
}

/**
 * The gateway's HTTP API as the console uses it, on the console's own origin. Every request
 * sends the API key as `Authorization: Bearer`; `onUnauthorized` runs when the key is refused.
 */
export class WeftApi {
  constructor(
    private readonly apiKey: string,
    private readonly onUnauthorized: () => void = () => undefined,
  ) {}

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { Authorization: `Bearer ${this.apiKey}`, ...extra };
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    // no-store: answers are always fresh, and no conditional request turns one into a 304.
    const response = await fetch(path, {
      method,
      cache: 'no-store',
      headers: this.headers(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const parsed = parseJson(await response.text());
    if (!response.ok) {
      if (response.status === 401) this.onUnauthorized();
      throw errorOf(response.status, parsed);
    }
    return parsed as T;
  }

  /** The app's workflows and the built-in templates. */
  async listWorkflows(): Promise<WorkflowSummary[]> {
    return (await this.request<{ workflows: WorkflowSummary[] }>('GET', '/v1/workflows')).workflows;
  }

  /** A version of a workflow (the latest when `version` is absent). */
  async getWorkflow(slug: string, version?: number): Promise<WorkflowVersion> {
    const path =
      version === undefined
        ? `/v1/workflows/${encodeURIComponent(slug)}`
        : `/v1/workflows/${encodeURIComponent(slug)}/versions/${version}`;
    return (await this.request<{ workflow: WorkflowVersion }>('GET', path)).workflow;
  }

  /** Saves a new version; 422 `invalid_definition` carries `details.diagnostics`. */
  saveWorkflow(slug: string, definition: WorkflowDefinition): Promise<SavedWorkflow> {
    return this.request<SavedWorkflow>('POST', '/v1/workflows', { slug, definition });
  }

  /** Runs of one workflow, newest first. */
  listRuns(slug: string, cursor?: string, limit = 20): Promise<RunPage> {
    const query = new URLSearchParams({ slug, limit: String(limit) });
    if (cursor !== undefined) query.set('cursor', cursor);
    return this.request<RunPage>('GET', `/v1/workflows/runs?${query.toString()}`);
  }

  getRun(runId: string): Promise<RunView> {
    return this.request<RunView>('GET', `/v1/workflows/runs/${encodeURIComponent(runId)}`);
  }

  startRun(slug: string, version: number, input: Record<string, unknown>): Promise<StartedRun> {
    return this.request<StartedRun>('POST', '/v1/workflows/run', {
      workflowSlug: slug,
      version,
      input,
    });
  }

  cancelRun(runId: string): Promise<RunView> {
    return this.request<RunView>('POST', `/v1/workflows/runs/${encodeURIComponent(runId)}/cancel`);
  }

  /** An artifact's bytes (artifacts need the key, so media is fetched, then shown from a blob). */
  async artifact(path: string, signal?: AbortSignal): Promise<Blob> {
    const response = await fetch(path, {
      headers: this.headers(),
      cache: 'no-store',
      ...(signal ? { signal } : {}),
    });
    if (!response.ok) throw errorOf(response.status, parseJson(await response.text()));
    return response.blob();
  }

  /**
   * Follows a run's Server-Sent Events until the stream ends or `signal` aborts, calling
   * `onEvent` for each. Resolves when the server closes the stream.
   */
  async followRun(
    runId: string,
    onEvent: (event: ServerSentEvent) => void,
    signal: AbortSignal,
  ): Promise<void> {
    const response = await fetch(`/v1/workflows/runs/${encodeURIComponent(runId)}/events`, {
      headers: this.headers({ Accept: 'text/event-stream' }),
      cache: 'no-store',
      signal,
    });
    if (!response.ok || response.body === null) {
      if (response.status === 401) this.onUnauthorized();
      throw errorOf(response.status, parseJson(await response.text()));
    }
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    const parser = new SseParser();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        for (const event of parser.feed(value)) onEvent(event);
      }
    } finally {
      reader.releaseLock();
    }
  }
}
