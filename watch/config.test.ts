import { describe, expect, it } from 'vitest';
import { watchSettingsFromEnv } from './config.ts';

describe('the watch’s settings from the environment', () => {
  it('applies the defaults when nothing is set', () => {
    const settings = watchSettingsFromEnv({});
    expect(settings.storePath).toBe('.cordon/watch.db');
    expect(settings.ipIntel).toEqual({});
    expect(settings.policy).toMatchObject({ threshold: 50, directContainment: false, learningDays: 7, knownDays: 30, vendors: [], inventory: [] });
  });

  it('reads the store, the MaxMind files and the policy', () => {
    const settings = watchSettingsFromEnv({
      CORDON_WATCH_DB: '/var/lib/cordon/watch.db',
      CORDON_WATCH_ASN_MMDB: '/data/GeoLite2-ASN.mmdb',
      CORDON_WATCH_COUNTRY_MMDB: '/data/GeoLite2-Country.mmdb',
      CORDON_WATCH_POLICY: JSON.stringify({ threshold: 60, directContainment: true, vendors: [{ name: 'Drift', apps: ['Drift'], asns: [16509] }] }),
    });
    expect(settings).toMatchObject({ storePath: '/var/lib/cordon/watch.db', ipIntel: { asnMmdb: '/data/GeoLite2-ASN.mmdb', countryMmdb: '/data/GeoLite2-Country.mmdb' } });
    expect(settings.policy).toMatchObject({ threshold: 60, directContainment: true, vendors: [{ name: 'Drift', apps: ['Drift'], asns: [16509], cidrs: [], userAgents: [] }] });
  });

  it('names the variable and the field of a bad policy', () => {
    expect(() => watchSettingsFromEnv({ CORDON_WATCH_POLICY: '{threshold: 60' })).toThrow(/^CORDON_WATCH_POLICY: is not JSON/);
    expect(() => watchSettingsFromEnv({ CORDON_WATCH_POLICY: '{"threshold": 0}' })).toThrow(/^CORDON_WATCH_POLICY: threshold: /);
    expect(() => watchSettingsFromEnv({ CORDON_WATCH_POLICY: '{"vendors": [{"name": "x", "apps": ["a"], "asns": ["16509"]}]}' })).toThrow(/^CORDON_WATCH_POLICY: vendors\.0\.asns\.0: /);
  });
});
