import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Browser } from 'playwright-core';
import { CHROMIUM, launchHeadlessChromium } from '../../apps/bench/src/chromium';

export { CHROMIUM };

/** Where screenshots go: a git-ignored folder kept as the test run's artefacts. */
export const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts');

export interface TestBrowser {
  readonly browser: Browser;
  close(): Promise<void>;
}

/** The same Chromium, launched the same way, as the bench's P8 (apps/bench/src/chromium.ts). */
export async function launchChromium(): Promise<TestBrowser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const browser = await launchHeadlessChromium();
  return {
    browser,
    async close() {
      await browser.close();
    },
  };
}
