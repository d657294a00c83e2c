// browser.mjs — Debian's Chromium (/usr/bin/chromium) through playwright-core, headless, with
// a new empty profile and every background service off: the test machine's network is closed,
// and Chromium would otherwise keep trying to reach Google (updates, sync, safe browsing, QUIC).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

/** Launches Chromium; returns {context, close()} (close also deletes the profile). */
export async function launch() {
  const profile = mkdtempSync(path.join(tmpdir(), 'apigwd-console-chromium-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1366, height: 768 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  } catch (e) {
    rmSync(profile, { recursive: true, force: true });
    throw e;
  }
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
