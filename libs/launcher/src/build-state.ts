import fs from 'node:fs';
import path from 'node:path';

/**
 * Whether the compiled `dist/` of a package and of every workspace package it depends on at run time
 * is current. `tsc -b` writes `dist/.tsbuildinfo` on every build (and refreshes its time when sources
 * were only touched), so a package is stale when a non-test file under `src/` is newer than it.
 */
export interface StaleBuild {
  name: string;
  dir: string;
  /** Why: no build yet, or the newest source file that changed after it. */
  reason: string;
}

const BUILD_INFO = path.join('dist', '.tsbuildinfo');

interface Manifest {
  name: string;
  dependencies?: Record<string, string>;
}

function readManifest(dir: string): Manifest | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as Manifest;
  } catch {
    return undefined;
  }
}

/** Every workspace package under `libs/*` and `services/*` by name. */
function workspacePackages(root: string): Map<string, string> {
  const byName = new Map<string, string>();
  for (const group of ['libs', 'services']) {
    const base = path.join(root, group);
    if (!fs.existsSync(base)) continue;
    for (const entry of fs.readdirSync(base)) {
      const dir = path.join(base, entry);
      const m = readManifest(dir);
      if (m) byName.set(m.name, dir);
    }
  }
  return byName;
}

/** The package at `dir` and its workspace `dependencies`, transitively (devDependencies do not ship). */
function runtimeClosure(root: string, dir: string): Array<{ name: string; dir: string }> {
  const byName = workspacePackages(root);
  const seen = new Map<string, string>();
  const visit = (d: string): void => {
    const m = readManifest(d);
    if (!m || seen.has(m.name)) return;
    seen.set(m.name, d);
    for (const dep of Object.keys(m.dependencies ?? {})) {
      const depDir = byName.get(dep);
      if (depDir) visit(depDir);
    }
  };
  visit(dir);
  return [...seen].map(([name, d]) => ({ name, dir: d }));
}

function newestSource(dir: string): { file: string; mtimeMs: number } | undefined {
  let newest: { file: string; mtimeMs: number } | undefined;
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) {
        const mtimeMs = fs.statSync(p).mtimeMs;
        if (!newest || mtimeMs > newest.mtimeMs) newest = { file: p, mtimeMs };
      }
    }
  };
  const src = path.join(dir, 'src');
  if (fs.existsSync(src)) walk(src);
  return newest;
}

/** The packages whose `dist/` is missing or older than their sources, for the package at `dir` and its run-time dependencies. */
export function staleBuilds(root: string, dir: string): StaleBuild[] {
  const stale: StaleBuild[] = [];
  for (const p of runtimeClosure(root, dir)) {
    const info = path.join(p.dir, BUILD_INFO);
    if (!fs.existsSync(info)) {
      stale.push({ ...p, reason: 'not built' });
      continue;
    }
    const src = newestSource(p.dir);
    if (src && src.mtimeMs > fs.statSync(info).mtimeMs) stale.push({ ...p, reason: `${path.relative(p.dir, src.file)} changed after the last build` });
  }
  return stale;
}

/** Throws one error naming every stale package and what to run, when any of `dirs` needs a build. */
export function assertBuilt(root: string, dirs: readonly string[]): void {
  const stale = new Map<string, StaleBuild>();
  for (const d of dirs) for (const s of staleBuilds(root, d)) stale.set(s.name, s);
  if (stale.size === 0) return;
  const list = [...stale.values()].map((s) => `  ${s.name} (${path.relative(root, s.dir)}): ${s.reason}`).join('\n');
  throw new Error(`compiled services need a build — run \`make build\` (or \`pnpm build\`) first:\n${list}`);
}
