import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { topology } from '@handrail/events';
import { loadTrust, renderServerConfig } from '@handrail/trust';
import { UsageError } from '../io.js';

const HELP = `usage: handrail nats-config --credentials DIR --store DIR [--prefix handrail[,other]] [--port 4222] [--host 127.0.0.1] [--out FILE]
Renders a nats-server 2.9 config: JetStream, one nkey user per identity with least-privilege
permissions for each prefix, no anonymous access. Public keys only.`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      credentials: { type: 'string' },
      store: { type: 'string' },
      prefix: { type: 'string', default: 'handrail' },
      port: { type: 'string', default: '4222' },
      host: { type: 'string', default: '127.0.0.1' },
      out: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return (console.log(HELP), 0);
  if (!values.credentials) throw new UsageError('--credentials DIR is required');
  if (!values.store) throw new UsageError('--store DIR is required (the JetStream store directory)');
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError('--port must be 1-65535');
  const prefixes = values.prefix.split(',').map((p) => topology(p.trim()).prefix);
  const conf = renderServerConfig({ port, host: values.host, storeDir: values.store, prefixes, bundle: loadTrust(values.credentials) });
  if (values.out) fs.writeFileSync(values.out, conf);
  else process.stdout.write(conf);
  return 0;
}
