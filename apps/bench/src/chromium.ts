/**
 * Debian's headless Chromium as both the bench (P8) and the page tests launch it: the one
 * place its path and options are written. A downloaded browser is never used.
 */
import { Browser, chromium } from 'playwright-core';

/** `apt-get install -y chromium`; CHROMIUM_PATH points elsewhere. */
export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

/**
 * Headless, with everything that would call out switched off. Playwright gives every
 * launch a fresh, empty profile of its own (it refuses a --user-data-dir argument).
 */
export function launchHeadlessChromium(): Promise<Browser> {
  return chromium.launch({
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
}
