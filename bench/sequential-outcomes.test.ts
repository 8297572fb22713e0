// The P3 benchmark's outcome comparison: each way a containment can differ from the correct end state is
// named, per credential; two clean sides with the same counts are the same outcomes.
import { describe, expect, it } from 'vitest';
import { checkOutcomes, sameOutcomes, wholePrincipals, type SideRecord, type Target } from './sequential-outcomes.ts';

const targets: Target[] = [
  { credentialId: 'google:k1', principal: 'sa-1', consumers: ['ci-a'] },
  { credentialId: 'github:deploy_key:o/r:1', principal: 'o/r', consumers: ['deploy-x', 'deploy-y'] },
];
const before = new Set(['google:k1', 'github:deploy_key:o/r:1', 'google:k-other']);
const clean: SideRecord = {
  replacements: [
    { credentialId: 'google:k1', consumerId: 'ci-a', replacementId: 'google:n1' },
    { credentialId: 'github:deploy_key:o/r:1', consumerId: 'deploy-x', replacementId: 'github:deploy_key:o/r:7' },
    { credentialId: 'github:deploy_key:o/r:1', consumerId: 'deploy-y', replacementId: 'github:deploy_key:o/r:8' },
  ],
  verifiedGone: ['google:k1', 'github:deploy_key:o/r:1'],
};
const cleanAfter = new Set(['google:k-other', 'google:n1', 'github:deploy_key:o/r:7', 'github:deploy_key:o/r:8']);

describe('checkOutcomes', () => {
  it('counts a side that revoked, verified and replaced everything, and minted nothing else, as clean', () => {
    expect(checkOutcomes(targets, clean, { before, after: cleanAfter })).toEqual({ credentials: 2, revoked: 2, verified: 2, consumers: 3, replaced: 3, minted: 3, problems: [] });
  });

  it('names a credential still live, one not verified, a consumer without or with two replacements, a dead replacement', () => {
    const side: SideRecord = {
      replacements: [
        { credentialId: 'github:deploy_key:o/r:1', consumerId: 'deploy-x', replacementId: 'github:deploy_key:o/r:7' },
        { credentialId: 'github:deploy_key:o/r:1', consumerId: 'deploy-x', replacementId: 'github:deploy_key:o/r:9' },
        { credentialId: 'github:deploy_key:o/r:1', consumerId: 'deploy-y', replacementId: 'github:deploy_key:o/r:8' },
      ],
      verifiedGone: ['github:deploy_key:o/r:1'],
    };
    const after = new Set(['google:k1', 'google:k-other', 'github:deploy_key:o/r:7', 'github:deploy_key:o/r:9']);
    const check = checkOutcomes(targets, side, { before, after });
    expect(check.problems).toEqual([
      'google:k1: still live after the run',
      'google:k1: not verified gone by the side itself',
      'google:k1: no replacement for consumer ci-a',
      'github:deploy_key:o/r:1: 2 replacements for consumer deploy-x (github:deploy_key:o/r:7, github:deploy_key:o/r:9)',
      'github:deploy_key:o/r:1: the replacement github:deploy_key:o/r:8 for consumer deploy-y is not live',
    ]);
    expect([check.revoked, check.verified, check.replaced]).toEqual([1, 1, 0]);
  });

  it('names an orphan (minted, live, recorded by nobody), a credential outside the set that was ended, and a replacement outside the set', () => {
    const side: SideRecord = { ...clean, replacements: [...clean.replacements, { credentialId: 'google:k-other', consumerId: 'ci-b', replacementId: 'google:n2' }] };
    const after = new Set(['google:n1', 'google:n2', 'google:orphan', 'github:deploy_key:o/r:7', 'github:deploy_key:o/r:8']);
    expect(checkOutcomes(targets, side, { before, after }).problems).toEqual([
      'google:k-other: replaced for ci-b, but it is not in the set',
      'google:orphan: live after the run, minted, but no side\'s replacement (an orphan)',
      'google:k-other: not in the set, but ended',
    ]);
  });
});

describe('sameOutcomes', () => {
  it('holds for two clean sides with the same counts only', () => {
    const a = checkOutcomes(targets, clean, { before, after: cleanAfter });
    expect(sameOutcomes(a, { ...a })).toBe(true);
    expect(sameOutcomes(a, { ...a, problems: ['google:k1: still live after the run'] })).toBe(false);
    expect(sameOutcomes(a, { ...a, minted: 4 })).toBe(false);
  });
});

describe('wholePrincipals', () => {
  const creds = [
    { id: 1, principal: 'a' },
    { id: 2, principal: 'b' },
    { id: 3, principal: 'a' },
    { id: 4, principal: 'c' },
  ];
  it('takes every credential of each principal in order until it has enough', () => {
    expect(wholePrincipals(creds, 1).map((c) => c.id)).toEqual([1, 3]);
    expect(wholePrincipals(creds, 3).map((c) => c.id)).toEqual([1, 3, 2]);
  });
  it('refuses a set larger than the scenario holds', () => {
    expect(() => wholePrincipals(creds, 5)).toThrow('5 credentials wanted, the scenario has 4');
  });
});
