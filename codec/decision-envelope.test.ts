import { randomBytes } from 'node:crypto';
import type { Payload } from '@temporalio/common';
import proto from '@temporalio/proto';
import { describe, expect, it } from 'vitest';
import { authenticate, ENVELOPE_TTL_MS, envelopeVerdictOf, type Identity } from '../schemas/envelope.ts';
import { ENVELOPE_VERDICT_METADATA, EnvelopeCheckCodec, envelopeKeysFromEnv, newEnvelopeKeyEntry, signEnvelope, verifyEnvelopeSignature, type EnvelopeKeys } from './decision-envelope.ts';
import { cordonDataConverter } from './encryption-codec.ts';
import { payloadConverter } from './payload-converter.ts';

const keys = envelopeKeysFromEnv({ CORDON_ENVELOPE_KEYS: newEnvelopeKeyEntry('k1') })!;
const slackUser: Identity = { authenticatedBy: 'slack_signature', slackUserId: 'U0BOB', slackTeamId: 'T0ACME', slackTransport: 'signed_request' };
const decision = { stage: 'contain', digest: 'a'.repeat(64), decision: 'approve', approver: 'U0BOB', channel: 'slack' };
const WF = 'cordon-INC-1-0123456789abcdef';
const ISSUED = new Date('2026-11-27T10:00:00.000Z');
const signed = (over: { identity?: Identity; workflowId?: string; action?: 'decide' | 'refusal' | 'cancel_request'; keys?: EnvelopeKeys; at?: Date } = {}) =>
  signEnvelope(decision, { keys: over.keys ?? keys, identity: over.identity ?? slackUser }, { workflowId: over.workflowId ?? WF, action: over.action ?? 'decide' }, over.at ?? ISSUED);
const workflowContext = { type: 'workflow' as const, namespace: 'default', workflowId: WF };
const json = (v: unknown, metadata: Record<string, Uint8Array> = {}): Payload => ({ metadata: { encoding: new TextEncoder().encode('json/plain'), ...metadata }, data: new TextEncoder().encode(JSON.stringify(v)) });

/** What a workflow handler receives: the worker's codecs decode, then its payload converter. */
async function asWorkflowSees(payload: Payload, withKeys: EnvelopeKeys | undefined = keys): Promise<unknown> {
  const [decoded] = await new EnvelopeCheckCodec(withKeys).decode([payload], workflowContext);
  return payloadConverter.fromPayload(decoded!, workflowContext);
}

/** The workflow's judgement, as the `decide` handler makes it (schemas/envelope.ts). */
const judge = (message: unknown, over: { nowMs?: number; nonces?: Set<string>; workflowId?: string; action?: 'decide' | 'refusal' | 'cancel_request'; claimedChannel?: string } = {}) =>
  authenticate(message, {
    action: over.action ?? 'decide',
    workflowId: over.workflowId ?? WF,
    nowMs: over.nowMs ?? ISSUED.getTime() + 1000,
    nonces: over.nonces ?? new Set(),
    claimedChannel: 'claimedChannel' in over ? over.claimedChannel : 'slack',
  });

