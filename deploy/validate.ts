/**
 * `make deploy-check`: renders every overlay with `kubectl kustomize` and checks what a platform team
 * relies on: probes, resource limits, a grace period longer than the drain deadline, config wiring.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

interface Container {
  readinessProbe?: { httpGet?: unknown };
  livenessProbe?: { httpGet?: unknown };
  resources?: { limits?: { cpu?: string; memory?: string } };
  envFrom?: Array<{ configMapRef?: { name?: string } }>;
  env?: Array<{ name: string; value?: string }>;
}
interface Doc {
  kind?: string;
  metadata?: { name?: string };
  spec?: { template?: { spec?: { terminationGracePeriodSeconds?: number; containers?: Container[] } } };
  data?: Record<string, string>;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const overlays = fs.readdirSync(path.join(here, 'overlays'));
const SERVICES = ['intake', 'classifier', 'guardrail', 'escalation', 'drafting', 'qa-sampler', 'console', 'connectors'];

function render(dir: string): Doc[] {
  const out = execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8' });
  return parseAllDocuments(out).map((d) => d.toJSON() as Doc);
}

function check(overlay: string, docs: Doc[]): string[] {
  const problems: string[] = [];
  const config = docs.find((d) => d.kind === 'ConfigMap' && d.metadata?.name?.startsWith('handrail-config'));
  if (!config?.data?.['NATS_URL']) problems.push('ConfigMap handrail-config has no NATS_URL');
  const deadlineS = Number(config?.data?.['SHUTDOWN_DEADLINE_MS'] ?? NaN) / 1000;
  for (const svc of SERVICES) {
    const d = docs.find((x) => x.kind === 'Deployment' && x.metadata?.name === `handrail-${svc}`);
    if (!d) {
      problems.push(`no Deployment handrail-${svc}`);
      continue;
    }
    const pod = d.spec?.template?.spec;
    const c = pod?.containers?.[0];
    const where = `${overlay}/handrail-${svc}`;
    if (!c?.readinessProbe?.httpGet || !c?.livenessProbe?.httpGet) problems.push(`${where}: readiness and liveness probes are required`);
    if (!c?.resources?.limits?.cpu || !c?.resources?.limits?.memory) problems.push(`${where}: cpu and memory limits are required`);
    if (!((pod?.terminationGracePeriodSeconds ?? 0) > deadlineS)) problems.push(`${where}: terminationGracePeriodSeconds must exceed the drain deadline (${deadlineS}s)`);
    if (!c?.envFrom?.some((e) => e.configMapRef?.name === config?.metadata?.name)) problems.push(`${where}: not wired to the handrail-config ConfigMap`);
    if (!c?.env?.some((e) => e.name === 'SERVICE' && e.value === svc)) problems.push(`${where}: SERVICE must be ${svc}`);
  }
  return problems;
}

function main(): number {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
  } catch {
    console.log('deploy-check skipped: kubectl is not installed (it renders kustomize without a cluster)');
    return 0;
  }
  let failed = 0;
  for (const o of overlays) {
    const docs = render(path.join(here, 'overlays', o));
    const problems = check(o, docs);
    console.log(`${o}: ${docs.length} objects, ${problems.length ? `${problems.length} problems` : 'ok'}`);
    for (const p of problems) console.log(`  - ${p}`);
    failed += problems.length;
  }
  return failed ? 1 : 0;
}

process.exit(main());
