import type { TaskTypeRegistration, WorkflowDefinition } from '@weft/core';
import {
  apiErrorOf,
  SseParser,
  WeftClient,
  type RunPage,
  type RunView,
  type ServerSentEvent,
  type StartedRun,
  type WorkflowSummary,
} from '@weft/client';
import type { SavedWorkflow, WorkflowVersion } from './types';

/**
 * The gateway's HTTP API as the console uses it, on the console's own origin: `@weft/client`, with
 * answers never taken from the browser's cache, and
 * `onUnauthorized` run when the key is refused. The live run stream is read here, as Server-Sent
 * Events, because the console shows each event as it comes.
 */
export class WeftApi {
  private readonly client: WeftClient;

  constructor(
    private readonly apiKey: string,
    private readonly onUnauthorized: () => void = () => undefined,
  ) {
    this.client = new WeftClient({
      url: window.location.origin,
      apiKey,
      fetch: (input, init) => this.fetch(input, init),
    });
  }

  /** The browser's fetch, never from its cache, telling the page when the key was refused. */
  private async fetch(input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> {
    // no-store: answers are always fresh, and no conditional request turns one into a 304.
    const response = await fetch(input, { ...init, cache: 'no-store' });
    if (response.status === 401) this.onUnauthorized();
    return response;
  }

  /** The app's workflows and the built-in templates. */
  listWorkflows(): Promise<WorkflowSummary[]> {
    return this.client.workflows.list();
  }

  /** A version of a workflow (the latest when `version` is absent). */
  async getWorkflow(slug: string, version?: number): Promise<WorkflowVersion> {
    const found =
      version === undefined
        ? await this.client.workflows.get(slug)
        : await this.client.workflows.version(slug, version);
    // The gateway stores and shows definitions in the canonical form only, which is core's type.
    return { ...found, definition: found.definition as unknown as WorkflowDefinition };
  }

  /** Saves a new version; 422 `invalid_definition` carries `details.diagnostics`. */
  saveWorkflow(slug: string, definition: WorkflowDefinition): Promise<SavedWorkflow> {
    return this.client.workflows.save({ slug, definition: { ...definition } });
  }

  /**
   * The task types registered at run time (`builtIn: false` in `GET /v1/task-types`), as core
   * takes them: the built-in ones are core's own, bundled with the console.
   */
  async registeredTaskTypes(): Promise<TaskTypeRegistration[]> {
    const listed = await this.client.taskTypes.list();
    return listed.flatMap((view) =>
      view.builtIn || view.version === undefined
        ? []
        : [
            {
              name: view.name,
              version: view.version,
              description: view.description,
              inputSchema: view.inputSchema,
              outputSchema: view.outputSchema,
              ...(view.retry === undefined ? {} : { retry: view.retry }),
              ...(view.timeout === undefined ? {} : { timeout: view.timeout }),
            },
          ],
    );
  }

  /** Runs of one workflow, newest first. */
  listRuns(slug: string, cursor?: string, limit = 20): Promise<RunPage> {
    return this.client.runs.list({ slug, limit, ...(cursor === undefined ? {} : { cursor }) });
  }

  getRun(runId: string): Promise<RunView> {
    return this.client.runs.get(runId);
  }

  startRun(slug: string, version: number, input: Record<string, unknown>): Promise<StartedRun> {
    return this.client.runs.start({ workflowSlug: slug, version, input });
  }

  cancelRun(runId: string): Promise<RunView> {
    return this.client.runs.cancel(runId);
  }

  /** An artifact's bytes (artifacts need the key, so media is fetched, then shown from a blob). */
  async artifact(path: string, signal?: AbortSignal): Promise<Blob> {
    const { bytes, contentType } = await this.client.artifacts.download(path, {
      ...(signal ? { signal } : {}),
    });
    return new Blob([bytes], { type: contentType });
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
    const response = await this.fetch(`/v1/workflows/runs/${encodeURIComponent(runId)}/events`, {
      headers: { 'X-API-Key': this.apiKey, Accept: 'text/event-stream' },
      signal,
    });
    if (!response.ok || response.body === null) throw await apiErrorOf(response);
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
