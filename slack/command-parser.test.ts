import { describe, expect, it } from 'vitest';
import { buildContainment, parseCordonCommand, tokenize, type RequestContext } from './command-parser.ts';
import { containsRawSecret, looksLikeRawSecret } from './raw-secret-guard.ts';

const ctx: RequestContext = { requester: 'U0DANA', approvers: ['U0PRIYA', 'U0SVC'], policy: { waveSize: 2, stagedDeadline: '10m' } };

function contain(text: string) {
  const r = parseCordonCommand(text, ctx);
  if (!r.ok) throw new Error(r.error);
  if (r.command.kind !== 'contain') throw new Error(`parsed as ${r.command.kind}`);
  return r.command.input;
}
function error(text: string): string {
  const r = parseCordonCommand(text, ctx);
  if (r.ok) throw new Error(`accepted: ${JSON.stringify(r.command)}`);
  return r.error;
}

describe('/cordon contain', () => {
  it('builds a staged ContainmentInput for a shared credential, with the requester and the configured approvers', () => {
    const input = contain('contain memory id=tok-drift-1 --incident INC-7 --shared');
    expect(input).toMatchObject({
      incidentId: 'INC-7',
      requester: 'U0DANA',
      mode: 'staged',
      severity: 'high',
      breakGlass: false,
      credentials: [{ provider: 'memory', kind: 'oauth_token', id: 'tok-drift-1' }],
      policy: { waveSize: 2, stagedDeadline: '10m', approval: { approvers: ['U0PRIYA', 'U0SVC'] } },
    });
    expect(input.origin).toBeUndefined();
  });

  it('defaults to direct mode and reads every option, in any order, with = or a space, quoted reasons', () => {
    const input = contain('contain --severity critical github client=Iv1.abc user=octocat --kind oauth_grant --incident=INC-8 --reason “vendor breach notice” --break-glass');
    expect(input).toMatchObject({
      mode: 'direct',
      severity: 'critical',
      breakGlass: true,
      reason: 'vendor breach notice',
      credentials: [{ provider: 'github', kind: 'oauth_grant', clientId: 'Iv1.abc', user: 'octocat' }],
    });
  });

  it('maps each ref form to its field and a sensible kind', () => {
    expect(contain('contain google key=k-1 --incident I').credentials[0]).toEqual({ provider: 'google', kind: 'api_key', keyId: 'k-1' });
    expect(contain('contain slack fp=0123456789ab --incident I').credentials[0]).toEqual({ provider: 'slack', kind: 'oauth_token', fingerprint: '0123456789ab' });
    expect(contain('contain salesforce client=3MVG9 --incident I').credentials[0]).toEqual({ provider: 'salesforce', kind: 'oauth_grant', clientId: '3MVG9' });
  });

  it('names what was wrong, as the command spells it', () => {
    expect(error('contain memory id=x --incident "bad id!"')).toMatch(/--incident: an incident id is letters/);
    expect(error('contain dropbox id=x --incident I')).toMatch(/<provider>: `dropbox` is not a provider/);
    expect(error('contain memory id=x --incident I --severity urgent')).toMatch(/--severity: `urgent` is not a severity/);
    expect(error('contain memory id=x --incident I --kind cookie')).toMatch(/--kind: `cookie` is not a credential kind/);
    expect(error('contain memory tok-drift-1 --incident I')).toMatch(/<ref>: `tok-drift-1` is not a ref form/);
    expect(error('contain memory fp=XYZ --incident I')).toMatch(/<ref>: a fingerprint is 8-64 lowercase hex/);
    expect(error('contain memory id=x')).toMatch(/--incident: give the incident id/);
    expect(error('contain memory id=x --incident I --color red')).toMatch(/`--color` is not an option/);
    expect(error('contain memory id=x --incident')).toMatch(/`--incident` needs a value/);
    expect(error('contain memory --incident I')).toMatch(/Name the provider and the credential/);
    // A long word the guard did not recognise is still not repeated back into Slack.
    const long = 'abcdefghijklmnopqrstuvwxyzabcdef';
    expect(looksLikeRawSecret(long)).toBe(false);
    const e = error(`contain memory ${long} --incident I`);
    expect(e).toMatch(/<ref>: the value given is not a ref form/);
    expect(e).not.toContain(long);
  });

  it('refuses a pasted secret in any position and never repeats it', () => {
    const secrets = ['mem_leaked_drift_7Qm2xPz9LkWv4RtY8sNc', 'ghp_' + 'a1B2'.repeat(9), 'xoxb-1234-5678-abcdefghijkl', 'ya29.a0AfH6SMBx' + 'y'.repeat(30)];
    for (const s of secrets) {
      for (const text of [`contain memory ${s} --incident I`, `contain memory id=${s} --incident I`, `contain memory value=${s.slice(0, 10)} --incident I`, `contain memory id=x --incident I --reason "${s}"`]) {
        const e = error(text);
        expect(e).toMatch(/looks like a raw credential/);
        expect(e).not.toContain(s);
      }
    }
  });
});

