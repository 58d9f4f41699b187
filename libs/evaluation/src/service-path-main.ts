// Child process of `servicePathInChild`: argv = policy file, options JSON; texts one per line on stdin.
import { loadPolicyFile } from '@handrail/policy';
import { runServicePath } from './service-path.js';

const [policyFile, optionsJson] = process.argv.slice(2);
if (policyFile === undefined || optionsJson === undefined) throw new Error('usage: service-path-main POLICY_FILE OPTIONS_JSON < texts');
const chunks: Buffer[] = [];
for await (const c of process.stdin) chunks.push(c as Buffer);
const texts = Buffer.concat(chunks).toString('utf8').split('\n').filter((t) => t.trim() !== '');
const r = await runServicePath(await loadPolicyFile(policyFile), texts, JSON.parse(optionsJson) as { concurrency: number; threads: number; maxBatch: number });
process.stdout.write(`${JSON.stringify(r)}\n`);
