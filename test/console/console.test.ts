import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { WorkflowDefinition } from '@weft/core';
import { startFakeFal, type FakeFal } from '../fakes/fal-server';
import { createStepHandlers, stepServices } from '../integration/steps/step-services';
import { DEFAULT_STREAM_LIMITS } from '@weft/gateway';
import { registerTaskTypes } from '@weft/task-registry';
import { TestEngine } from '../support/engine';
import { openBrowser, type Browser } from './browser';

const ROOT = join(__dirname, '..', '..');
const BUILT_CONSOLE = join(ROOT, 'packages', 'console', 'dist', 'index.html');
/** `WEFT_CONSOLE_SCREENSHOTS=1` writes docs/console-editor.png and docs/console-run.png. */
const SCREENSHOTS = process.env.WEFT_CONSOLE_SCREENSHOTS === '1' ? join(ROOT, 'docs') : undefined;
const CHIP_REFERENCE = '${nodes.enhance.result.choices[0].message.content}';

async function screenshot(page: Page, name: string): Promise<void> {
  if (SCREENSHOTS === undefined) return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, name) });
}

/** The canvas node of this id (the node component, which carries status and problems). */
function canvasNode(page: Page, id: string) {
  return page.locator(`.task-node[data-node-id="${id}"]`);
}

/** Drags a new edge from `from`'s output handle to `to`'s input handle, as a user does. */
async function dragEdge(page: Page, from: string, to: string): Promise<void> {
  const source = page.locator(`.react-flow__node[data-id="${from}"] .react-flow__handle.source`);
  const target = page.locator(`.react-flow__node[data-id="${to}"] .react-flow__handle.target`);
  const start = await source.boundingBox();
  const end = await target.boundingBox();
  if (!start || !end) throw new Error(`no handles to drag between ${from} and ${to}`);
  await page.mouse.move(start.x + start.width / 2, start.y + start.height / 2);
  await page.mouse.down();
  await page.mouse.move(end.x + end.width / 2, end.y + end.height / 2, { steps: 12 });
  await page.mouse.up();
}

