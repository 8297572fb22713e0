// Refs of one owner are contained together in a mass containment. Forcing re-authentication of a
// non-user principal ends every credential it holds and replaces them (design I8), so two child
// containments on keys of one service account (or deploy keys of one repository) race: the first one's
// re-authentication ends the other's target before that one identifies it, and the second reports
// "no live credential matches the ref" though its credential was revoked and replaced. One child per owner
// with all of that owner's refs (a containment takes a list) plans the principal once, with every target.
//
// The same holds for a Salesforce integration user: re-authenticating it revokes every OAuth grant it holds,
// so children on grants of one user (refs `oauthtoken:<user id>:<hash>`, as an inventory names them) ended
// one another's targets too, and the later ones read "no live credential matches … already revoked".
//
// The owner is read from the ref alone, never with a provider call: the refs of a mass containment arrive
// by the thousand and are grouped before any child starts. A ref whose owner cannot be told (a Google key
// named by its key id only, a token given by value, a Salesforce session id) stays alone, as before.
import { patched } from '@temporalio/workflow';
import { credentialKey, type CredentialRef } from '../schemas/credential.ts';
import type { ContainmentStatus } from '../schemas/containment.ts';

/** The patch id of grouping by owner (recorded in history: never rename it). */
export const MASS_OWNER_GROUPS_PATCH = 'mass-owner-groups';
/** A paged run sends every ref of an owner to the page of the owner's first ref (pagesByOwner). */
export const MASS_OWNER_PAGES_PATCH = 'mass-owner-pages';
/** A dry run groups refs by owner as a live run does: one plan per owner, its lines per ref. */
export const MASS_DRY_RUN_GROUPS_PATCH = 'mass-dry-run-owner-groups';
/** Salesforce refs are grouped by their user too (ownerOfRef with `salesforce`); runs before it left them alone. */
export const MASS_SALESFORCE_OWNERS_PATCH = 'mass-owner-groups-salesforce';

/** Which owners are read: Salesforce users since MASS_SALESFORCE_OWNERS_PATCH (a replayed run before it reads none). */
export interface OwnerRules {
  salesforce: boolean;
}
/** What a run started now reads (and what the benches expect its children to be). */
export const CURRENT_OWNER_RULES: OwnerRules = { salesforce: true };

// The owner is part of the id the providers give these credentials (connectors/google: a key's resource
// name; connectors/github/ids.ts: `deploy_key:<owner>/<repo>:<key id>`).
const GOOGLE_KEY = /^projects\/[^/]+\/serviceAccounts\/([^/]+)\/keys\/[^/]+$/;
const DEPLOY_KEY = /^deploy_key:([^/]+\/[^:]+):\d+$/;
// connectors/salesforce/ids.ts: a grant is `oauthtoken:<user id>:<hash>`; a user id is 005… in 15 or 18
// characters, the 18-character form being the 15-character one (case-sensitive) and a checksum.
const SALESFORCE_GRANT = /^oauthtoken:(005[A-Za-z0-9]{12})(?:[A-Za-z0-9]{3})?:[0-9a-f]{16}$/;
const SALESFORCE_USER_ID = /^(005[A-Za-z0-9]{12})(?:[A-Za-z0-9]{3})?$/;

/** Whose credential the ref names, when the ref itself says so; undefined when only the provider could tell. */
export function ownerOfRef(ref: CredentialRef, rules: OwnerRules = CURRENT_OWNER_RULES): string | undefined {
  if (ref.provider === 'salesforce') return rules.salesforce ? salesforceOwnerOf(ref) : undefined;
  if (!ref.id) return undefined;
  if (ref.provider === 'google' && ref.kind === 'service_account_key') {
    // A service account's email is unique across projects ("-" may stand for the project in a resource name).
    const m = GOOGLE_KEY.exec(ref.id);
    return m ? `google:service_account:${m[1]!.toLowerCase()}` : undefined;
  }
  if (ref.provider === 'github' && ref.kind === 'deploy_key') {
    // GitHub treats owner and repository names case-insensitively.
    const m = DEPLOY_KEY.exec(ref.id);
    return m ? `github:repository:${m[1]!.toLowerCase()}` : undefined;
  }
  return undefined;
}

/**
 * The Salesforce user whose grants (and sessions) the ref names: the user of a grant id, or the ref's `user`
 * (an id, or a username: Salesforce usernames are unique whatever their case). A ref naming a grant and a
 * user is the grant's. A session id, an app alone or a leaked value names no user the ref states.
 */
function salesforceOwnerOf(ref: CredentialRef): string | undefined {
  const grant = ref.id ? SALESFORCE_GRANT.exec(ref.id) : null;
  if (grant) return `salesforce:user:${grant[1]}`;
  if (ref.id || !ref.user) return undefined;
  const id = SALESFORCE_USER_ID.exec(ref.user);
  if (id) return `salesforce:user:${id[1]}`;
  return ref.user.includes('@') ? `salesforce:username:${ref.user.toLowerCase()}` : undefined;
}

/**
 * The refs' indices by owner: each group in the order of its first ref, which names it (the child id is the
 * mass id and that index, so a retried or continued run starts the same children). A ref without a known
 * owner is a group of its own.
 */
