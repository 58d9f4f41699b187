/**
 * `make deploy-check`: render every overlay, validate every object offline against the Kubernetes
 * schemas, assert the invariants, and check the NATS chart values. Returns the problems per target.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';
import { findKubectl, kustomize, type Kubectl } from './kubectl.js';
import { overlayProblems } from './invariants.js';
import { natsValuesProblems } from './nats-values.js';
import { schemaProblems, unknownFieldProblems, type K8sObject } from './schemas.js';

export const deployDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = path.resolve(deployDir, '..');
/** Overlays that must declare DEPLOY_TIER=production (and so meet its invariants). */
const PRODUCTION_TIER = new Set(['staging', 'prod']);

export interface Report {
  target: string;
  objects: number;
  problems: string[];
}

export function parseDocs(text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((d) => {
      if (d.errors.length) throw new Error(`YAML: ${d.errors.map((e) => e.message).join('; ')}`);
      return d.toJSON() as K8sObject | null;
    })
    .filter((d): d is K8sObject => d !== null);
}

/** One overlay directory: rendered, schema-checked, invariants asserted. */
export async function checkOverlay(k: Kubectl, dir: string, o: { name?: string } = {}): Promise<Report> {
  const name = o.name ?? path.basename(dir);
  let docs: K8sObject[];
  try {
    docs = parseDocs(kustomize(k, dir));
  } catch (err) {
    return { target: name, objects: 0, problems: [(err as Error).message] };
  }
  const problems: string[] = [];
  for (const d of docs) problems.push(...(await schemaProblems(d)), ...(await unknownFieldProblems(d)));
  const demoPolicyText = fs.readFileSync(path.join(repoRoot, 'libs', 'demo', 'policy', 'demo-pack.yaml'), 'utf8');
  problems.push(...overlayProblems({ name, mustBeProduction: PRODUCTION_TIER.has(name), demoPolicyText }, docs));
  return { target: name, objects: docs.length, problems };
}

export async function checkNatsValues(file = path.join(deployDir, 'nats', 'values.yaml')): Promise<Report> {
  const values = parse(fs.readFileSync(file, 'utf8')) as Parameters<typeof natsValuesProblems>[0];
  const problems = natsValuesProblems(values);
  for (const r of values.extraResources ?? []) problems.push(...(await schemaProblems(r)), ...(await unknownFieldProblems(r)));
  return { target: path.relative(repoRoot, file), objects: (values.extraResources ?? []).length, problems };
}

/** The overlays under deploy/overlays, or the directories given. */
export async function checkAll(dirs?: string[], k: Kubectl = findKubectl()): Promise<Report[]> {
  const overlays = dirs ?? fs.readdirSync(path.join(deployDir, 'overlays')).sort().map((o) => path.join(deployDir, 'overlays', o));
  const reports: Report[] = [];
  for (const d of overlays) reports.push(await checkOverlay(k, d));
  if (!dirs) reports.push(await checkNatsValues());
  return reports;
}