describe('other commands', () => {
  it('help, status, the modal, and an unknown verb', () => {
    expect(parseCordonCommand('', ctx)).toEqual({ ok: true, command: { kind: 'help' } });
    expect(parseCordonCommand('help', ctx)).toEqual({ ok: true, command: { kind: 'help' } });
    expect(parseCordonCommand('contain', ctx)).toEqual({ ok: true, command: { kind: 'open_modal' } });
    expect(parseCordonCommand('status INC-9', ctx)).toEqual({ ok: true, command: { kind: 'status', incidentId: 'INC-9' } });
    expect(error('status INC"9')).toMatch(/is not an incident id/); // never reaches the visibility query
    expect(parseCordonCommand('status cordon-mass-INC-9-0123456789abcdef', ctx)).toEqual({ ok: true, command: { kind: 'mass_status', massId: 'cordon-mass-INC-9-0123456789abcdef' } });
    expect(error('status cordon-mass-INC"9')).toMatch(/is not a mass containment id/);
    expect(error('revoke everything')).toMatch(/`revoke` is not a \/cordon command/);
  });
});

describe('the modal fields', () => {
  it('report errors per field so Slack shows each under its input', () => {
    const r = buildContainment({ provider: 'memory', ref: 'nonsense', incident: 'bad id', shared: false, severity: 'urgent' }, ctx);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(Object.keys(r.errors).sort()).toEqual(['ref', 'severity']);
    const r2 = buildContainment({ provider: 'memory', ref: 'id=tok-1', incident: 'bad id', shared: true }, ctx);
    expect(!r2.ok && r2.errors.incident).toMatch(/an incident id is letters/);
    const r3 = buildContainment({ provider: 'memory', ref: 'id=tok-1', incident: 'INC-1', shared: true, reason: 'xoxp-1234-5678-abcdefgh' }, ctx);
    expect(!r3.ok && r3.errors.reason).toMatch(/raw credential/);
  });
});

describe('the raw secret guard', () => {
  it('lets ids, client ids, hex fingerprints and incident ids through', () => {
    for (const w of ['id=tok-drift-1', 'client=1234567890-abcdefghijklmnop.apps.googleusercontent.com', 'fp=' + 'ab12'.repeat(16), 'INC-2025-0042', 'key=00D5e000000ABCdEAG', '--shared']) {
      expect(looksLikeRawSecret(w), w).toBe(false);
    }
    expect(containsRawSecret('contain memory id=tok-drift-1 --incident INC-7 --shared')).toBe(false);
  });
  it('catches provider token shapes and random-looking strings', () => {
    for (const w of ['github_pat_11ABCDEFG', 'AKIAABCDEFGHIJKLMNOP', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0', 'Zx9Qw8Er7Ty6Ui5Op4As3Df2', 'token=abc']) {
      expect(looksLikeRawSecret(w), w).toBe(true);
    }
  });
});

describe('tokenize', () => {
  it('keeps quoted text together, straight or curly, also after --flag=', () => {
    expect(tokenize('a "b c" “d e” --reason="f g"')).toEqual(['a', 'b c', 'd e', '--reason=f g']);
  });
});
