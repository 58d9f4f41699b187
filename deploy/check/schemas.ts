/**
 * Every rendered object against the Kubernetes OpenAPI schemas, offline: kubernetes-models (core and
 * built-in groups) and its add-on packages for the CRDs we use (KEDA, Prometheus Operator, External
 * Secrets). An apiVersion/kind with no model is a problem too: nothing goes unchecked.
 */
interface Model {
  new (data: unknown): { validate(): void };
}

const PACKAGES: Record<string, string> = {
  'keda.sh': '@kubernetes-models/keda',
  'monitoring.coreos.com': '@kubernetes-models/prometheus-operator',
  'external-secrets.io': '@kubernetes-models/external-secrets',
};

const cache = new Map<string, Model | undefined>();

async function modelFor(apiVersion: string, kind: string): Promise<Model | undefined> {
  const key = `${apiVersion}/${kind}`;
  if (cache.has(key)) return cache.get(key);
  const [group, version] = apiVersion.includes('/') ? (apiVersion.split('/') as [string, string]) : ['', apiVersion];
  const spec = group ? `${PACKAGES[group] ?? 'kubernetes-models'}/${group}/${version}/${kind}` : `kubernetes-models/${version}/${kind}`;
  let model: Model | undefined;
  try {
    const mod = (await import(spec)) as Record<string, Model | undefined>;
    model = mod[kind];
  } catch {
    model = undefined;
  }
  cache.set(key, model);
  return model;
}

export interface K8sObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [k: string]: unknown;
}

/** Schema problems of one object, each naming the object and the field. */
export async function schemaProblems(o: K8sObject): Promise<string[]> {
  const where = `${o.kind ?? '?'}/${o.metadata?.name ?? '?'}`;
  if (!o.apiVersion || !o.kind) return [`${where}: apiVersion and kind are required`];
  const model = await modelFor(o.apiVersion, o.kind);
  if (!model) return [`${where}: no schema for ${o.apiVersion} ${o.kind} (add its kubernetes-models package to deploy/check/schemas.ts)`];
  try {
    new model(o).validate();
    return [];
  } catch (err) {
    return [`${where}: schema: ${(err as Error).message}`];
  }
}
