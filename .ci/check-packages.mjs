// `pnpm check`: every workspace package is wired into the tsc build the same way, and everything its
// product code imports at run time is in `dependencies` (a devDependency works in the workspace but is
// missing from the production deploy). The recipe these rules encode is in the README ("Build").
import fs from 'node:fs';
import path from 'node:path';
import { builtinModules } from 'node:module';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const BASE = '../../tsconfig.build.base.json';
const BUILD = 'tsc -b tsconfig.build.json';
const problems = [];

const dirs = ['libs', 'services'].flatMap((g) =>
  fs.existsSync(path.join(root, g)) ? fs.readdirSync(path.join(root, g)).map((d) => `${g}/${d}`) : [],
).filter((d) => fs.existsSync(path.join(root, d, 'package.json')));
const manifests = new Map(dirs.map((d) => [d, JSON.parse(fs.readFileSync(path.join(root, d, 'package.json'), 'utf8'))]));
const dirByName = new Map([...manifests].map(([d, m]) => [m.name, d]));
const readJson = (f) => JSON.parse(fs.readFileSync(path.join(root, f), 'utf8'));

const solution = fs.existsSync(path.join(root, 'tsconfig.build.json')) ? readJson('tsconfig.build.json') : { references: [] };
const inSolution = new Set((solution.references ?? []).map((r) => path.normalize(r.path)));

function sourceFiles(dir) {
  const out = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.name.endsWith('.d.ts')) out.push(p);
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out;
}

/** Package names that a file needs at run time (type-only imports are erased). */
function runtimeImports(file) {
  const text = fs.readFileSync(file, 'utf8');
  const names = new Set();
  const re = /(?:^|[\s;])(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (const m of text.matchAll(re)) {
    if (m[2]) continue;
    const spec = m[3] ?? m[4];
    if (!spec || spec.startsWith('.') || spec.startsWith('node:') || builtinModules.includes(spec.split('/')[0])) continue;
    names.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
  }
  return names;
}

for (const [dir, m] of manifests) {
  const at = `${dir}/`;
  const deps = m.dependencies ?? {};
  const tsconfigFile = `${dir}/tsconfig.build.json`;
  if (!fs.existsSync(path.join(root, tsconfigFile))) {
    problems.push(`${at}tsconfig.build.json is missing ({ "extends": "${BASE}", "references": [one per workspace dependency] })`);
  } else {
    const tc = readJson(tsconfigFile);
    if (tc.extends !== BASE) problems.push(`${at}tsconfig.build.json must extend ${BASE}`);
    const refs = new Set((tc.references ?? []).map((r) => path.normalize(path.join(dir, r.path))));
    const want = new Set(Object.keys(deps).filter((n) => dirByName.has(n)).map((n) => path.normalize(`${dirByName.get(n)}/tsconfig.build.json`)));
    for (const w of want) if (!refs.has(w)) problems.push(`${at}tsconfig.build.json: add { "path": "${path.relative(dir, w)}" } (a workspace dependency)`);
    for (const r of refs) if (!want.has(r)) problems.push(`${at}tsconfig.build.json: reference ${path.relative(dir, r)} is not a workspace dependency in package.json`);
  }
  if (!inSolution.has(path.normalize(`./${dir}/tsconfig.build.json`))) problems.push(`tsconfig.build.json (root): add { "path": "./${dir}/tsconfig.build.json" }`);
  if (m.scripts?.build !== BUILD) problems.push(`${at}package.json: scripts.build must be "${BUILD}"`);
  if (!(m.files ?? []).includes('dist')) problems.push(`${at}package.json: "files" must list "dist" (plus any data read at run time)`);
  for (const [sub, target] of Object.entries(m.exports ?? {})) {
    const src = typeof target === 'object' ? target['@handrail/source'] : target;
    const entry = typeof src === 'string' ? /^\.\/src\/(.+)\.ts$/.exec(src)?.[1] : undefined;
    const want = entry && { '@handrail/source': `./src/${entry}.ts`, types: `./src/${entry}.ts`, default: `./dist/${entry}.js` };
    if (!want || JSON.stringify(target) !== JSON.stringify(want)) {
      problems.push(`${at}package.json: exports["${sub}"] must be ${JSON.stringify(want ?? { '@handrail/source': './src/X.ts', types: './src/X.ts', default: './dist/X.js' })}`);
    }
  }
  for (const file of sourceFiles(path.join(root, dir, 'src'))) {
    for (const name of runtimeImports(file)) {
      if (name === m.name || name in deps) continue;
      const where = (m.devDependencies ?? {})[name] ? 'is only a devDependency' : 'is not a dependency';
      problems.push(`${path.relative(root, file)} imports ${name}, which ${where} of ${m.name}: move or add it to "dependencies"`);
    }
  }
}

if (problems.length) {
  console.error(`package wiring: ${problems.length} problem(s)\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`package wiring: ${manifests.size} packages build with tsc -b and declare their run-time dependencies`);
