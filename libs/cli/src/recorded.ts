import fs from 'node:fs';
import type { Bus } from '@handrail/bus';
import { HandrailError } from '@handrail/errors';
import type { Topology } from '@handrail/events';
import { ingestDirectory, toSnapshot } from '@handrail/kb';
import { loadPolicyFile, policyRevisionId } from '@handrail/policy';
import { RevisionResolver, type OpenEvent, type ResolvedKb, type ResolvedPolicy } from '@handrail/replay';
import { cliConfig } from './config.js';
import { UsageError } from './io.js';
import { withOpener } from './window.js';

/**
 * Runs `fn` with the operator's keys (decisions are re-run on the customer's words, so sealed text
 * must be opened the way the services open it) and a resolver over the stores plus the given files.
 */
export async function withRecorded<T>(files: { policies: string[]; kbDirs: string[] }, fn: (bus: Bus, topo: Topology, open: OpenEvent, resolver: RevisionResolver) => Promise<T>): Promise<T> {
  const cfg = cliConfig();
  if (!cfg.HANDRAIL_CREDENTIALS_DIR) throw new HandrailError('failed_precondition', 'HANDRAIL_CREDENTIALS_DIR is required: decisions are re-run on the customer text, which is sealed on the stream');
  const policies = [...files.policies, ...(cfg.POLICY_FILE ? [cfg.POLICY_FILE] : [])];
  const kbDirs = [...files.kbDirs, ...(cfg.KB_DIR ? [cfg.KB_DIR] : [])];
  for (const f of policies) if (!fs.existsSync(f)) throw new UsageError(`--policy: no such file ${f}`);
  for (const d of kbDirs) if (!fs.existsSync(d)) throw new UsageError(`--kb: no such directory ${d}`);
  return withOpener((bus, topo, open) => fn(bus, topo, open, new RevisionResolver(bus, topo, { policies, kbDirs, encoderStoreDir: cfg.ENCODER_STORE_DIR })));
}

/** `--policy FILE|REV`: a pack file (validated, hashed) or a revision in the policy store. */
export async function candidatePolicy(arg: string, resolver: RevisionResolver): Promise<ResolvedPolicy> {
  if (fs.existsSync(arg)) {
    const pack = await loadPolicyFile(arg);
    return { pack, revision: policyRevisionId(pack), source: `file ${arg}` };
  }
  if (!/^[0-9a-f]{12}$/.test(arg)) throw new UsageError(`--policy: "${arg}" is neither a file nor a policy revision id (12 hex characters)`);
  const p = await resolver.policy(arg);
  if (!p) throw new UsageError(`--policy: revision ${arg} is not in the policy store`);
  return p;
}

/** `--kb DIR|REV`: a help-centre directory or a KB revision (a snapshot the bucket still holds). */
export async function candidateKb(arg: string | undefined, resolver: RevisionResolver): Promise<ResolvedKb | undefined> {
  if (arg === undefined) return undefined;
  if (fs.existsSync(arg)) {
    const kb = await ingestDirectory(arg);
    return { kb, revision: toSnapshot(kb).revision, source: `directory ${arg}` };
  }
  const k = await resolver.kb(arg);
  if (!k) throw new UsageError(`--kb: "${arg}" is neither a directory nor a KB revision the bucket still holds`);
  return k;
}
