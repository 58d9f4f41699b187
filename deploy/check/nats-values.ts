/**
 * The NATS Helm chart values (deploy/nats/values.yaml): helm and the chart are not available offline,
 * so the settings that carry durability and isolation are asserted on the values themselves, and the
 * extra objects they add are schema-checked like the overlays.
 */
import type { K8sObject } from './schemas.js';

interface NatsValues {
  config?: {
    cluster?: { enabled?: boolean; replicas?: number; tls?: { enabled?: boolean } };
    jetstream?: { enabled?: boolean; fileStore?: { enabled?: boolean; pvc?: { enabled?: boolean; size?: string } }; memoryStore?: { enabled?: boolean }; merge?: Record<string, unknown> };
    nats?: { tls?: { enabled?: boolean } };
    merge?: Record<string, unknown>;
  };
  podTemplate?: { topologySpreadConstraints?: Record<string, { whenUnsatisfiable?: string }> };
  container?: { image?: { tag?: string } };
  extraResources?: K8sObject[];
}

/** [major, minor, patch] of a pinned tag such as `2.14.5-alpine`; undefined when floating. */
export function serverVersion(tag: string | undefined): [number, number, number] | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)(?:-[a-z0-9.]+)?$/.exec(tag ?? '');
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

export function natsValuesProblems(v: NatsValues): string[] {
  const p: string[] = [];
  const c = v.config ?? {};
  if (!c.cluster?.enabled || c.cluster.replicas !== 3) p.push(`config.cluster: 3 nodes required (enabled ${String(c.cluster?.enabled)}, replicas ${String(c.cluster?.replicas)})`);
  if (!c.jetstream?.enabled) p.push('config.jetstream.enabled must be true');
  if (!c.jetstream?.fileStore?.enabled || !c.jetstream.fileStore.pvc?.enabled) p.push('config.jetstream.fileStore with a PVC is required (file storage on persistent volumes)');
  if (c.jetstream?.memoryStore?.enabled) p.push('config.jetstream.memoryStore must stay off');
  if (c.jetstream?.merge?.['sync_interval'] !== 'always') p.push(`config.jetstream.merge.sync_interval must be "always" (found ${JSON.stringify(c.jetstream?.merge?.['sync_interval'])})`);
  if (!c.nats?.tls?.enabled) p.push('config.nats.tls.enabled must be true (clients over TLS)');
  if (!c.cluster?.tls?.enabled) p.push('config.cluster.tls.enabled must be true (routes over TLS)');
  const spread = v.podTemplate?.topologySpreadConstraints?.['kubernetes.io/hostname'];
  if (spread?.whenUnsatisfiable !== 'DoNotSchedule') p.push('podTemplate.topologySpreadConstraints: one NATS pod per host (kubernetes.io/hostname, DoNotSchedule)');
  const ver = serverVersion(v.container?.image?.tag);
  if (!ver) p.push(`container.image.tag must pin a server version (found ${JSON.stringify(v.container?.image?.tag)})`);
  else {
    const [maj, min, pat] = ver;
    const n = maj * 1_000_000 + min * 1000 + pat;
    if (n < 2_010_023) p.push(`container.image.tag ${v.container?.image?.tag}: the server must be ≥ 2.10.23 (2.10.20–2.10.22 lose streams on crashes)`);
  }
  const np = (v.extraResources ?? []).find((r) => r.kind === 'NetworkPolicy') as (K8sObject & { spec?: { ingress?: Array<{ from?: Array<{ namespaceSelector?: { matchLabels?: Record<string, string> } }>; ports?: Array<{ port?: number }> }> } }) | undefined;
  if (!np) p.push('extraResources: no NetworkPolicy for the NATS pods');
  else {
    const monitorRules = (np.spec?.ingress ?? []).filter((r) => r.ports?.some((x) => x.port === 8222));
    const peers = monitorRules.flatMap((r) => r.from ?? []);
    const namespaces = new Set(peers.map((x) => x.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name']));
    if (monitorRules.length === 0) p.push('NetworkPolicy nats: no rule for the monitoring port 8222 (KEDA needs it)');
    if (peers.length === 0 || monitorRules.some((r) => !r.from || r.from.length === 0) || peers.some((x) => !x.namespaceSelector) || [...namespaces].some((ns) => ns !== 'keda' && ns !== 'monitoring'))
      p.push('NetworkPolicy nats: the monitoring port 8222 must admit only KEDA and Prometheus');
  }
  return p;
}
