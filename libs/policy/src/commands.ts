import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HandrailError, NotFoundError, normalizeError } from '@handrail/errors';
import { renderPolicyDocs } from './docs.js';
import { checkPolicyFile, formatIssue, PolicyError } from './parse.js';
import { diffPolicies, formatDiff, policyRevisionId } from './revision.js';
import { AREAS, type PolicyPack } from './schema.js';
import { PolicyStore, type Actor, type AuditRecord, type PolicyImpact, type RevisionStatus, type ShadowSetting } from './store.js';

/** What a change did, as the server that made it reports it. */
export interface PolicyChangeResult {
  rev: string;
  status: RevisionStatus;
  /** Who acted, as their verified token names them (display name). */
  by: string;
  /** Active revision before and after. */
  from: string | null;
  to: string | null;
  /** For a proposal that already existed: who proposed it. */
  proposedBy?: string | undefined;
  /** For a proposal: the changes against the active revision, formatted. */
  changes?: string | undefined;
}

/** Shadow mode turned on or off (issue 15): the setting now and the one it replaced or ended. */
export interface ShadowChangeResult {
  by: string;
  shadow: ShadowSetting | null;
  previous: ShadowSetting | null;
}

/**
 * Makes policy changes on behalf of a verified identity. The CLI's writer sends them to the
 * console's policy API with the user's access token (the server decides who is acting and whether
 * they may); `storeWriter` acts directly on a store for one fixed identity (tests, in process).
 */
export interface PolicyWriter {
  propose(pack: PolicyPack, source: { file: string; text: string }, note: string, impact?: PolicyImpact): Promise<PolicyChangeResult>;
  approve(rev: string, note: string): Promise<PolicyChangeResult>;
  reject(rev: string, note: string): Promise<PolicyChangeResult>;
  rollback(rev: string, note: string): Promise<PolicyChangeResult>;
  /** Shadow mode on for a proposal (`rev`, optionally a KB revision), or off (`rev` null). */
  shadow(rev: string | null, kb: string, note: string): Promise<ShadowChangeResult>;
}

/** Changes on a store as one identity; used by the console's policy API and by tests. */
export function storeWriter(store: PolicyStore, actor: Omit<Actor, 'note'>): PolicyWriter {
  const name = actor.name ?? actor.by;
  return {
    async propose(pack, _source, note, impact) {
      const before = await store.active();
      const rev = await store.propose(pack, { ...actor, note }, { impact });
      const rec = await store.get(rev);
      const active = before?.rev ?? null;
      return {
        rev,
        status: rec?.status ?? 'proposed',
        by: name,
        from: active,
        to: active,
        proposedBy: rec?.proposedByName ?? rec?.proposedBy,
        changes: before && before.rev !== rev ? formatDiff(diffPolicies(before.pack, pack)) : undefined,
      };
    },
    async approve(rev, note) {
      const before = (await store.active())?.rev ?? null;
      const r = await store.approve(rev, { ...actor, note });
      return { rev, status: r.status, by: name, from: before, to: rev };
    },
    async reject(rev, note) {
      const r = await store.reject(rev, { ...actor, note });
      const active = (await store.active())?.rev ?? null;
      return { rev, status: r.status, by: name, from: active, to: active };
    },
    async rollback(rev, note) {
      const before = (await store.active())?.rev ?? null;
      const r = await store.rollback(rev, { ...actor, note });
      return { rev, status: r.status, by: name, from: before, to: rev };
    },
    async shadow(rev, kb, note) {
      const previous = (await store.shadow()) ?? null;
      if (rev === null) {
        await store.stopShadow({ ...actor, note });
        return { by: name, shadow: null, previous };
      }
      return { by: name, shadow: await store.startShadow(rev, kb, { ...actor, note }), previous };
    },
  };
}