describe('the web console (Chromium against a real engine)', () => {
  const engine = new TestEngine();
  let fal: FakeFal;
  let gateway: Awaited<ReturnType<TestEngine['startGateway']>>;
  let browser: Browser;
  let page: Page;

  async function api(path: string): Promise<unknown> {
    const response = await fetch(`${gateway.url}${path}`, {
      headers: { Authorization: `Bearer ${gateway.apiKey}` },
    });
    return response.json();
  }

  beforeAll(async () => {
    if (!existsSync(BUILT_CONSOLE)) {
      throw new Error(
        'The console is not built: run `npm run build -w @weft/console` (or `npm run build`) first.',
      );
    }
    browser = await openBrowser();
    page = browser.page;
    await engine.open();
    // The video step goes to a fake of fal's queue; text and images run on the local provider,
    // whose images are artifacts the gateway serves (the console shows them from their bytes).
    fal = await startFakeFal({ key: 'fal-console', pollsBeforeComplete: 1 });
    // A user's worker registered a task type before the console opened: the editor offers it.
    await registerTaskTypes(
      engine.kafka,
      [
        {
          name: 'acme/resize',
          version: 1,
          description: 'Resizes an image to a width.',
          inputSchema: {
            type: 'object',
            required: ['image_url', 'width'],
            properties: {
              image_url: { type: 'string', description: 'Image to resize' },
              width: { type: 'integer', minimum: 1, description: 'Pixels' },
            },
          },
          outputSchema: {
            type: 'object',
            required: ['url'],
            properties: { url: { type: 'string' }, width: { type: 'integer' } },
          },
        },
      ],
      { stepPartitions: 1 },
    );
    gateway = await engine.startGateway({ taskRegistry: true });
    const services = await stepServices(
      engine.connection,
      {
        FAL_BASE_URL: fal.url,
        FAL_KEY: 'fal-console',
        FAL_POLL_INTERVAL_MS: '20',
        WEFT_IMAGE_MODEL: 'local/prompt-card',
      },
      { publicUrl: gateway.url },
    );
    await Promise.all([
      engine.startOrchestrator(),
      engine.startWorker({ handlers: createStepHandlers(services) }),
    ]);
  });

  afterAll(async () => {
    await browser?.close();
    await engine.close();
    await fal?.close();
  });

  afterEach(() => {
    // No console errors and no uncaught exceptions, whatever the page did.
    expect(browser.errors).toEqual([]);
  });

  it('builds Prompt to Video from its template, validates, saves, runs it and shows the run', async () => {
    await page.goto(`${gateway.url}/console`);
    await page.getByLabel('API key').fill(gateway.apiKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Workflows' }).waitFor();
    // The key is kept in the tab's sessionStorage, never in localStorage or a cookie.
    const stored = await page.context().storageState();
    expect(stored.cookies).toEqual([]);
    expect(stored.origins.flatMap((origin) => origin.localStorage)).toEqual([]);

    await page.getByRole('main').getByRole('link', { name: 'New workflow' }).click();
    for (const name of [
      'Prompt to Video',
      'Parallel Image Gen',
      'Image generate (image-generate-v1)',
      'Blank',
    ]) {
      await page.getByRole('link', { name }).waitFor();
    }
    await page.getByRole('link', { name: 'Prompt to Video' }).click();
    await canvasNode(page, 'enhance').waitFor();
    await canvasNode(page, 'generate_video').waitFor();
    await page.getByText('No problems found').waitFor();

    // A cycle, dragged on the canvas, shows on both nodes and blocks saving.
    await dragEdge(page, 'generate_video', 'enhance');
    for (const id of ['enhance', 'generate_video']) {
      await expectText(canvasNode(page, id), 'In a cycle');
    }
    await page
      .getByText(/form a cycle/)
      .first()
      .waitFor();
    expect(await page.getByRole('button', { name: 'Save' }).isDisabled()).toBe(true);

    // Fixed from the keyboard: focus the edge, select it, delete it.
    const backEdge = page.locator('.react-flow__edge[data-id="generate_video->enhance"]');
    await backEdge.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Edge generate_video → enhance' }).waitFor();
    await page.keyboard.press('Delete');
    await backEdge.waitFor({ state: 'detached' });
    await page.getByText('No problems found').waitFor();

    // A new node: a missing model is reported on it until a task type that needs none is chosen.
    await page.getByRole('button', { name: 'Add node' }).click();
    await expectText(canvasNode(page, 'node'), 'No model selected');
    await page.getByLabel('Task type').selectOption('image_generate');
    await page.getByLabel('Node id').fill('poster');
    await page.getByLabel('Node id').press('Enter');
    await canvasNode(page, 'poster').waitFor();
    await page.getByRole('group', { name: 'Runs after' }).getByLabel('enhance').check();

    // The prompt gets the enhanced text through a reference chip.
    const prompt = page.getByLabel('Prompt', { exact: true });
    await prompt.click();
    const chips = page.getByRole('group', { name: 'References for Prompt' });
    await chips.getByRole('button', { name: 'Insert ${input.prompt}' }).waitFor();
    await chips.getByRole('button', { name: `Insert ${CHIP_REFERENCE}` }).click();
    expect(await prompt.inputValue()).toBe(CHIP_REFERENCE);
    await page.getByText('No problems found').waitFor();

    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved version 1 of prompt-to-video.').waitFor();
    expect(new URL(page.url()).pathname).toBe('/console/workflows/prompt-to-video');
    const saved = (await api('/v1/workflows/prompt-to-video')) as {
      workflow: { version: number; definition: WorkflowDefinition };
    };
    expect(saved.workflow.version).toBe(1);
    expect(saved.workflow.definition.dag.nodes.poster).toEqual({
      task: 'image_generate',
      inputs: { prompt: CHIP_REFERENCE },
    });
    expect(saved.workflow.definition.dag.edges).toEqual([
      { from: 'enhance', to: 'generate_video' },
      { from: 'enhance', to: 'poster' },
    ]);
    await page.getByRole('button', { name: 'Auto-layout' }).click();
    await prompt.click();
    await chips.waitFor();
    await screenshot(page, 'console-editor.png');

    // Run asks for the input parameter, starts the run and opens it.
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Run Prompt to Video' });
    await dialog.getByLabel('prompt').fill('a lighthouse at dusk');
    await dialog.getByRole('button', { name: 'Start run' }).click();
    await page.waitForURL(/\/console\/runs\/run_[0-9a-z]+$/);
    const runId = new URL(page.url()).pathname.split('/').pop() as string;

    // The graph turns green as the events arrive, without a reload.
    for (const id of ['enhance', 'generate_video', 'poster']) {
      await canvasNode(page, id).and(page.locator('[data-status="completed"]')).waitFor({
        timeout: 30_000,
      });
    }
    await page.locator('h1 .status-completed').waitFor();
    const run = (await api(`/v1/workflows/runs/${runId}`)) as { status: string; input: unknown };
    expect(run).toMatchObject({ status: 'completed', input: { prompt: 'a lighthouse at dusk' } });

    // The timeline has a bar per node, each from its start to its finish.
    const bars = await page.locator('.timeline-row .timeline-running').all();
    expect(bars).toHaveLength(3);
    for (const bar of bars) expect((await bar.boundingBox())?.width).toBeGreaterThan(0);

    // Outputs: the enhanced text, the poster image shown from its artifact, the video's link.
    const poster = page.locator('article[data-node-id="poster"]');
    const image = poster.locator('img.media-image');
    await image.waitFor();
    // Decoded: a real PNG from the artifact's bytes, not a broken image.
    await page.waitForFunction(
      '(image) => image.complete && image.naturalWidth > 0',
      await image.elementHandle(),
    );
    expect(await image.getAttribute('src')).toMatch(/^blob:/);
    const enhance = page.locator('article[data-node-id="enhance"]');
    await enhance.locator('.output-text', { hasText: 'a lighthouse at dusk' }).waitFor();
    await page
      .locator('article[data-node-id="generate_video"]')
      .getByRole('link', { name: /Open video/ })
      .waitFor();
    // The timeline selects a node, and its results come into view.
    await page
      .locator('.timeline')
      .getByRole('button', { name: /^poster: Completed/ })
      .click();
    await page.locator('article.is-selected[data-node-id="poster"]').waitFor();
    await page.waitForTimeout(400); // the smooth scroll, for the screenshot
    await screenshot(page, 'console-run.png');
    await enhance.getByText('Inputs').click();
    await enhance
      .getByLabel('Inputs of enhance')
      .filter({ hasText: 'a lighthouse at dusk' })
      .waitFor();

    // The execution history lists the run with its status and duration.
    await page.getByRole('link', { name: 'Runs', exact: true }).click();
    await page.getByRole('heading', { name: 'Execution history' }).waitFor();
    const row = page.getByRole('row').filter({ hasText: runId });
    await expectText(row, 'Completed');
  });

  it('keeps the JSON tab and the other tabs in sync both ways', async () => {
    await page.goto(`${gateway.url}/console/workflows/prompt-to-video`);
    await canvasNode(page, 'poster').waitFor();
    await page.getByRole('tab', { name: 'JSON' }).click();
    const json = page.getByLabel('Workflow definition (JSON)');
    const saved = (await api('/v1/workflows/prompt-to-video')) as {
      workflow: { definition: WorkflowDefinition };
    };
    expect(JSON.parse(await json.inputValue())).toEqual(saved.workflow.definition);

    // JSON → canvas and Settings.
    const edited = structuredClone(saved.workflow.definition);
    edited.description = 'Edited as JSON';
    edited.dag.nodes.caption = { task: 'text_generate', inputs: { prompt: '${input.prompt}' } };
    edited.dag.edges.push({ from: 'poster', to: 'caption' });
    await json.fill(JSON.stringify(edited, null, 2));
    await page.getByText('Applied.').waitFor();
    await canvasNode(page, 'caption').waitFor();
    await page.locator('.react-flow__edge[data-id="poster->caption"]').waitFor();

    // Text that is not JSON stays in the tab with the reason; the canvas keeps the last good one.
    await json.fill('{"name": ');
    await page.getByText(/Not valid JSON/).waitFor();
    await canvasNode(page, 'caption').waitFor();
    await json.fill(JSON.stringify(edited, null, 2));
    await page.getByText('Applied.').waitFor();

    await page.getByRole('tab', { name: 'Settings' }).click();
    expect(await page.locator('#settings-description').inputValue()).toBe('Edited as JSON');
    // Settings → JSON.
    await page.locator('#settings-name').fill('Prompt to Video, edited');
    await page.getByRole('tab', { name: 'JSON' }).click();
    const round = JSON.parse(
      await page.getByLabel('Workflow definition (JSON)').inputValue(),
    ) as WorkflowDefinition;
    expect(round).toEqual({ ...edited, name: 'Prompt to Video, edited' });

    // Saved as a new version, the definition is the JSON tab's.
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved version 2 of prompt-to-video.').waitFor();
    const second = (await api('/v1/workflows/prompt-to-video/versions/2')) as {
      workflow: { definition: WorkflowDefinition };
    };
    expect(second.workflow.definition).toEqual(round);

    // The console's live validation is the gateway's, message for message: structure first,
    // then task inputs and models (precompiled validators in the browser, ajv on the server).
    const structure = structuredClone(round) as unknown as Record<string, unknown>;
    (structure.dag as { nodes: Record<string, Record<string, unknown>> }).nodes.poster!.colour =
      'red';
    const inputs = structuredClone(round);
    inputs.dag.nodes.generate_video!.inputs = { prompt: '', fps: 500, resolution: '4k' };
    inputs.dag.nodes.enhance!.model_id = 'no-such-model';
    for (const broken of [structure, inputs]) {
      await page.getByRole('tab', { name: 'JSON' }).click();
      await page.getByLabel('Workflow definition (JSON)').fill(JSON.stringify(broken));
      await page.getByText('Applied.').waitFor();
      const shown = await page.locator('.problem-panel .problem-message').allTextContents();
      const response = await fetch(`${gateway.url}/v1/workflows`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${gateway.apiKey}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ slug: 'parity-check', definition: broken }),
      });
      expect(response.status).toBe(422);
      const { diagnostics } = (
        (await response.json()) as {
          error: { details: { diagnostics: Record<string, { message: string }[]> } };
        }
      ).error.details;
      const expected = Object.values(diagnostics).flatMap((list) => list.map((d) => d.message));
      expect(expected.length).toBeGreaterThan(0);
      expect([...shown].sort()).toEqual([...expected].sort());
    }
  });

  it("offers a registered task type in the Node tab, with its payload fields and its result's chips", async () => {
    await page.goto(`${gateway.url}/console/new/blank`);
    await page.getByRole('tab', { name: 'JSON' }).click();
    const blank = JSON.parse(
      await page.getByLabel('Workflow definition (JSON)').inputValue(),
    ) as WorkflowDefinition;
    await page.getByLabel('Workflow definition (JSON)').fill(
      JSON.stringify({
        ...blank,
        dag: {
          nodes: {
            resize: { task: 'acme/resize', inputs: { image_url: '${input.photo}', width: 64 } },
            caption: { task: 'text_generate', inputs: { prompt: 'Describe it' } },
          },
          edges: [{ from: 'resize', to: 'caption' }],
        },
      }),
    );
    await page.getByText('Applied.').waitFor();
    // Validated against the registered type as the API would: nothing to report.
    await page.getByText('No problems found').waitFor();

    await canvasNode(page, 'resize').click();
    await page.getByRole('tab', { name: 'Node' }).click();
    const task = page.getByLabel('Task type');
    expect(await task.inputValue()).toBe('acme/resize');
    await page.getByText('Resizes an image to a width.').waitFor();
    expect(await task.locator('optgroup[label="Custom"] option').allTextContents()).toEqual([
      'acme/resize',
    ]);
    // Payload fields from its input schema.
    expect(await page.getByLabel('Width', { exact: false }).first().inputValue()).toBe('64');

    // A downstream node's field offers the registered type's outputs, from its output schema.
    await canvasNode(page, 'caption').click();
    const prompt = page.getByLabel('Prompt', { exact: true });
    await prompt.click();
    const chips = page.getByRole('group', { name: 'References for Prompt' });
    await chips.getByRole('button', { name: 'Insert ${nodes.resize.result.url}' }).click();
    expect(await prompt.inputValue()).toBe('Describe it${nodes.resize.result.url}');
    await page.getByText('No problems found').waitFor();
  });

  it('shows a failed node’s error and cancels a run that is still going', async () => {
    const started = await fetch(`${gateway.url}/v1/workflows/run`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${gateway.apiKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        plan: {
          name: 'Slow and failing',
          dag: {
            nodes: {
              wait: { task: 'core/delay', inputs: { ms: 60_000 } },
              oops: {
                task: 'core/fail',
                inputs: { code: 'demo_failure', message: 'failed on purpose', retryable: false },
                on_error: 'continue',
              },
            },
            edges: [],
          },
        },
      }),
    });
    expect(started.status).toBe(202);
    const { runId } = (await started.json()) as { runId: string };

    // At a laptop's smaller screen too: nothing wider than the window.
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.goto(`${gateway.url}/console/runs/${runId}`);
    const oops = page.locator('article[data-node-id="oops"]');
    await oops.locator('.node-error', { hasText: 'demo_failure' }).waitFor({ timeout: 15_000 });
    await expectText(oops, 'failed on purpose');
    await canvasNode(page, 'oops').and(page.locator('[data-status="failed"]')).waitFor();
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(
      true,
    );

    await page.getByRole('button', { name: 'Cancel run' }).click();
    await page.locator('h1 .status-cancelled').waitFor();
    await canvasNode(page, 'wait').and(page.locator('[data-status="cancelled"]')).waitFor();
    expect(await page.getByRole('button', { name: 'Cancel run' }).count()).toBe(0);
    const run = (await api(`/v1/workflows/runs/${runId}`)) as { status: string };
    expect(run.status).toBe('cancelled');
    await page.setViewportSize({ width: 1440, height: 900 });
  });
  it('keeps a run current by reading it while its key may open no more streams', async () => {
    const start = async (plan: unknown) => {
      const response = await fetch(`${gateway.url}/v1/workflows/run`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${gateway.apiKey}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ plan }),
      });
      expect(response.status).toBe(202);
      return ((await response.json()) as { runId: string }).runId;
    };
    const streamOf = (runId: string, signal?: AbortSignal) =>
      fetch(`${gateway.url}/v1/workflows/runs/${runId}/events`, {
        headers: { Authorization: `Bearer ${gateway.apiKey}` },
        ...(signal ? { signal } : {}),
      });
    // Every stream the key may hold, on a run that outlasts the test.
    const holder = await start({
      name: 'Holds the streams',
      steps: [{ id: 'wait', type: 'core/delay', input: { ms: 60_000 } }],
    });
    const release = new AbortController();
    const held = await Promise.all(
      Array.from({ length: DEFAULT_STREAM_LIMITS.perKey }, () => streamOf(holder, release.signal)),
    );
    try {
      expect(held.every((response) => response.status === 200)).toBe(true);
      const runId = await start({
        name: 'Refused a stream',
        dag: {
          nodes: {
            wait: { task: 'core/delay', inputs: { ms: 1_500 } },
            after: { task: 'core/transform', inputs: { value: 'done' } },
          },
          edges: [{ from: 'wait', to: 'after' }],
        },
      });
      expect((await streamOf(runId)).status).toBe(429);

      await page.goto(`${gateway.url}/console/runs/${runId}`);
      await canvasNode(page, 'after').and(page.locator('[data-status="completed"]')).waitFor({
        timeout: 20_000,
      });
      await page.locator('h1 .status-completed').waitFor();
      // Chromium logs each refused stream; those, and only those, were expected.
      const refusals = browser.errors.filter((line) => line.includes('status of 429'));
      expect(refusals.length).toBeGreaterThan(0);
      browser.errors.splice(
        0,
        browser.errors.length,
        ...browser.errors.filter((line) => !refusals.includes(line)),
      );
    } finally {
      release.abort();
      await fetch(`${gateway.url}/v1/workflows/runs/${holder}/cancel`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${gateway.apiKey}` },
      });
    }
  });
});

async function expectText(locator: ReturnType<Page['locator']>, text: string): Promise<void> {
  await locator.filter({ hasText: text }).first().waitFor({ timeout: 10_000 });
}