export function groupByOwner(refs: readonly CredentialRef[], rules: OwnerRules = CURRENT_OWNER_RULES): number[][] {
  const groups: number[][] = [];
  const byOwner = new Map<string, number[]>();
  refs.forEach((ref, i) => {
    const owner = ownerOfRef(ref, rules);
    const held = owner === undefined ? undefined : byOwner.get(owner);
    if (held) {
      held.push(i);
      return;
    }
    const group = [i];
    groups.push(group);
    if (owner !== undefined) byOwner.set(owner, group);
  });
  return groups;
}

/**
 * The children of one run of a mass containment, as lists of ref indices (the first names the child).
 * Grouping is a new command sequence, so it is patched in: a run recorded before it replays one child per
 * ref, and a run continued from one that did not group does not start grouping halfway through its refs
 * (a group's later refs would fall behind the offset it continues from).
 */
export function childrenOf(
  refs: readonly CredentialRef[],
  run: { dryRun?: boolean; offset: number; ownerGroups?: boolean; salesforceOwnerGroups?: boolean },
): { children: number[][]; grouped: boolean; salesforce: boolean } {
  const alone = () => ({ children: refs.map((_, i) => [i]), grouped: false, salesforce: false });
  // A dry run plans an owner's refs together as its live run would contain them (its lines stay per ref);
  // one started before the patch planned each ref alone, and so does its continuation.
  if (run.dryRun && !(run.offset === 0 ? patched(MASS_DRY_RUN_GROUPS_PATCH) : !!run.ownerGroups)) return alone();
  const groups = groupByOwner(refs, CURRENT_OWNER_RULES);
  if (!groups.some((g) => g.length > 1)) return { children: groups, grouped: false, salesforce: false };
  const grouped = run.offset === 0 ? patched(MASS_OWNER_GROUPS_PATCH) : !!run.ownerGroups;
  if (!grouped) return { ...alone(), grouped };
  // Salesforce users are owners since their own patch: a run before it (or continued from one) groups the others only.
  const withoutSalesforce = groupByOwner(refs, { salesforce: false });
  if (withoutSalesforce.length === groups.length) return { children: groups, grouped, salesforce: false };
  const salesforce = run.offset === 0 ? patched(MASS_SALESFORCE_OWNERS_PATCH) : !!run.salesforceOwnerGroups;
  return { children: salesforce ? groups : withoutSalesforce, grouped, salesforce };
}

export interface RefOutcome {
  outcome: string;
  reason?: string;
}

/**
 * Each ref's own outcome in a child that contained several: read from the credentials its scope report
 * found (the child's `scope` is in the order of its refs), so a ref is contained when its credentials were
 * verified dead, whatever happened to its siblings.
 */
export function outcomesOfRefs(status: ContainmentStatus, refCount: number): RefOutcome[] {
  return Array.from({ length: refCount }, (_, j): RefOutcome => {
    const report = status.scope[j];
    // The run ended before identifying anything (refused input, cancelled): the child's outcome is each ref's.
    if (!report) return { outcome: status.outcome, ...(status.outcomeReason ? { reason: status.outcomeReason } : {}) };
    if (!report.credentials.length) return { outcome: 'not_contained', reason: `no live credential matches the ref ${report.ref}; check the identifiers` };
    const states = report.credentials.map((c) => {
      const key = credentialKey(c);
      return { key, state: status.credentials.find((p) => p.credentialId === key)?.state ?? 'identified' };
    });
    if (states.every((s) => s.state === 'verified_dead')) return { outcome: 'contained' };
    if (states.every((s) => s.state === 'verified_dead' || s.state === 'cut_off')) return { outcome: 'contained_in_tenant' };
    const open = states.filter((s) => s.state !== 'verified_dead' && s.state !== 'cut_off').map((s) => `${s.key} is ${s.state}`);
    // A run-wide verdict (refused by I6, rejected, cancelled) stays the ref's; otherwise its credential is not dead.
    const outcome = status.outcome === 'running' || status.outcome.startsWith('contained') ? 'not_contained' : status.outcome;
    return { outcome, reason: [open.join(', '), status.outcomeReason].filter(Boolean).join(': ') };
  });
}

/**
 * The pages of a paged mass containment with every owner's refs moved to the page of its first ref, each ref
 * with its place in the whole list (which names its child), so no owner is split over two page runs; or
 * undefined when no owner straddles a page boundary (the pages stay as they came).
 */
export function pagesByOwner(pages: readonly (readonly CredentialRef[])[], pageSize: number, rules: OwnerRules = CURRENT_OWNER_RULES): { refs: CredentialRef[]; indices: number[] }[] | undefined {
  const firstPageOf = new Map<string, number>();
  const out = pages.map(() => ({ refs: [] as CredentialRef[], indices: [] as number[] }));
  let moved = false;
  pages.forEach((refs, page) =>
    refs.forEach((ref, i) => {
      const owner = ownerOfRef(ref, rules);
      let target = page;
      if (owner !== undefined) {
        const first = firstPageOf.get(owner);
        if (first === undefined) firstPageOf.set(owner, page);
        else if (first !== page) {
          target = first;
          moved = true;
        }
      }
      out[target]!.refs.push(ref);
      out[target]!.indices.push(page * pageSize + i);
    }),
  );
  return moved ? out : undefined;
}