describe('decision envelopes: signature', () => {
  it('verifies a signed message and refuses it after any field changes, or under another key', () => {
    const m = signed();
    expect(verifyEnvelopeSignature(m, keys)).toEqual({ valid: true, keyId: 'k1' });
    expect(verifyEnvelopeSignature({ ...m, approver: 'U0EVE' }, keys)).toMatchObject({ valid: false, reason: expect.stringMatching(/does not match/) });
    expect(verifyEnvelopeSignature({ ...m, envelope: { ...m.envelope, identity: { ...slackUser, slackUserId: 'U0EVE' } } }, keys)).toMatchObject({ valid: false });
    expect(verifyEnvelopeSignature({ ...m, envelope: { ...m.envelope, workflowId: 'cordon-other' } }, keys)).toMatchObject({ valid: false });
    expect(verifyEnvelopeSignature({ ...m, envelope: { ...m.envelope, issuedAt: new Date().toISOString() } }, keys)).toMatchObject({ valid: false });
    const other = envelopeKeysFromEnv({ CORDON_ENVELOPE_KEYS: `k1:${randomBytes(32).toString('base64')}` })!;
    expect(verifyEnvelopeSignature(m, other)).toMatchObject({ valid: false, reason: expect.stringMatching(/does not match/) });
    expect(verifyEnvelopeSignature(m, envelopeKeysFromEnv({ CORDON_ENVELOPE_KEYS: newEnvelopeKeyEntry('k2') }))).toEqual({ valid: false, reason: 'this worker has no envelope key with id k1' });
    expect(verifyEnvelopeSignature(m, undefined)).toMatchObject({ valid: false, reason: expect.stringMatching(/CORDON_ENVELOPE_KEYS is unset/) });
  });

  it('puts the key in no message: only its id and the signature', () => {
    const m = signed();
    expect(JSON.stringify(m)).not.toContain(keys.keys.get('k1')!.toString('base64'));
    expect(JSON.stringify(m)).not.toContain(keys.keys.get('k1')!.toString('base64url'));
    expect(m.envelope).toMatchObject({ keyId: 'k1', workflowId: WF, action: 'decide', identity: slackUser });
  });

  it('reads CORDON_ENVELOPE_KEYS, naming the variable and never the key when it is wrong', () => {
    expect(envelopeKeysFromEnv({})).toBeUndefined();
    const short = randomBytes(16).toString('base64');
    expect(() => envelopeKeysFromEnv({ CORDON_ENVELOPE_KEYS: `k1:${short}` })).toThrow(/CORDON_ENVELOPE_KEYS: key k1 decodes to 16 bytes/);
    expect(() => envelopeKeysFromEnv({ CORDON_ENVELOPE_KEYS: `k1:${short}` })).not.toThrow(short);
    expect(() => envelopeKeysFromEnv({ CORDON_ENVELOPE_KEYS: 'no-colon' })).toThrow(/each entry is <key id>:<base64 key>/);
    const two = envelopeKeysFromEnv({ CORDON_ENVELOPE_KEYS: `${newEnvelopeKeyEntry('new')},${newEnvelopeKeyEntry('old')}` })!;
    expect(two.activeKeyId).toBe('new');
    expect([...two.keys.keys()]).toEqual(['new', 'old']);
  });
});

describe('decision envelopes: the worker codec and payload converter', () => {
  it('hands the workflow the verdict out of band, and a valid message is authenticated', async () => {
    const sent = signed();
    const seen = await asWorkflowSees(json(sent));
    expect(envelopeVerdictOf(seen)).toEqual({ valid: true, keyId: 'k1' });
    // Out of band: the value itself is the message as sent, and a JSON copy of it carries no verdict.
    expect(seen).toEqual(sent);
    expect(envelopeVerdictOf(JSON.parse(JSON.stringify(seen)))).toBeUndefined();
    expect(judge(seen)).toEqual({ channel: 'slack', authenticatedBy: 'slack_signature', identity: slackUser });
  });

  it('strips a verdict a client put in the metadata, and nothing in JSON passes for one', async () => {
    const forged = { ...decision, envelope: { ...signed().envelope, signature: 'A'.repeat(43) } };
    const valid = new TextEncoder().encode(JSON.stringify({ valid: true, keyId: 'k1' }));
    // With an envelope: the codec's own verdict replaces the forged one.
    const seen = await asWorkflowSees(json(forged, { [ENVELOPE_VERDICT_METADATA]: valid }));
    expect(envelopeVerdictOf(seen)).toMatchObject({ valid: false, reason: expect.stringMatching(/does not match/) });
    expect(judge(seen)).toMatchObject({ channel: 'temporal', authenticatedBy: 'unauthenticated', claimedChannel: 'slack', envelopeRefused: expect.stringMatching(/does not match/) });
    // Without one: the forged metadata is simply gone.
    const [plain] = await new EnvelopeCheckCodec(keys).decode([json(decision, { [ENVELOPE_VERDICT_METADATA]: valid })], workflowContext);
    expect(plain!.metadata![ENVELOPE_VERDICT_METADATA]).toBeUndefined();
    // A verdict-shaped JSON field is data, not a verdict.
    const jsonVerdict = await asWorkflowSees(json({ ...signed(), valid: true, [Symbol.for('cordon.envelopeVerdict').toString()]: { valid: true } }));
    expect(envelopeVerdictOf(jsonVerdict)).toMatchObject({ valid: false });
  });

  it('passes a payload without bytes through as it came (a decrypted `undefined` is a protobuf message with its data on the prototype)', async () => {
    const empty = proto.temporal.api.common.v1.Payload.decode(proto.temporal.api.common.v1.Payload.encode({ metadata: { encoding: new TextEncoder().encode('binary/null') } }).finish()) as Payload;
    const [out] = await new EnvelopeCheckCodec(keys).decode([empty, { metadata: {} }], workflowContext);
    expect(out).toBe(empty);
    expect(payloadConverter.fromPayload(out!, workflowContext)).toBeUndefined();
  });

  it('is in every worker data converter, keys or not, after decryption', async () => {
    const codecKeys = { activeKeyId: 'c', keys: new Map([['c', randomBytes(32)]]) };
    const [envelopeCheck, encryption] = cordonDataConverter(codecKeys, { worker: true, envelopeKeys: keys }).payloadCodecs;
    const [encrypted] = await encryption!.encode([json(signed())]);
    // Decoded last codec first, as the SDK does: decrypt, then check.
    const [decrypted] = await encryption!.decode([encrypted!], workflowContext);
    const [checked] = await envelopeCheck!.decode([decrypted!], workflowContext);
    expect(envelopeVerdictOf(payloadConverter.fromPayload(checked!, workflowContext))).toEqual({ valid: true, keyId: 'k1' });
    const [withoutKeys] = cordonDataConverter(codecKeys, { worker: true }).payloadCodecs;
    expect(withoutKeys).toBeInstanceOf(EnvelopeCheckCodec);
    const [unchecked] = await withoutKeys!.decode([decrypted!], workflowContext);
    expect(judge(payloadConverter.fromPayload(unchecked!, workflowContext))).toMatchObject({ authenticatedBy: 'unauthenticated', envelopeRefused: expect.stringMatching(/no envelope keys/) });
  });
});

