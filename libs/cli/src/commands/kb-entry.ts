import { parseArgs } from 'node:util';
import { encodeJson, openBucket } from '@handrail/bus';
import { ingestDirectory, toSnapshot } from '@handrail/kb';
import { KB_SNAPSHOT_KEY } from '@handrail/runtime';
import { withBus } from '../bus.js';
import { noExtraArgs, UsageError } from '../io.js';
import { run as runKb } from './kb.js';

const PUBLISH_HELP = `usage: handrail kb publish DIR
Ingests DIR and publishes the snapshot to the deployment's KB bucket; every drafting and guardrail
replica switches to the new revision without restart. Earlier decisions keep naming the version they used.`;

/** `kb publish` needs the bus; every other `kb` sub-command works offline. */
export async function run(argv: string[]): Promise<number> {
  if (argv[0] !== 'publish') return runKb(argv);
  const { values, positionals } = parseArgs({ args: argv.slice(1), allowPositionals: true, options: { help: { type: 'boolean', default: false } } });
  if (values.help) {
    console.log(PUBLISH_HELP);
    return 0;
  }
  const dir = positionals[0];
  if (!dir) throw new UsageError('a directory of articles is required');
  noExtraArgs(positionals, 1);
  const kb = await ingestDirectory(dir);
  const snapshot = toSnapshot(kb);
  await withBus(async (bus, topo) => {
    const kv = await openBucket(bus, topo.buckets.kb, { history: 10 });
    await kv.put(KB_SNAPSHOT_KEY, encodeJson(snapshot));
  });
  console.log(`published KB revision ${snapshot.revision}: ${snapshot.articles.length} articles, ${snapshot.passages.length} passages`);
  return 0;
}
