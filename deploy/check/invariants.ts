/**
 * What a platform team relies on, asserted on every rendered overlay. Each problem names the
 * overlay, the object and what is wrong. Pure functions over parsed objects (tested in check.test.ts).
 */
import { CONSUMER_BINDINGS, topology } from '@handrail/events';
import { provisionConfigSchema, provisionPlan } from '@handrail/runtime';
import type { K8sObject } from './schemas.js';

interface Container {
  name?: string;
  image?: string;
  env?: Array<{ name: string; value?: string; valueFrom?: unknown }>;
  envFrom?: Array<{ configMapRef?: { name?: string }; secretRef?: { name?: string } }>;
  readinessProbe?: unknown;
  livenessProbe?: unknown;
  resources?: { requests?: { cpu?: string; memory?: string }; limits?: { cpu?: string; memory?: string } };
  securityContext?: SecurityContext;
  lifecycle?: { preStop?: { sleep?: { seconds?: number } } };
  volumeMounts?: Array<{ name: string; mountPath: string }>;
  ports?: Array<{ containerPort?: number; hostPort?: number }>;
}
interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  privileged?: boolean;
  allowPrivilegeEscalation?: boolean;
  readOnlyRootFilesystem?: boolean;
  capabilities?: { drop?: string[]; add?: string[] };
  seccompProfile?: { type?: string };
}
interface PodSpec {
  containers?: Container[];
  initContainers?: Container[];
  securityContext?: SecurityContext;
  terminationGracePeriodSeconds?: number;
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  volumes?: Array<Record<string, unknown> & { name: string }>;
  topologySpreadConstraints?: Array<{ topologyKey?: string }>;
}
interface Workload extends K8sObject {
  spec?: { replicas?: number; selector?: { matchLabels?: Record<string, string> }; template?: { metadata?: { labels?: Record<string, string> }; spec?: PodSpec } };
}

export interface OverlayFacts {
  name: string;
  /** staging and prod must be production tier; any overlay with DEPLOY_TIER=production is held to it. */
  mustBeProduction: boolean;
  /** The demo policy pack's text: no rendered ConfigMap may carry it in a production-like overlay. */
  demoPolicyText?: string;
}

const SERVICES = ['intake', 'classifier', 'guardrail', 'escalation', 'drafting', 'qa-sampler', 'shadow', 'console', 'connectors', 'projector'] as const;
const RESTRICTED_VOLUMES = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']);
const SECRET_NAME = /(PASSWORD|PASSWD|SECRET|TOKEN|API_KEY|PRIVATE_KEY|SEED|CREDENTIAL)/i;
const SECRET_VALUE: Array<[RegExp, string]> = [
  [/\bS[UOANCPX][A-Z2-7]{54,}\b/, 'an nkey seed'],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'a PEM private key'],
  [/\bBearer\s+[A-Za-z0-9._~+/=-]{16,}/, 'a bearer token'],
  [/:\/\/[^/\s:@]+:[^/\s@]+@/, 'a password in a URL'],
];

const byKind = (docs: K8sObject[], kind: string) => docs.filter((d) => d.kind === kind) as Workload[];
const nameOf = (d: K8sObject) => `${d.kind}/${d.metadata?.name ?? '?'}`;
const matches = (selector: Record<string, string> | undefined, labels: Record<string, string> | undefined) =>
  !!selector && Object.entries(selector).every(([k, v]) => labels?.[k] === v);

function configData(docs: K8sObject[], prefix: string): Record<string, string> | undefined {
  const cm = docs.find((d) => d.kind === 'ConfigMap' && d.metadata?.name?.startsWith(prefix)) as (K8sObject & { data?: Record<string, string> }) | undefined;
  return cm?.data;
}

/** A NetworkPolicy written for this workload: it selects the pod by its own name label. */
function ownPolicy(netpols: Array<K8sObject & { spec?: { podSelector?: { matchLabels?: Record<string, string> } } }>, labels: Record<string, string> | undefined): boolean {
  const name = labels?.['app.kubernetes.io/name'];
  return !!name && netpols.some((n) => n.spec?.podSelector?.matchLabels?.['app.kubernetes.io/name'] === name && matches(n.spec.podSelector.matchLabels, labels));
}