describe('decision envelopes: the workflow judgement', () => {
  it('refuses an expired envelope, and one issued in the future', async () => {
    const seen = await asWorkflowSees(json(signed()));
    expect(judge(seen, { nowMs: ISSUED.getTime() + ENVELOPE_TTL_MS - 1 })).toMatchObject({ authenticatedBy: 'slack_signature' });
    expect(judge(seen, { nowMs: ISSUED.getTime() + ENVELOPE_TTL_MS + 1 })).toMatchObject({ authenticatedBy: 'unauthenticated', envelopeRefused: expect.stringMatching(/expired/) });
    expect(judge(seen, { nowMs: ISSUED.getTime() - 5 * 60_000 })).toMatchObject({ authenticatedBy: 'unauthenticated', envelopeRefused: expect.stringMatching(/in the future/) });
  });

  it('counts a nonce once per run', async () => {
    const nonces = new Set<string>();
    const seen = await asWorkflowSees(json(signed()));
    expect(judge(seen, { nonces })).toMatchObject({ authenticatedBy: 'slack_signature' });
    expect(judge(seen, { nonces })).toMatchObject({ authenticatedBy: 'unauthenticated', claimedChannel: 'slack', envelopeRefused: expect.stringMatching(/already used/) });
    // A fresh envelope from the same person counts.
    expect(judge(await asWorkflowSees(json(signed())), { nonces })).toMatchObject({ authenticatedBy: 'slack_signature' });
  });

  it('refuses an envelope for another workflow, another action or another channel', async () => {
    expect(judge(await asWorkflowSees(json(signed({ workflowId: 'cordon-INC-2-fedcba9876543210' }))))).toMatchObject({ authenticatedBy: 'unauthenticated', envelopeRefused: expect.stringMatching(/for workflow cordon-INC-2/) });
    expect(judge(await asWorkflowSees(json(signed({ action: 'cancel_request' }))))).toMatchObject({ authenticatedBy: 'unauthenticated', envelopeRefused: 'the envelope is for a cancel_request, not a decide' });
    const cli: Identity = { authenticatedBy: 'cli', source: 'os_user', user: 'bob' };
    expect(judge(await asWorkflowSees(json(signed({ identity: cli }))))).toMatchObject({ authenticatedBy: 'unauthenticated', envelopeRefused: expect.stringMatching(/names channel slack but its envelope was signed for cli/) });
    expect(judge(await asWorkflowSees(json(signed({ identity: cli }))), { claimedChannel: 'cli' })).toEqual({ channel: 'cli', authenticatedBy: 'cli', identity: cli });
  });

  it('records a message without an envelope as an unauthenticated Temporal-direct call, keeping its claim', () => {
    expect(judge({ ...decision })).toEqual({ channel: 'temporal', authenticatedBy: 'unauthenticated', claimedChannel: 'slack' });
    expect(judge({ ...decision, channel: 'temporal' }, { claimedChannel: 'temporal' })).toEqual({ channel: 'temporal', authenticatedBy: 'unauthenticated' });
    // An envelope no worker codec looked at (a payload that bypassed it) proves nothing.
    expect(judge(signed())).toMatchObject({ authenticatedBy: 'unauthenticated', envelopeRefused: expect.stringMatching(/not checked by a Cordon worker codec/) });
  });
});
