import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HandrailError, NotFoundError, normalizeError } from '@handrail/errors';
import { renderPolicyDocs } from './docs.js';
import { checkPolicyFile, formatIssue, PolicyError } from './parse.js';
import { diffPolicies, formatDiff, policyRevisionId } from './revision.js';
import { AREAS, type PolicyPack } from './schema.js';
import { PolicyStore, type AuditRecord } from './store.js';

export interface PolicyCommandContext {
  /** Acting user when `--as` is not given (the CLI passes HANDRAIL_USER / USER). */
  user?: string | undefined;
  /** Only commands that touch the store need these; validate, diff FILE FILE and docs --file do not. */
  natsUrl?: string | undefined;
  bucket?: string | undefined;
  /** The pack the services fall back to while the store has no active revision (the CLI passes POLICY_FILE). */
  policyFile?: string | undefined;
  out?: (line: string) => void;
  err?: (line: string) => void;
  /** Tests pass a store on their own connection; the CLI connects to `natsUrl`. */
  openStore?: () => Promise<{ store: PolicyStore; close: () => Promise<void> }>;
}

export const POLICY_USAGE = `usage: handrail policy <command> [options]

  validate FILE                      check a pack; every problem with file:line:column and field
  diff [REV|FILE] [REV|FILE]         structural diff (one argument: active revision → it)
  propose FILE [--note TEXT]         store a pack for review; prints its revision id
  approve REV [--note TEXT]          approve someone else's proposal; it becomes active
  reject REV [--note TEXT]           reject a proposal
  rollback REV [--note TEXT]         make an earlier approved revision active again (audited; no second person)
  show [REV] [--json]                a revision (default: the active one)
  history [--json]                   the audit trail: who changed what, when, from → to
  docs [--out DIR] [--file FILE]     generate the policy documents (Markdown + HTML) from FILE, else from the
       [--policy FILE]               active revision, else (as the services do) from --policy FILE or POLICY_FILE

  --as USER                          acting user (default: HANDRAIL_USER)`;

class UsageProblem extends HandrailError {
  override readonly name = 'UsageProblem';
  constructor(message: string) {
    super('invalid_argument', `${message}\n\n${POLICY_USAGE}`);
  }
}

interface Args {
  positional: string[];
  flags: Map<string, string | true>;
}

const VALUE_FLAGS = new Set(['note', 'as', 'out', 'file', 'policy']);
const BOOLEAN_FLAGS = new Set(['json', 'help']);

function parseArgs(argv: readonly string[]): Args {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k] ?? '';
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
    if (eq > 0) flags.set(name, a.slice(eq + 1));
    else if (VALUE_FLAGS.has(name)) {
      const v = argv[k + 1];
      if (v === undefined || v.startsWith('--')) throw new UsageProblem(`--${name} needs a value`);
      flags.set(name, v);
      k++;
    } else if (BOOLEAN_FLAGS.has(name)) flags.set(name, true);
    else throw new UsageProblem(`unknown option --${name}`);
  }
  return { positional, flags };
}

const str = (a: Args, name: string): string | undefined => {
  const v = a.flags.get(name);
  return typeof v === 'string' ? v : undefined;
};