export interface PolicyCommandContext {
  /**
   * Where changes (propose, approve, reject, rollback) go, as the verified identity of the caller.
   * The CLI passes one that calls the console's policy API with the user's access token.
   */
  writer?: () => PolicyWriter | Promise<PolicyWriter>;
  /** Only commands that touch the store need these; validate, diff FILE FILE and docs --file do not. */
  natsUrl?: string | undefined;
  bucket?: string | undefined;
  /** The pack the services fall back to while the store has no active revision (the CLI passes POLICY_FILE). */
  policyFile?: string | undefined;
  out?: (line: string) => void;
  err?: (line: string) => void;
  /**
   * The what-if of a pack file over recorded traffic (`window` like `7d`), attached to a proposal and
   * shown before an approval; the CLI passes libs/replay's. Without it proposals carry none.
   */
  impact?: (file: string, window: string) => Promise<PolicyImpact>;
  /** Tests pass a store on their own connection; the CLI connects to `natsUrl`. */
  openStore?: () => Promise<{ store: PolicyStore; close: () => Promise<void> }>;
}

export const POLICY_USAGE = `usage: handrail policy <command> [options]

  validate FILE                      check a pack; every problem with file:line:column and field
  diff [REV|FILE] [REV|FILE]         structural diff (one argument: active revision → it)
  propose FILE [--note TEXT]         store a pack for review; prints its revision id. Attaches its impact: the
       [--impact-window 7d]          recorded tickets of the window re-decided under it (what-if), every decision
       [--no-impact]                 that would change; --no-impact proposes without one
  approve REV [--note TEXT]          approve someone else's proposal; it becomes active (its impact is shown first)
  reject REV [--note TEXT]           reject a proposal
  rollback REV [--note TEXT]         make an earlier approved revision active again (audited; no second person)
  shadow REV [--kb KBREV]            shadow mode: a proposal decides every received ticket beside production, on the
       [--note TEXT]                 shadow stream only (never acted on); the weekly report compares the two
  shadow --off [--note TEXT]         stop shadow mode (approving or rejecting the proposal stops it too)
  shadow                             show whether shadow mode is on, for which revision
  show [REV] [--json]                a revision (default: the active one)
  history [--json]                   the audit trail: who changed what, when, from → to
  docs [--out DIR] [--file FILE]     generate the policy documents (Markdown + HTML) from FILE, else from the
       [--policy FILE]               active revision, else (as the services do) from --policy FILE or POLICY_FILE

  --token-file FILE                  your access token for propose/approve/reject/rollback/shadow (else HANDRAIL_TOKEN
                                     or HANDRAIL_TOKEN_FILE); you act as the token's subject, never as a name
                                     you type. Changes go through the console's API (CONSOLE_URL), which checks
                                     your role (policy_admin) and that the approver is not the proposer.`;

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

