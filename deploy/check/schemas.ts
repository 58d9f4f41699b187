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

/** The generated type maps of @kubernetes/client-node: attribute names and types per model class. */
type AttributeMap = Array<{ baseName: string; type: string }>;
interface ModelClass {
  getAttributeTypeMap(): AttributeMap;
}
let clientModels: Record<string, unknown> | undefined;

function attributesOf(type: string): AttributeMap | undefined {
  const cls = clientModels?.[type] as Partial<ModelClass> | undefined;
  return typeof cls?.getAttributeTypeMap === 'function' ? cls.getAttributeTypeMap() : undefined;
}

function walk(value: unknown, type: string, at: string, out: string[]): void {
  if (value === null || value === undefined) return;
  const array = /^Array<(.+)>$/.exec(type);
  if (array?.[1]) {
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, array[1] ?? '', `${at}[${i}]`, out));
    return;
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map?.[1]) {
    if (typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, map[1], `${at}.${k}`, out);
    return;
  }
  const attrs = attributesOf(type);
  if (!attrs || typeof value !== 'object' || Array.isArray(value)) return;
  for (const [k, v] of Object.entries(value)) {
    const a = attrs.find((x) => x.baseName === k);
    if (!a) out.push(`${at}.${k}`);
    else walk(v, a.type, `${at}.${k}`, out);
  }
}

/**
 * Fields the Kubernetes API does not know (a typo such as `replcas` or `imagePullPolcy`, which the
 * schema validators accept), for built-in kinds; CRDs are checked by their models only.
 */
export async function unknownFieldProblems(o: K8sObject): Promise<string[]> {
  if (!o.apiVersion || !o.kind) return [];
  clientModels ??= (await import('@kubernetes/client-node')) as unknown as Record<string, unknown>;
  const version = o.apiVersion.split('/').at(-1) ?? '';
  const type = `${version.charAt(0).toUpperCase()}${version.slice(1)}${o.kind}`;
  if (!attributesOf(type) || o.apiVersion.includes('.') && !o.apiVersion.includes('k8s.io')) return [];
  const out: string[] = [];
  walk(o, type, '', out);
  return out.map((f) => `${o.kind}/${o.metadata?.name ?? '?'}: unknown field ${f.slice(1)}`);
}
