// Headless Chromium for the HTML report tests (the drill report, the evidence pack): the Debian browser
// at /usr/bin/chromium that test/ensure-chromium.sh installs, driven by playwright-core, with nothing
// in the background that would fetch (so a test can assert the page made no request but its own).
import { chromium, type Browser } from 'playwright-core';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}
