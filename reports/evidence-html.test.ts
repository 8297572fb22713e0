// The auditor's evidence pack in headless Chromium (as the drill report is checked): it opens from a
// file, fetches nothing, and shows every evidence event on the timeline, every exercised control with
// links to the events that prove it, the chain digest and signature, the verify instructions, and the
// JSON pack embedded unchanged. Hostile text from the evidence is shown, never run.
import { mkdtemp, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { evidenceJson } from '../cli/evidence.ts';
import { exportRunOf } from '../export/events.ts';
import { controlReport } from '../export/frameworks.ts';
import { exportableStatus } from '../test/support/evidence-fixture.ts';
import { launchChromium } from '../test/support/chromium.ts';
import { renderEvidenceHtml } from './evidence-html.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

describe('evidence pack HTML', () => {
  it('shows the timeline, the controls with their proving events, the seal and how to verify, fetching nothing', async () => {
    const status = exportableStatus();
    // Hostile text in a field the page shows: it must be displayed, not run or parsed as markup.
    status.evidence[1] = { ...status.evidence[1]!, ref: 'github pat <img src=x onerror=alert(1)></script>' } as (typeof status.evidence)[number];
    const run = exportRunOf(status);
    const json = evidenceJson(status);
    const html = renderEvidenceHtml(run, json);
    const file = join(await mkdtemp(join(tmpdir(), 'cordon-pack-')), 'pack.html');
    await writeFile(file, html);

    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(`file://${file}`);
    expect(requests).toEqual([`file://${file}`]);

    expect(await page.locator('#outcome').getAttribute('data-outcome')).toBe('not_contained');
    const rows = page.locator('#timeline tr.event');
    expect(await rows.count()).toBe(run.events.length);
    expect(await page.locator('#timeline tr.event[data-succeeded="false"]').count()).toBe(run.events.filter((e) => !e.succeeded).length);
    expect(await page.locator('#timeline tr.event[data-seq="1"]').textContent()).toContain('<img src=x onerror=alert(1)>');
    expect(await page.locator('img').count()).toBe(0);

    const report = controlReport(run.events);
    expect(await page.locator('#controls tr.control').count()).toBe(report.length);
    const rsmi = page.locator('#controls tr.control[data-framework="nist-csf-2.0"][data-control="RS.MI-01"]');
    expect(await rsmi.getAttribute('data-status')).toBe('partly_met');
    const proving = report.find((c) => c.framework === 'nist-csf-2.0' && c.id === 'RS.MI-01')!.events.map((e) => `#seq-${e.seq}`);
    expect(await rsmi.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href')))).toEqual(proving);
    // Each link lands on a row of the timeline.
    for (const href of proving) expect(await page.locator(`#timeline ${href}`).count()).toBe(1);

    expect(await page.locator('#seal').getAttribute('data-signed')).toBe('true');
    expect(await page.locator('#digest').textContent()).toBe(status.evidenceDigest);
    expect(await page.locator('#signature').textContent()).toBe((status.seal as { signature: string }).signature);
    expect(await page.locator('#verify ~ ol').textContent()).toContain('cordon evidence verify pack.json');
    // The embedded pack is the JSON pack, byte for byte.
    expect(await page.locator('#pack').textContent()).toBe(json.replace(/</g, '\\u003c'));
    expect(JSON.parse((await page.locator('#pack').textContent())!)).toEqual(JSON.parse(json));
    expect(JSON.parse(json)).toMatchObject({ format: 'cordon-evidence-pack/v1', digest: status.evidenceDigest });

    const shot = file.replace(/\.html$/, '.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect((await stat(shot)).size).toBeGreaterThan(10_000);
    await page.close();
  });

  it('says plainly when a run has no chain to check', () => {
    const status = { ...exportableStatus(), evidenceDigest: undefined, seal: undefined };
    const html = renderEvidenceHtml(exportRunOf(status), evidenceJson(status));
    expect(html).toContain('data-signed="false"');
    expect(html).toContain('no digest or signature to check');
  });
});
