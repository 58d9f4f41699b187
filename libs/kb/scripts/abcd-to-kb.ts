/**
 * Convert the ABCD agent guidelines (shared/datasets/abcd-kb/guidelines.json) into one Markdown
 * article per subflow, so the KB pipeline can be measured on a manual it was not written for.
 *
 *   tsx libs/kb/scripts/abcd-to-kb.ts [--src DIR] [--out DIR]
 *
 * Reads shared data, so it is a script, never a unit test.
 */
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

export const DEFAULT_ABCD_DIR = fileURLToPath(new URL('../../../../shared/datasets/abcd-kb', import.meta.url));

interface AbcdAction {
  type?: string;
  button: string;
  text: string;
  subtext?: string[];
}
interface AbcdSubflow {
  actions?: AbcdAction[];
  instructions?: string[];
}
interface AbcdFlow {
  description?: string;
  subflows: Record<string, AbcdSubflow>;
}
export type AbcdGuidelines = Record<string, AbcdFlow>;

export function abcdArticleId(flow: string, subflow: string): string {
  const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  return `${slug(flow)}--${slug(subflow)}`;
}

const clean = (s: string) => s.replace(/\s+/g, ' ').trim();

/** One Markdown article (with front matter) per subflow. */
export function convertAbcd(guidelines: AbcdGuidelines): { file: string; id: string; text: string }[] {
  const out: { file: string; id: string; text: string }[] = [];
  for (const [flow, flowData] of Object.entries(guidelines)) {
    for (const [subflow, data] of Object.entries(flowData.subflows)) {
      const id = abcdArticleId(flow, subflow);
      const lines = [
        '---',
        `id: ${id}`,
        `title: ${JSON.stringify(`${flow}: ${subflow}`)}`,
        'audience: agent',
        'approved: true',
        'effective: 2022-01-26',
        '---',
        `# ${flow}: ${subflow}`,
        '',
      ];
      if (flowData.description) lines.push(`${flow} covers ${clean(flowData.description)}.`, '');
      if ((data.instructions ?? []).length > 0) {
        lines.push('## Instructions', '');
        for (const i of data.instructions ?? []) lines.push(clean(i), '');
      }
      for (const action of data.actions ?? []) {
        lines.push(`## ${action.button === 'N/A' ? 'Guidance' : clean(action.button)}`, '', clean(action.text), '');
        for (const sub of action.subtext ?? []) lines.push(`- ${clean(sub)}`);
        lines.push('');
      }
      out.push({ file: `${id}.md`, id, text: lines.join('\n') });
    }
  }
  return out;
}

export async function writeAbcdKb(srcDir: string, outDir?: string): Promise<{ dir: string; count: number }> {
  const guidelines = JSON.parse(await readFile(join(srcDir, 'guidelines.json'), 'utf8')) as AbcdGuidelines;
  const dir = outDir ?? (await mkdtemp(join(tmpdir(), 'abcd-kb-')));
  await mkdir(dir, { recursive: true });
  const articles = convertAbcd(guidelines);
  for (const a of articles) await writeFile(join(dir, a.file), a.text);
  return { dir, count: articles.length };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { src: { type: 'string' }, out: { type: 'string' } } });
  const { dir, count } = await writeAbcdKb(values.src ?? DEFAULT_ABCD_DIR, values.out);
  console.log(`wrote ${count} articles to ${dir}`);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