/** Pod Security "restricted" (v1.32 profile) for one pod spec. */
export function restrictedProblems(pod: PodSpec | undefined): string[] {
  if (!pod) return ['no pod template'];
  const p: string[] = [];
  if (pod.hostNetwork || pod.hostPID || pod.hostIPC) p.push('host namespaces are not allowed');
  for (const v of pod.volumes ?? []) {
    const type = Object.keys(v).find((k) => k !== 'name');
    if (!type || !RESTRICTED_VOLUMES.has(type)) p.push(`volume ${v.name}: type ${type ?? '?'} is not allowed under "restricted"`);
  }
  const podSc = pod.securityContext ?? {};
  for (const c of [...(pod.containers ?? []), ...(pod.initContainers ?? [])]) {
    const sc = c.securityContext ?? {};
    const at = `container ${c.name ?? '?'}`;
    if (sc.privileged) p.push(`${at}: privileged`);
    if (sc.allowPrivilegeEscalation !== false) p.push(`${at}: allowPrivilegeEscalation must be false`);
    if (!(sc.capabilities?.drop ?? []).includes('ALL')) p.push(`${at}: capabilities.drop must include ALL`);
    const added = (sc.capabilities?.add ?? []).filter((x) => x !== 'NET_BIND_SERVICE');
    if (added.length) p.push(`${at}: capabilities.add ${added.join(',')} not allowed`);
    if ((sc.runAsNonRoot ?? podSc.runAsNonRoot) !== true) p.push(`${at}: runAsNonRoot must be true`);
    if ((sc.runAsUser ?? podSc.runAsUser) === 0) p.push(`${at}: runAsUser 0`);
    const seccomp = sc.seccompProfile?.type ?? podSc.seccompProfile?.type;
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') p.push(`${at}: seccompProfile must be RuntimeDefault or Localhost`);
    if (sc.readOnlyRootFilesystem !== true) p.push(`${at}: readOnlyRootFilesystem must be true`);
    for (const port of c.ports ?? []) if (port.hostPort) p.push(`${at}: hostPort ${port.hostPort}`);
  }
  return p;
}

function imageProblems(c: Container): string[] {
  const img = c.image ?? '';
  const tag = img.includes('@') ? 'digest' : img.split('/').at(-1)?.split(':')[1];
  if (!tag) return [`image ${img} has no tag (each overlay sets one)`];
  if (tag === 'latest') return [`image ${img}: no :latest`];
  return [];
}

function secretProblems(docs: K8sObject[]): string[] {
  const p: string[] = [];
  for (const d of docs) {
    if (d.kind === 'Secret') p.push(`${nameOf(d)}: a Secret in the manifests carries its value in plain text (use an ExternalSecret or create it out of band)`);
    if (d.kind === 'ConfigMap') {
      for (const [k, v] of Object.entries((d as { data?: Record<string, string> }).data ?? {})) {
        for (const [re, what] of SECRET_VALUE) if (re.test(v)) p.push(`${nameOf(d)}: ${k} holds ${what}`);
        if (SECRET_NAME.test(k) && !/_(FILE|DIR|REF)$/.test(k)) p.push(`${nameOf(d)}: ${k} looks like a secret; reference a Secret instead`);
      }
    }
    const pod = (d as Workload).spec?.template?.spec;
    for (const c of pod?.containers ?? []) {
      for (const e of c.env ?? []) {
        if (e.value !== undefined && SECRET_NAME.test(e.name) && !/_(FILE|DIR|REF)$/.test(e.name)) p.push(`${nameOf(d)}: env ${e.name} has a literal value; use valueFrom.secretKeyRef`);
        if (e.value) for (const [re, what] of SECRET_VALUE) if (re.test(e.value)) p.push(`${nameOf(d)}: env ${e.name} holds ${what}`);
      }
    }
  }
  return p;
}

