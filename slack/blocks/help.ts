// `/cordon help` and the answer to a mistyped command.
import { USAGE } from '../command-parser.ts';
import { context, section, type Block } from '../../notifiers/slack/blocks/block-kit.ts';

export function helpBlocks(): Block[] {
  return [
    section(`*Cordon* contains stolen SaaS credentials: revoke → replace → force re-auth → verify.\n${USAGE}`),
    section(
      '*<ref>* names the credential: `id=…`, `client=…` (with `user=…`), `key=…` or `fp=…` (fingerprint: the first 12 hex of the sha256 of the value).\n' +
        '*Never paste a leaked value into Slack*; send it through the HTTP API if the provider needs it.\n' +
        '`--shared` contains a credential used by several consumers in approved stages (restrict → waves → revoke).',
    ),
    context('Progress is posted in a thread; approvals there need an authorized approver other than the requester.'),
  ];
}
