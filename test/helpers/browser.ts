import { existsSync } from 'node:fs';
import { type Browser, launch } from 'puppeteer-core';

/** Where Debian and Ubuntu put the system chromium (scripts/setup.mjs --test installs it). */
const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/**
 * The system's Chromium: `CHROMIUM_PATH` when set, else the first of the usual places.
 *
 * @throws Error saying how to install it (tests need a real browser; none is downloaded)
 */
export function systemChromium(): string {
  const found = [process.env.CHROMIUM_PATH, ...CANDIDATES].find((p): p is string => !!p && existsSync(p));
  if (!found) {
    throw new Error(
      'no system chromium: run `node scripts/setup.mjs --test` (as root it runs `apt-get install -y chromium`), or set CHROMIUM_PATH',
    );
  }
  return found;
}

/** Launches the system Chromium headless (no sandbox: tests run as root in CI). */
export function launchBrowser(): Promise<Browser> {
  return launch({
    executablePath: systemChromium(),
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
}
