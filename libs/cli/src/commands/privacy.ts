import { parseArgs } from 'node:util';
import { assertToken } from '@handrail/events';
import { eraseCustomer } from '@handrail/runtime';
import { withTrust } from '../bus.js';
import { verifiedHuman } from '../human.js';
import { UsageError } from '../io.js';

const HELP = `usage: handrail privacy erase --customer ID --reason TEXT [--token-file FILE] [--json]
Crypto-shredding: destroys the customer's data keys (their text in every event reads [erased]), erases
their KV entries and clear-text inbound/dead-letter copies, and appends a signed erasure record.
Runs as the privacy identity. The audit chain still verifies afterwards. The person is the subject of an
access token (--token-file, HANDRAIL_TOKEN or HANDRAIL_TOKEN_FILE) verified against AUTH_ISSUER/AUTH_AUDIENCE,
whose roles in the live pack hold privacy.erase.`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { customer: { type: 'string' }, reason: { type: 'string' }, 'token-file': { type: 'string' }, json: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } },
  });
  if (values.help) return (console.log(HELP), 0);
  if (positionals[0] !== 'erase') throw new UsageError('privacy erase --customer ID --reason TEXT');
  if (!values.customer) throw new UsageError('--customer ID is required');
  if (!values.reason) throw new UsageError('--reason is required (it goes on the signed erasure record)');
  try {
    assertToken('customer id', values.customer);
  } catch {
    throw new UsageError(`"${values.customer}" is not a customer id`);
  }
  const customer = values.customer;
  const reason = values.reason;
  const tokenFile = values['token-file'];
  const rec = await withTrust(async (bus, topo, trust) => {
    const human = await verifiedHuman(bus, topo, 'privacy.erase', tokenFile);
    return eraseCustomer(bus, topo, trust, customer, { by: human.subject, via: human.via, reason });
  }, { identity: 'privacy' });
  if (values.json) console.log(JSON.stringify(rec));
  else console.log(`erased ${rec.customerId}: ${rec.keysDestroyed} data keys destroyed, ${rec.kvEntriesErased} KV entries and ${rec.messagesErased} clear-text messages erased; recorded by ${rec.by}`);
  return 0;
}
