import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TokenUseEvent } from '../../schemas/token-use.ts';
import { SignalName } from '../../schemas/verdict.ts';
import { openIpIntel } from '../../watch/ip-intel.ts';
import { generateTraffic, SCENARIOS } from './generate.ts';
import { addressIn, NETWORKS } from './networks.ts';

const digest = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex');

describe('the labelled traffic generator', () => {
  it('uses real addresses whose ASN and country in the shipped data match the story', () => {
    const intel = openIpIntel();
    for (const [name, network] of Object.entries(NETWORKS)) {
      for (const block of network.blocks) {
        for (const host of [block.replace(/\.0\/24$/, '.2'), block.replace(/\.0\/24$/, '.251')]) {
          expect(intel.lookup(host), `${name} ${host}`).toMatchObject({ asn: network.asn, country: network.country });
        }
      }
    }
    let n = 0;
    expect(addressIn(NETWORKS.digitalocean, () => n++ % 2)).toMatch(/^(134\.209\.0|162\.243\.184)\.\d+$/);
  });

  it('is seeded: the same seed gives the same traffic, another seed other traffic', () => {
    const a = generateTraffic({ seed: 11, tokens: 20, days: 20 });
    const b = generateTraffic({ seed: 11, tokens: 20, days: 20 });
    const c = generateTraffic({ seed: 12, tokens: 20, days: 20 });
    expect(digest(a)).toBe(digest(b));
    expect(digest(a.events)).not.toBe(digest(c.events));
  });

  it('emits valid events, labels that point at the attack token’s own events, and every scenario', () => {
    const traffic = generateTraffic({ seed: 5, tokens: 40, days: 24, attacksPerScenario: 2 });
    const byId = new Map(traffic.events.map((e) => [e.id, e]));
    for (const e of traffic.events) expect(TokenUseEvent.safeParse(e).success, e.id).toBe(true);
    expect(new Set(traffic.attacks.map((a) => a.scenario))).toEqual(new Set(SCENARIOS.map((s) => s.name)));
    for (const attack of traffic.attacks) {
      expect(attack.eventIds.length).toBeGreaterThan(0);
      for (const id of attack.eventIds) expect(byId.get(id)?.tokenKey, `${attack.scenario} ${id}`).toBe(attack.tokenKey);
      for (const s of attack.expectedSignals) expect(SignalName.safeParse(s).success).toBe(true);
    }
    expect(traffic.revocations.map((r) => r.tokenKey).sort()).toEqual(traffic.attacks.filter((a) => a.scenario === 'use-after-revocation').map((a) => a.tokenKey).sort());
    // Audit pages are re-read: some records arrive twice, with the same id.
    expect(byId.size).toBeLessThan(traffic.events.length);
  });

  it('has a working day: people’s tokens are busiest in their office hours, and weekends are quiet', () => {
    const traffic = generateTraffic({ seed: 3, tokens: 80, days: 28, attacksPerScenario: 0 });
    const human = traffic.events.filter((e) => e.provider === 'salesforce' && e.app === 'Salesforce Mobile' && e.action === 'use');
    const weekday = human.filter((e) => ![0, 6].includes(new Date(e.at).getUTCDay())).length;
    expect(weekday / human.length).toBeGreaterThan(0.85);
    expect(traffic.attacks).toEqual([]);
  });
});
