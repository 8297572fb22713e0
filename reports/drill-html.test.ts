import { describe, expect, it } from 'vitest';
import { DrillTargets } from '../schemas/drill.ts';
import { gradeDrill } from '../drills/grade.ts';
import { finishedStatus } from '../drills/status-fixture.ts';
import { escapeHtml, renderDrillHtml } from './drill-html.ts';

const report = () => gradeDrill(finishedStatus(), { name: 'fixture', description: 'a <b>drill</b>', targets: DrillTargets.parse({ expectNotContained: [{ match: 'pat:fine_grained', reason: 'org "access" only' }] }) });

describe('renderDrillHtml', () => {
  it('escapes every piece of text: labels, descriptions, reasons', () => {
    const html = renderDrillHtml(report());
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<b>drill</b>');
    expect(html).toContain('Drift &#60;script&#62;alert(1)&#60;/script&#62; grant');
    expect(html).toContain('org &#34;access&#34; only');
    expect(escapeHtml(`<a href='x'>&"\``)).toBe('&#60;a href=&#39;x&#39;&#62;&#38;&#34;&#96;');
  });

  it('draws one timeline row per credential with a segment per state, and one row per approval wait', () => {
    const html = renderDrillHtml(report());
    expect(html.match(/class="credential-row"/g)).toHaveLength(2);
    expect(html).toContain('data-credential-id="salesforce:oauthtoken:u1:abc" data-final-state="verified_dead"');
    expect(html).toContain('data-credential-id="github:pat:fine_grained:8001" data-final-state="not_contained"');
    expect(html.match(/class="segment"/g)).toHaveLength(5 + 4);
    expect(html.match(/class="approval-row"/g)).toHaveLength(2);
  });

  it('is self-contained: no script, no external resource, and a CSP that forbids fetching', () => {
    const html = renderDrillHtml(report());
    expect(html).not.toMatch(/<script|<link|<img|<iframe|\bsrc=|\bhref=|url\(/i);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);
  });

  it('shows the verdict and each check', () => {
    const r = report();
    const html = renderDrillHtml(r);
    expect(html).toContain(`id="verdict" class="verdict ${r.verdict}"`);
    expect(html.match(/<td class="(ok|bad)">(ok|FAIL)<\/td>/g)).toHaveLength(r.checks.length);
  });
});