const VALUE_FLAGS = new Set(['note', 'out', 'file', 'policy', 'token-file', 'impact-window', 'kb']);
const BOOLEAN_FLAGS = new Set(['json', 'help', 'no-impact', 'off']);

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
    else if (name === 'as') throw new UsageProblem('--as is gone: you act as the subject of your access token (--token-file, HANDRAIL_TOKEN or HANDRAIL_TOKEN_FILE)');
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
    h.map((x) => [x.at, x.name ? `${x.name} (${x.by})` : x.by, x.action, x.rev, `${x.from ?? '-'} → ${x.to ?? '-'}`, x.note]),
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
    const writer = async (): Promise<PolicyWriter> => {
      if (!ctx.writer) throw new HandrailError('failed_precondition', 'policy changes need a verified identity: no policy API is configured');
      return ctx.writer();
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
        const pack = await loadWithWarnings(file, err);
        const text = await readFile(file, 'utf8');
        let impact: PolicyImpact | undefined;
        if (ctx.impact && !a.flags.has('no-impact')) {
          impact = await ctx.impact(file, str(a, 'impact-window') ?? '7d');
          out(impact.text);
          out('');
        } else if (!a.flags.has('no-impact')) err('note: no impact report attached (no what-if available here)');
        const r = await (await writer()).propose(pack, { file, text }, note ?? '', impact);
        if (r.status !== 'proposed') {
          out(`revision ${r.rev} is already ${r.status}${r.to === r.rev ? ' and active' : ''}; nothing to propose`);
          return;
        }
        if (r.proposedBy && r.proposedBy !== r.by) {
          out(`revision ${r.rev} was already proposed by ${r.proposedBy}; it awaits approval`);
          return;
        }
        out(`proposed revision ${r.rev} by ${r.by}; a second policy admin approves it with: handrail policy approve ${r.rev}`);
        if (r.changes) {
          out(`changes against active revision ${r.from ?? 'none'}:`);
          out(r.changes);
        }
        return;
      }
      case 'approve': {
        const rev = needRev();
        // The approver reads what the change would do before it is live (issue 15).
        const rec = await store()
          .then((st) => st.get(rev))
          .catch((e: unknown) => {
            err(`note: cannot read revision ${rev} from the store (${normalizeError(e).message})`);
            return undefined;
          });
        if (rec) out(rec.impact ? `impact attached by the proposer (${rec.impact.generatedAt}):\n${rec.impact.text}\n` : `revision ${rev} has no impact report attached; run: handrail replay --policy ${rev} --since 7d\n`);
        const r = await (await writer()).approve(rev, note ?? '');
        out(`approved revision ${r.rev} by ${r.by}; active revision ${r.from ?? 'none'} → ${r.rev}`);
        return;
      }
      case 'reject': {
        const r = await (await writer()).reject(needRev(), note ?? '');
        out(`rejected revision ${r.rev} by ${r.by}`);
        return;
      }
      case 'rollback': {
        const r = await (await writer()).rollback(needRev(), note ?? '');
        out(`rolled back by ${r.by}: active revision ${r.from ?? 'none'} → ${r.rev}`);
        return;
      }
      case 'shadow': {
        const describe = (x: ShadowSetting) => `revision ${x.rev}${x.kb ? ` with KB ${x.kb}` : ' with the published KB'}, since ${x.since} by ${x.name ?? x.by}${x.note ? ` — ${x.note}` : ''}`;
        if (a.flags.has('off')) {
          if (pos.length) throw new UsageProblem('policy shadow --off takes no revision');
          const r = await (await writer()).shadow(null, '', note ?? '');
          out(r.previous ? `shadow mode off by ${r.by}; it was ${describe(r.previous)}` : 'shadow mode was already off');
          return;
        }
        if (pos.length === 0) {
          if (a.flags.has('kb')) throw new UsageProblem('policy shadow --kb needs a revision: handrail policy shadow REV --kb KBREV');
          const cur = await (await store()).shadow();
          if (a.flags.has('json')) out(JSON.stringify({ shadow: cur ?? null }));
          else out(cur ? `shadow mode on: ${describe(cur)}` : 'shadow mode off');
          return;
        }
        if (pos.length > 1) throw new UsageProblem('policy shadow takes one revision');
        const kbRev = str(a, 'kb') ?? '';
        const r = await (await writer()).shadow(needRev(), kbRev, note ?? '');
        if (!r.shadow) throw new HandrailError('internal', 'the server did not confirm shadow mode');
        out(`shadow mode on by ${r.by}: ${describe(r.shadow)}${r.previous && r.previous.rev !== r.shadow.rev ? ` (replaces ${r.previous.rev})` : ''}`);
        out('every received ticket is also decided under it, on the shadow stream only; the weekly report compares the two (handrail report weekly)');
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
        out(`proposed by ${rec.proposedByName ?? rec.proposedBy} (${rec.proposedBy}) at ${rec.proposedAt}${rec.note ? ` — ${rec.note}` : ''}`);
        if (rec.decidedBy) out(`${rec.status} by ${rec.decidedByName ?? rec.decidedBy} (${rec.decidedBy}) at ${rec.decidedAt ?? '?'}`);
        if (rec.impact) out(`\nimpact attached at proposal:\n${rec.impact.text}`);
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
