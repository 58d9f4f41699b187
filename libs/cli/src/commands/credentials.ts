import { parseArgs } from 'node:util';
import { IDENTITIES } from '@handrail/events';
import { generateCredentials } from '@handrail/trust';
import { UsageError } from '../io.js';

const HELP = `usage: handrail credentials --out DIR [--overwrite]
Writes one credentials file per identity (NATS nkey seed + Ed25519 signing key, mode 0600), trust.json
(public keys only) and master.key (the local key-encryption key). Existing files are kept.
Identities: ${IDENTITIES.join(', ')}`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { out: { type: 'string' }, overwrite: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } } });
  if (values.help) return (console.log(HELP), 0);
  if (!values.out) throw new UsageError('--out DIR is required');
  const bundle = generateCredentials(values.out, { overwrite: values.overwrite });
  console.log(`credentials for ${Object.keys(bundle.identities).length} identities in ${values.out} (secrets are never printed)`);
  return 0;
}