function table(rows: string[][], head: string[]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** Loads a pack file, printing override warnings; a broken pack throws with every issue listed. */
async function loadWithWarnings(file: string, err: (l: string) => void): Promise<PolicyPack> {
  const r = await checkPolicyFile(file).catch((e: unknown) => {
    throw new NotFoundError(`cannot read ${file}: ${(e as Error).message}`);
  });
  for (const w of r.warnings) err(formatIssue(w));
  if (!r.pack) throw new PolicyError([...r.errors, ...r.warnings]);
  return r.pack;
}

function historyTable(h: readonly AuditRecord[]): string {
  if (h.length === 0) return 'no policy changes recorded';
  return table(
    h.map((x) => [x.at, x.by, x.action, x.rev, `${x.from ?? '-'} → ${x.to ?? '-'}`, x.note]),
    ['when', 'who', 'action', 'revision', 'active', 'note'],
  );
}

/**
 * `handrail policy ...`. A refusal or mistake throws a HandrailError (usage problems are
 * `invalid_argument`, self-approval `permission_denied`, …); the CLI maps it to its exit code.
 */
export async function runPolicyCommand(argv: readonly string[], ctx: PolicyCommandContext): Promise<void> {
  const out = ctx.out ?? ((l: string) => console.log(l));
  const err = ctx.err ?? ((l: string) => console.error(l));
  let session: { store: PolicyStore; close: () => Promise<void> } | undefined;
  const store = async (): Promise<PolicyStore> => {
    const { natsUrl, bucket } = ctx;
    const open =
      ctx.openStore ??
      (() => {
        if (!natsUrl || !bucket) throw new HandrailError('failed_precondition', 'this command needs the policy store, but no NATS URL and bucket were configured');
        return PolicyStore.connect(natsUrl, bucket);
      });
    session ??= await open();
    return session.store;
  };
  try {
    const a = parseArgs(argv);
    const [cmd, ...pos] = a.positional;
    const user = (): string => {
      const u = str(a, 'as') ?? ctx.user;
      if (!u) throw new UsageProblem('no acting user: pass --as USER or set HANDRAIL_USER');
      return u;
    };
    const note = str(a, 'note');
    const needRev = (): string => {
      const rev = pos[0];
      if (!rev) throw new UsageProblem(`policy ${cmd ?? ''} needs a revision id`);
      return rev;
    };
    /** A file on disk, or else a revision in the store. */
    const resolve = async (ref: string): Promise<{ label: string; pack: PolicyPack }> => {
      if (existsSync(ref)) {
        const pack = await loadWithWarnings(ref, err);
        return { label: `${ref} (${policyRevisionId(pack)})`, pack };
      }
      const rec = await (await store()).get(ref);
      if (!rec) throw new NotFoundError(`${ref} is neither a file nor a stored revision`);
      return { label: `revision ${ref} (${rec.status})`, pack: rec.pack };
    };

    if (a.flags.has('help') || cmd === 'help') {
      out(POLICY_USAGE);
      return;
    }
    if (cmd === undefined) throw new UsageProblem('a policy command is required');
    switch (cmd) {
      case 'validate': {
        const file = pos[0];
        if (!file) throw new UsageProblem('policy validate needs a FILE');
        const r = await checkPolicyFile(file).catch((e: unknown) => {
          throw new NotFoundError(`cannot read ${file}: ${(e as Error).message}`);
        });
        for (const i of [...r.errors, ...r.warnings]) err(formatIssue(i));
        if (!r.pack) throw new HandrailError('invalid_argument', `${file}: invalid (${r.errors.length} error${r.errors.length === 1 ? '' : 's'})`);
        out(`${file}: valid, revision ${policyRevisionId(r.pack)}${r.warnings.length ? `, ${r.warnings.length} warning(s)` : ''}`);
        return;
      }
      case 'diff': {
        if (pos.length === 0 || pos.length > 2) throw new UsageProblem('policy diff takes one or two REV|FILE arguments');
        let from: { label: string; pack: PolicyPack };
        if (pos.length === 1) {
          const active = await (await store()).active();
          if (!active) throw new NotFoundError('no active revision to compare with; give two arguments');
          from = { label: `active revision ${active.rev}`, pack: active.pack };
        } else {
          from = await resolve(pos[0] ?? '');
        }
        const to = await resolve(pos[pos.length - 1] ?? '');
        out(`--- ${from.label}\n+++ ${to.label}`);
        out(formatDiff(diffPolicies(from.pack, to.pack)));
        return;
      }
      case 'propose': {
        const file = pos[0];
        if (!file) throw new UsageProblem('policy propose needs a FILE');
        const by = user();
        const pack = await loadWithWarnings(file, err);
        const s = await store();
        const rev = await s.propose(pack, { by, note: note ?? '' });
        const active = await s.active();
        const rec = await s.get(rev);
        if (rec && rec.status !== 'proposed') {
          out(`revision ${rev} is already ${rec.status}${active?.rev === rev ? ' and active' : ''}; nothing to propose`);
          return;
        }
        if (rec && rec.proposedBy !== by) {
          out(`revision ${rev} was already proposed by ${rec.proposedBy}; it awaits approval`);
          return;
        }
        out(`proposed revision ${rev} by ${by}; a second person approves it with: handrail policy approve ${rev}`);
        if (active && active.rev !== rev) {
          out(`changes against active revision ${active.rev}:`);
          out(formatDiff(diffPolicies(active.pack, pack)));
        }
        return;
      }
      case 'approve': {
        const rev = needRev();
        const by = user();
        const s = await store();
        const before = (await s.active())?.rev ?? 'none';
        await s.approve(rev, { by, note: note ?? '' });
        out(`approved revision ${rev} by ${by}; active revision ${before} → ${rev}`);
        return;
      }
      case 'reject': {
        const rev = needRev();
        const by = user();
        await (await store()).reject(rev, { by, note: note ?? '' });
        out(`rejected revision ${rev} by ${by}`);
        return;
      }
      case 'rollback': {
        const rev = needRev();
        const by = user();
        const s = await store();
        const before = (await s.active())?.rev ?? 'none';
        await s.rollback(rev, { by, note: note ?? '' });
        out(`rolled back by ${by}: active revision ${before} → ${rev}`);
        return;
      }
      case 'show': {
        const s = await store();
        const rec = pos[0] ? await s.get(pos[0]) : await s.active();
        if (!rec) throw new NotFoundError(pos[0] ? `no policy revision ${pos[0]}` : 'no active policy revision (nothing approved yet)');
        if (a.flags.has('json')) {
          out(JSON.stringify(rec, null, 2));
          return;
        }
        const active = await s.active();
        out(`revision ${rec.rev}  ${rec.status}${active?.rev === rec.rev ? ' (active)' : ''}  pack ${rec.pack.name}`);
        out(`proposed by ${rec.proposedBy} at ${rec.proposedAt}${rec.note ? ` — ${rec.note}` : ''}`);
        if (rec.decidedBy) out(`${rec.status} by ${rec.decidedBy} at ${rec.decidedAt ?? '?'}`);
        out('');
        out(table(AREAS.map((ar) => {
          const p = rec.pack.areas[ar];
          return [ar, p?.ai_action ?? 'none', String(p?.confidence_threshold ?? '-'), p?.queue ?? '-'];
        }), ['area', 'ai', 'threshold', 'queue']));
        return;
      }
      case 'history': {
        const h = await (await store()).history();
        out(a.flags.has('json') ? JSON.stringify(h, null, 2) : historyTable(h));
        return;
      }
      case 'docs': {
        const file = str(a, 'file');
        let pack: PolicyPack;
        let revision: string | undefined;
        let history: AuditRecord[] = [];
        let source: string;
        if (file) {
          pack = await loadWithWarnings(file, err);
          source = `pack file ${file} (--file)`;
          // The change log comes from the store when it is reachable; a file alone still documents.
          history = await store()
            .then((s) => s.history())
            .catch((e: unknown) => {
              err(`note: no change log (${normalizeError(e).message})`);
              return [];
            });
        } else {
          const s = await store();
          const active = await s.active();
          if (active) {
            pack = active.pack;
            revision = active.rev;
            source = `active revision ${active.rev} in the policy store`;
          } else {
            // As the services do: until a revision is approved, the pack file they start with is the policy.
            const flag = str(a, 'policy');
            const fallback = flag ?? ctx.policyFile;
            if (!fallback) throw new UsageProblem('no active policy revision in the store: pass --policy FILE or set POLICY_FILE to document the pack file the services fall back to');
            pack = await loadWithWarnings(fallback, err);
            source = `pack file ${fallback} (${flag ? '--policy' : 'POLICY_FILE'}; the policy store has no active revision)`;
          }
          history = await s.history();
        }
        const docs = renderPolicyDocs(pack, { history, revision, generatedAt: new Date() });
        const dir = str(a, 'out');
        if (!dir) {
          // stdout stays pure Markdown for redirecting; the source goes to stderr.
          err(`source: ${source}`);
          out(docs.markdown);
          return;
        }
        await mkdir(dir, { recursive: true });
        await writeFile(join(dir, 'policy.md'), docs.markdown);
        await writeFile(join(dir, 'policy.html'), docs.html);
        out(`wrote ${join(dir, 'policy.md')} and ${join(dir, 'policy.html')} from ${source}`);
        return;
      }
      default:
        throw new UsageProblem(`unknown policy command "${cmd}"`);
    }
  } finally {
    if (session) await session.close();
  }
}
