import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium, which playwright-core drives (no browser is downloaded). */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * Flags that keep a headless Chromium quiet on a closed network: without the background ones it
 * keeps calling home (updates, sync, field trials).
 */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A fresh Chromium profile and page, and what the page logged as errors. */
export interface Browser {
  page: Page;
  /** Console errors and uncaught exceptions of the page, in order. */
  errors: string[];
  close(): Promise<void>;
}

/**
 * Starts Chromium with a fresh profile at `viewport` (a laptop screen). Fails with the fix when
 * Chromium is not installed, rather than with playwright's generic launch error.
 */
export async function openBrowser(viewport = { width: 1440, height: 900 }): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `The console tests drive Chromium at ${CHROMIUM}, which is missing: install Debian's chromium package (apt-get install chromium).`,
    );
  }
  const profile = mkdtempSync(join(tmpdir(), 'weft-chromium-'));
  let context: BrowserContext;
  try {
    // A persistent context is how playwright takes a --user-data-dir of our choosing.
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport,
    });
  } catch (error) {
    rmSync(profile, { recursive: true, force: true });
    throw error;
  }
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console error: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
  return {
    page,
    errors,
    close: async () => {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
