import { describe, expect, it } from 'vitest';
import { WatchPolicy } from '../schemas/verdict.ts';
import type { PendingReason } from './baseline.ts';
import { clientClass, operationFamily, userAgentFamily } from './baseline.ts';
import { countryDistanceKm } from './country-centroids.ts';
import { actionOf, addPending, combineScore, openVerdict, PENDING_WINDOW_MS, severityOf, updateVerdict } from './verdict.ts';

const policy = WatchPolicy.parse({});
const finding = (signal: PendingReason['signal'], weight: number, subject = '', at = 1_000): PendingReason => ({
  signal,
  category: 'new_infrastructure',
  subject,
  text: `${signal} ${subject}`,
  weight,
  eventIds: [`e-${signal}-${subject}-${at}`],
  firstAt: at,
  lastAt: at,
});

describe('scoring', () => {
  it('combines independent findings as a noisy OR over each signal’s strongest one', () => {
    expect(combineScore([])).toBe(0);
    expect(combineScore([{ signal: 'new_asn', weight: 25 }, { signal: 'new_country', weight: 25 }])).toBe(44);
    expect(combineScore([{ signal: 'new_asn', weight: 25 }, { signal: 'asn_class_change', weight: 40 }])).toBe(55);
    // The same signal twice counts once, at its strongest.
    expect(combineScore([{ signal: 'new_asn', weight: 25 }, { signal: 'new_asn', weight: 30 }])).toBe(30);
    expect(combineScore([{ signal: 'use_after_revocation', weight: 100 }, { signal: 'new_asn', weight: 25 }])).toBe(100);
  });

  it('maps scores to severity and action', () => {
    expect([severityOf(49, 50), severityOf(50, 50), severityOf(70, 50), severityOf(85, 50)]).toEqual(['low', 'medium', 'high', 'critical']);
    const revoked = openVerdict({ tokenKey: 't', provider: 'github', principal: 'p' }, [{ ...finding('use_after_revocation', 100, '5'), category: 'use_after_revocation' }], policy, new Date(0));
    expect(actionOf(revoked.reasons, 100, policy)).toBe('staged');
    expect(actionOf(revoked.reasons, 100, { ...policy, directContainment: true })).toBe('direct');
    expect(actionOf(revoked.reasons, 40, { ...policy, directContainment: true })).toBe('none');
    const roleChange = [{ ...revoked.reasons[0]!, signal: 'use_after_lifecycle' as const, subject: 'role_changed' }];
    expect(actionOf(roleChange, 100, { ...policy, directContainment: true })).toBe('staged');
  });

  it('keeps pending findings a day, merging the same signal and subject', () => {
    const a = finding('new_asn', 25, '14061', 1_000);
    let pending = addPending([], a, a.lastAt);
    pending = addPending(pending, { ...finding('new_asn', 25, '14061', 2_000) }, 2_000);
    expect(pending).toHaveLength(1);
    expect(pending[0]!.eventIds).toEqual(['e-new_asn-14061-1000', 'e-new_asn-14061-2000']);
    pending = addPending(pending, finding('new_country', 25, 'DE', 3_000 + PENDING_WINDOW_MS), 3_000 + PENDING_WINDOW_MS);
    expect(pending.map((p) => p.signal)).toEqual(['new_country']);
  });

  it('updates an open verdict in place: same id, merged reasons, score never lower', () => {
    const opened = openVerdict({ tokenKey: 't', provider: 'slack', principal: 'U1', app: 'bot' }, [finding('new_asn', 25, '14061'), finding('asn_class_change', 40, 'hosting')], policy, new Date(0));
    expect(opened).toMatchObject({ score: 55, severity: 'medium', action: 'staged', app: 'bot', triggers: ['new_infrastructure'] });
    const updated = updateVerdict(opened, [finding('new_asn', 25, '14061', 5_000), finding('volume_spike', 70, '', 5_000)], policy, new Date(10_000));
    expect(updated.id).toBe(opened.id);
    expect(updated.reasons.map((r) => [r.signal, r.eventIds.length])).toEqual([
      ['new_asn', 2],
      ['asn_class_change', 1],
      ['volume_spike', 1],
    ]);
    expect(updated.score).toBe(combineScore(updated.reasons));
    expect(updated.score).toBeGreaterThan(opened.score);
    expect(updated.updatedAt).toBe(new Date(10_000).toISOString());
  });
});

describe('what the baseline compares', () => {
  it('ignores versions in user agents and names the client class', () => {
    expect(userAgentFamily('git/2.44.0')).toBe(userAgentFamily('git/2.45.1'));
    expect(userAgentFamily('python-requests/2.31.0')).not.toBe(userAgentFamily('git/2.44.0'));
    expect(clientClass('python-requests/2.31.0')).toBe('python');
    expect(clientClass('curl/8.4.0')).toBe('command-line http');
    expect(clientClass('git/2.39.2')).toBe('git');
    expect(clientClass('Mozilla/5.0 (Macintosh) Chrome/128.0')).toBe('browser');
    expect(clientClass('google-api-nodejs-client/9.14.0 (gzip)')).toBe('google client');
    expect(clientClass('Drift-Salesforce-Sync/3.4.1')).toBe('salesforce client');
    expect(clientClass('mystery')).toBe('other');
  });

  it('groups operations into families, and measures travel between countries', () => {
    expect(operationFamily('gmail.users.messages.list')).toBe('gmail');
    expect(operationFamily('git.clone')).toBe('git');
    expect(operationFamily('query.Account')).toBe('query');
    expect(countryDistanceKm('US', 'US')).toBe(0);
    expect(countryDistanceKm('GB', 'FR')).toBeGreaterThan(400);
    expect(countryDistanceKm('GB', 'FR')).toBeLessThan(1000);
    expect(countryDistanceKm('US', 'RU')).toBeGreaterThan(7000);
    expect(countryDistanceKm('US', 'XX')).toBeUndefined();
  });
});
