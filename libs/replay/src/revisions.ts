import { decodeJson, type Bus } from '@handrail/bus';
import { trainingPhrases, trainPackModels } from '@handrail/classifier';
import { passageTexts, SamplingCounters, semanticScorer, type ClassifyDeps, type RelevanceOptions } from '@handrail/decisions';
import { sharedEncoder, withStoredVectors } from '@handrail/encoder';
import type { Topology } from '@handrail/events';
import { fromSnapshot, ingestDirectory, toSnapshot, type KbSnapshot, type KnowledgeBase } from '@handrail/kb';
import { loadPolicyFile, policyRevisionId, PolicyStore, type PolicyPack } from '@handrail/policy';
import { KB_SNAPSHOT_KEY } from '@handrail/runtime';
import { Kvm } from '@nats-io/kv';

export interface ResolvedPolicy {
  pack: PolicyPack;
  revision: string;
  /** Where it came from, for the report: `policy store`, `file demo-pack.yaml`. */
  source: string;
}

export interface ResolvedKb {
  kb: KnowledgeBase;
  revision: string;
  source: string;
}

/** Files an operator offers besides the stores: packs and help-centre directories, matched by content hash. */
export interface RevisionFiles {
  policies?: readonly string[];
  kbDirs?: readonly string[];
  /** Where the packs' example vectors are kept on disk (the classifier service's ENCODER_STORE_DIR); unset: embedded here. */
  encoderStoreDir?: string | undefined;
}

/**
 * Finds the exact policy pack, KB and classifier a recorded decision names: the policy store's
 * revisions, the KB snapshots the bucket still holds (its history), and any files given — each
 * accepted only when its content hash is the revision asked for, so a re-derivation never silently
 * runs on something else.
 */
export class RevisionResolver {
  readonly #policies = new Map<string, ResolvedPolicy | undefined>();
  readonly #kbs = new Map<string, ResolvedKb | undefined>();
  #relevance: Promise<RelevanceOptions> | undefined;
  readonly #classifiers = new Map<string, Promise<ClassifyDeps>>();
  /**
   * The QA sampler's certainty counters (first N after a revision, weekly minimums), kept across the
   * tickets of one run in stream order as the sampler keeps them; a run that starts after the first N
   * of a revision may therefore sample differently from what was recorded.
   */
  readonly sampling = new SamplingCounters();
  #files: { policies: ResolvedPolicy[]; kbs: ResolvedKb[] } | undefined;
  #snapshots: ResolvedKb[] | undefined;
  readonly #passageTexts = new Map<string, Set<string>>();

  constructor(
    private readonly bus: Bus,
    private readonly topo: Topology,
    private readonly files: RevisionFiles = {},
  ) {}

  async #loadFiles(): Promise<{ policies: ResolvedPolicy[]; kbs: ResolvedKb[] }> {
    if (!this.#files) {
      const policies: ResolvedPolicy[] = [];
      for (const f of this.files.policies ?? []) {
        const pack = await loadPolicyFile(f);
        policies.push({ pack, revision: policyRevisionId(pack), source: `file ${f}` });
      }
      const kbs: ResolvedKb[] = [];
      for (const d of this.files.kbDirs ?? []) {
        const kb = await ingestDirectory(d);
        kbs.push({ kb, revision: toSnapshot(kb).revision, source: `directory ${d}` });
      }
      this.#files = { policies, kbs };
    }
    return this.#files;
  }

  /** Every KB snapshot the bucket still holds (the current one and its history). */
  async #loadSnapshots(): Promise<ResolvedKb[]> {
    if (!this.#snapshots) {
      const out: ResolvedKb[] = [];
      try {
        const kv = await new Kvm(this.bus.js).open(this.topo.buckets.kb);
        for await (const e of await kv.history({ key: KB_SNAPSHOT_KEY })) {
          if (e.operation !== 'PUT' || e.value.length === 0) continue;
          try {
            const kb = fromSnapshot(decodeJson<KbSnapshot>(e.value));
            out.push({ kb, revision: kb.revision, source: `published snapshot (bucket revision ${e.revision})` });
          } catch {
            // A snapshot whose contents do not match its revision is never used.
          }
        }
      } catch {
        // No bucket: nothing was ever published.
      }
      this.#snapshots = out;
    }
    return this.#snapshots;
  }

  /** Candidate packs given as files (what-if), validated and hashed like any revision. */
  async filePolicies(): Promise<ResolvedPolicy[]> {
    return (await this.#loadFiles()).policies;
  }

  async policy(revision: string): Promise<ResolvedPolicy | undefined> {
    if (!this.#policies.has(revision)) {
      let found: ResolvedPolicy | undefined;
      const stored = await new PolicyStore(this.bus.nc, this.topo.buckets.policy, { bindOnly: true }).get(revision).catch(() => undefined);
      if (stored && policyRevisionId(stored.pack) === revision) found = { pack: stored.pack, revision, source: `policy store (${stored.status})` };
      found ??= (await this.#loadFiles()).policies.find((p) => p.revision === revision);
      this.#policies.set(revision, found);
    }
    return this.#policies.get(revision);
  }

  async kb(revision: string): Promise<ResolvedKb | undefined> {
    if (!this.#kbs.has(revision)) {
      const found = (await this.#loadSnapshots()).find((k) => k.revision === revision) ?? (await this.#loadFiles()).kbs.find((k) => k.revision === revision);
      this.#kbs.set(revision, found);
    }
    return this.#kbs.get(revision);
  }

  /** The KB in force now: the published snapshot, else the first directory given. */
  async currentKb(): Promise<ResolvedKb | undefined> {
    const snaps = await this.#loadSnapshots();
    return snaps.at(-1) ?? (await this.#loadFiles()).kbs[0];
  }

  /**
   * Both models the classifier service trains from a pack — the lexical one and the semantic one over
   * the sentence encoder — so the model revision events name comes out the same.
   */
  classifier(policy: ResolvedPolicy): Promise<ClassifyDeps> {
    let c = this.#classifiers.get(policy.revision);
    if (!c) {
      c = sharedEncoder().then(async (encoder) => {
        const models = await trainPackModels(policy.pack, withStoredVectors(encoder, this.files.encoderStoreDir, trainingPhrases(policy.pack)));
        return { classifier: models.classifier, semantic: models.semantic };
      });
      this.#classifiers.set(policy.revision, c);
    }
    return c;
  }

  /**
   * Answer relevance as the drafting service measures it (semantic closeness with the same encoder):
   * one scorer per resolver, so the help centre's passages are embedded once per article version, not per ticket.
   */
  relevance(): Promise<RelevanceOptions> {
    this.#relevance ??= sharedEncoder().then((encoder) => ({ semantic: semanticScorer(withStoredVectors(encoder, this.files.encoderStoreDir, { has: (t) => this.#isPassage(t) })) }));
    return this.#relevance;
  }

  /** Whether `text` is a passage of a help centre this resolver has read (whose vector may go to disk). */
  #isPassage(text: string): boolean {
    return [...this.#kbs.values(), ...(this.#snapshots ?? []), ...(this.#files?.kbs ?? [])].some((k) => {
      if (!k) return false;
      let texts = this.#passageTexts.get(k.revision);
      if (!texts) {
        texts = passageTexts(k.kb);
        this.#passageTexts.set(k.revision, texts);
      }
      return texts.has(text);
    });
  }

}
