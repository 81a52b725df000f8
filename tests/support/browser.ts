import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, chromium } from 'playwright-core';

/** Debian's Chromium (`apt-get install -y chromium`); a downloaded browser is never used. */
export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

/** Where screenshots go: a git-ignored folder kept as the test run's artefacts. */
export const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts');

export interface TestBrowser {
  readonly browser: Browser;
  close(): Promise<void>;
}

/**
 * Headless Chromium with everything that would call out switched off. Playwright gives every
 * launch a fresh, empty profile of its own (it refuses a --user-data-dir argument).
 */
export async function launchChromium(): Promise<TestBrowser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    browser,
    async close() {
      await browser.close();
    },
  };
}