/** Every invariant for one rendered overlay. */
export function overlayProblems(facts: OverlayFacts, docs: K8sObject[]): string[] {
  const p: string[] = [];
  const config = configData(docs, 'handrail-config');
  if (!config) return ['no handrail-config ConfigMap'];
  if (!config['NATS_URL']) p.push('handrail-config: no NATS_URL');
  const productionLike = config['DEPLOY_TIER'] === 'production';
  if (config['DEPLOY_TIER'] !== 'production' && config['DEPLOY_TIER'] !== 'development') p.push(`handrail-config: DEPLOY_TIER must be production or development (found ${config['DEPLOY_TIER'] ?? 'nothing'})`);
  if (facts.mustBeProduction && !productionLike) p.push(`handrail-config: ${facts.name} must set DEPLOY_TIER=production`);
  const deadlineS = Number(config['SHUTDOWN_DEADLINE_MS'] ?? NaN) / 1000;
  if (!Number.isFinite(deadlineS)) p.push('handrail-config: SHUTDOWN_DEADLINE_MS is missing');
  const deployments = byKind(docs, 'Deployment');
  const jobs = byKind(docs, 'Job');
  const pdbs = byKind(docs, 'PodDisruptionBudget') as Array<K8sObject & { spec?: { selector?: { matchLabels?: Record<string, string> }; maxUnavailable?: number | string } }>;
  const netpols = docs.filter((d) => d.kind === 'NetworkPolicy') as Array<K8sObject & { spec?: { podSelector?: { matchLabels?: Record<string, string> }; policyTypes?: string[] } }>;
  const scaled = docs.filter((d) => d.kind === 'ScaledObject') as Array<K8sObject & { spec?: { scaleTargetRef?: { name?: string }; fallback?: { replicas?: number }; triggers?: Array<{ type?: string; metadata?: Record<string, string> }> } }>;

  if (!netpols.some((n) => n.spec?.podSelector && Object.keys(n.spec.podSelector.matchLabels ?? {}).length === 0 && n.spec.policyTypes?.includes('Ingress') && n.spec.policyTypes.includes('Egress')))
    p.push('no default-deny NetworkPolicy (podSelector {} with Ingress and Egress)');

  // The API server enforces "restricted" on the namespace the workloads run in.
  const workloadNs = new Set([...deployments, ...jobs].map((w) => w.metadata?.namespace ?? ''));
  for (const ns of workloadNs) {
    const n = docs.find((d) => d.kind === 'Namespace' && d.metadata?.name === ns);
    if (!n) p.push(`no Namespace ${ns || '(none set)'} with pod-security.kubernetes.io/enforce: restricted`);
    else if (n.metadata?.labels?.['pod-security.kubernetes.io/enforce'] !== 'restricted') p.push(`Namespace/${ns}: pod-security.kubernetes.io/enforce must be restricted`);
  }

  const images = new Set<string>();
  for (const svc of SERVICES) {
    const d = deployments.find((x) => x.metadata?.name === `handrail-${svc}`);
    if (!d) {
      p.push(`no Deployment handrail-${svc}`);
      continue;
    }
    const where = nameOf(d);
    const pod = d.spec?.template?.spec;
    const c = pod?.containers?.[0];
    if (!c) {
      p.push(`${where}: no container`);
      continue;
    }
    if (!c.readinessProbe || !c.livenessProbe) p.push(`${where}: readiness and liveness probes are required`);
    if (!c.resources?.limits?.cpu || !c.resources.limits.memory || !c.resources.requests?.cpu || !c.resources.requests.memory) p.push(`${where}: cpu and memory requests and limits are required`);
    const preStop = c.lifecycle?.preStop?.sleep?.seconds ?? 0;
    const grace = pod?.terminationGracePeriodSeconds ?? 30;
    if (!(grace > deadlineS + preStop)) p.push(`${where}: terminationGracePeriodSeconds ${grace} must exceed the drain deadline (${deadlineS}s) plus preStop (${preStop}s)`);
    if (!c.envFrom?.some((e) => e.configMapRef?.name?.startsWith('handrail-config'))) p.push(`${where}: not wired to the handrail-config ConfigMap`);
    if (!c.env?.some((e) => e.name === 'SERVICE' && e.value === svc)) p.push(`${where}: SERVICE must be ${svc}`);
    for (const r of restrictedProblems(pod)) p.push(`${where}: ${r}`);
    for (const r of imageProblems(c)) p.push(`${where}: ${r}`);
    images.add(c.image ?? '');
    if (!(pod?.topologySpreadConstraints ?? []).some((t) => t.topologyKey === 'kubernetes.io/hostname')) p.push(`${where}: no topology spread over kubernetes.io/hostname`);
    const labels = d.spec?.template?.metadata?.labels;
    if (!pdbs.some((b) => matches(b.spec?.selector?.matchLabels, labels))) p.push(`${where}: no PodDisruptionBudget selects it`);
    if (!ownPolicy(netpols, labels)) p.push(`${where}: no NetworkPolicy of its own (podSelector on its app.kubernetes.io/name)`);
    // Policy and KB from mounted ConfigMaps (or the policy store), never a demo path.
    for (const e of c.env ?? []) {
      if (e.name !== 'POLICY_FILE' && e.name !== 'KB_DIR') continue;
      const mount = (c.volumeMounts ?? []).find((m) => (e.value ?? '').startsWith(m.mountPath));
      const vol = mount && pod?.volumes?.find((v) => v.name === mount.name);
      if (!vol || !('configMap' in vol)) p.push(`${where}: ${e.name}=${e.value ?? ''} is not on a mounted ConfigMap`);
      if (/demo/i.test(e.value ?? '')) p.push(`${where}: ${e.name} points at the demo (${e.value ?? ''})`);
    }
    const so = scaled.find((s) => s.spec?.scaleTargetRef?.name === d.metadata?.name);
    if (so && d.spec?.replicas !== undefined) p.push(`${where}: spec.replicas is set while KEDA scales it (every apply would reset the count)`);
  }
  if (images.size > 1) p.push(`one image for every service, found ${[...images].join(', ')}`);

  for (const j of jobs) {
    const where = nameOf(j);
    for (const r of restrictedProblems(j.spec?.template?.spec)) p.push(`${where}: ${r}`);
    for (const c of j.spec?.template?.spec?.containers ?? []) for (const r of imageProblems(c)) p.push(`${where}: ${r}`);
    const labels = j.spec?.template?.metadata?.labels;
    if (!ownPolicy(netpols, labels)) p.push(`${where}: no NetworkPolicy of its own (podSelector on its app.kubernetes.io/name)`);
  }
  if (!jobs.some((j) => j.metadata?.name === 'handrail-provision')) p.push('no Job handrail-provision');

  p.push(...secretProblems(docs));

  // The console is reached only through its Ingress: its NetworkPolicy admits named peers only.
  const consolePolicies = netpols.filter((n) => n.spec?.podSelector?.matchLabels?.['app.kubernetes.io/name'] === 'handrail-console') as Array<K8sObject & { spec?: { ingress?: Array<{ from?: unknown[] }> } }>;
  for (const n of consolePolicies) for (const r of n.spec?.ingress ?? []) if (!r.from || r.from.length === 0) p.push(`${nameOf(n)}: an ingress rule without \`from\` admits every pod to the console`);

  // The topology the provisioner creates from this overlay's settings.
  const prefix = config['HANDRAIL_PREFIX'] ?? 'handrail';
  const settings = provisionConfigSchema.safeParse(config);
  if (!settings.success) p.push(`handrail-config: provisioner settings invalid: ${settings.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  if (productionLike) {
    if (settings.success) {
      const plan = provisionPlan(topology(prefix), settings.data);
      if (plan.replicas !== 3) p.push(`handrail-config: PROVISION_REPLICAS=${plan.replicas}; streams and buckets must have 3 replicas in ${facts.name}`);
      for (const s of [topology(prefix).streams.events, topology(prefix).streams.audit]) if (!plan.streams.find((x) => x.name === s)?.denyDelete) p.push(`stream ${s} must deny delete and purge`);
    }
    if (!config['NATS_URL']?.startsWith('tls://')) p.push(`handrail-config: NATS_URL must be tls:// in ${facts.name}`);
    const ingresses = docs.filter((d) => d.kind === 'Ingress') as Array<K8sObject & { spec?: { tls?: unknown[]; rules?: Array<{ http?: { paths?: Array<{ backend?: { service?: { name?: string } } }> } }> } }>;
    const consoleIngress = ingresses.find((i) => i.spec?.rules?.some((r) => r.http?.paths?.some((x) => x.backend?.service?.name === 'handrail-console')));
    if (!consoleIngress) p.push('no Ingress routes to handrail-console');
    else if (!consoleIngress.spec?.tls?.length) p.push(`${nameOf(consoleIngress)}: no TLS`);
    const identity = configData(docs, 'handrail-identity');
    if (!identity?.['AUTH_ISSUER']?.startsWith('https://') || identity['AUTH_ISSUER'].includes('.invalid')) p.push(`handrail-identity: AUTH_ISSUER must be your IdP's https issuer in ${facts.name}`);
    if (facts.demoPolicyText) {
      const demo = facts.demoPolicyText.trim();
      for (const cm of docs.filter((d) => d.kind === 'ConfigMap') as Array<K8sObject & { data?: Record<string, string> }>)
        for (const [k, v] of Object.entries(cm.data ?? {})) if (v.trim() === demo) p.push(`${nameOf(cm)}: ${k} is the demo policy pack`);
    }
    // KEDA: every durable of a scaled Deployment drives one of its triggers, on the right stream.
    const t = topology(prefix);
    for (const d of deployments) {
      const svc = d.metadata?.name?.replace(/^handrail-/, '');
      const bindings = CONSUMER_BINDINGS.filter((b) => b.owner === svc);
      if (svc === 'console' || bindings.length === 0) continue;
      const so = scaled.find((s) => s.spec?.scaleTargetRef?.name === d.metadata?.name);
      if (!so) {
        p.push(`${nameOf(d)}: no ScaledObject (KEDA on JetStream lag)`);
        continue;
      }
      if (!so.spec?.fallback?.replicas) p.push(`${nameOf(so)}: no fallback`);
      for (const b of bindings) {
        const trig = so.spec?.triggers?.find((x) => x.type === 'nats-jetstream' && x.metadata?.['consumer'] === b.durable);
        if (!trig) p.push(`${nameOf(so)}: no nats-jetstream trigger for consumer ${b.durable}`);
        else if (trig.metadata?.['stream'] !== t.streams[b.stream]) p.push(`${nameOf(so)}: trigger ${b.durable} reads stream ${trig.metadata?.['stream'] ?? '?'}, the consumer is on ${t.streams[b.stream]}`);
      }
    }
  } else {
    for (const d of deployments) if (d.spec?.replicas === undefined && !scaled.some((s) => s.spec?.scaleTargetRef?.name === d.metadata?.name)) p.push(`${nameOf(d)}: no replicas and no autoscaler`);
  }
  return p;
}
