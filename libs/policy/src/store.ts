import { randomBytes } from 'node:crypto';
import { Kvm, type KV, type KvEntry } from '@nats-io/kv';
import type { JetStreamClient } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { HandrailError, NotFoundError, PermissionDeniedError, UnavailableError } from '@handrail/errors';
import { validatePack } from './parse.js';
import { canonicalJson, policyRevisionId } from './revision.js';
import type { PolicyPack } from './schema.js';

export type RevisionStatus = 'proposed' | 'approved' | 'rejected';

/** A stored revision: the pack (content-addressed) and where it is in review. Key `rev.<id>`. */
export interface PolicyRevision {
  rev: string;
  pack: PolicyPack;
  status: RevisionStatus;
  note: string;
  /** The proposer's verified identity: token subject (and issuer); the name is for reading only. */
  proposedBy: string;
  proposedByName?: string;
  proposedByIssuer?: string;
  proposedAt: string;
  decidedBy?: string;
  decidedByName?: string;
  decidedAt?: string;
  /** What the pack would change over recorded traffic, attached at proposal (issue 15): the approver reads it first. */
  impact?: PolicyImpact;
  signature?: RecordSignature;
}

/**
 * A what-if of a proposed pack over a recent window of recorded tickets (`handrail replay --policy`),
 * as the proposer's CLI computed it: the text it printed and the structured report (libs/replay's
 * `ImpactReport`, every change or the first `MAX_IMPACT_CHANGES`).
 */
export interface PolicyImpact {
  generatedAt: string;
  window: { from: string | null; to: string | null };
  tickets: number;
  changed: number;
  text: string;
  report: Record<string, unknown>;
}

/** Key `active`: which approved revision services apply now, and how it got there. */
export interface ActivePointer {
  rev: string;
  since: string;
  by: string;
  via: 'approve' | 'rollback';
  signature?: RecordSignature;
}

export type ActiveRevision = PolicyRevision & { active: ActivePointer };

/** `shadow_on` / `shadow_off`: shadow mode started or stopped for a proposal (issue 15); the active revision does not move. */
export type AuditAction = 'propose' | 'approve' | 'reject' | 'rollback' | 'shadow_on' | 'shadow_off';

/**
 * Key `shadow`: the proposal (and optionally KB revision) the shadow service decides every received
 * ticket with, beside production, without acting on it (issue 15). Absent: shadow mode is off.
 */
export interface ShadowSetting {
  rev: string;
  /** A KB revision the kb bucket holds; empty: the published one. */
  kb: string;
  by: string;
  name?: string;
  issuer?: string;
  since: string;
  note: string;
  signature?: RecordSignature;
}

/** One audited change, key `audit.<ms>.<random>` so keys sort by time and never collide. */
export interface AuditRecord {
  at: string;
  /** The token subject of who did it; `name` for reading. */
  by: string;
  name?: string;
  issuer?: string;
  action: AuditAction;
  rev: string;
  /** Active revision before and after; equal when the change did not move it. */
  from: string | null;
  to: string | null;
  note: string;
  signature?: RecordSignature;
}

/** Who acts, as a verified token names them: `by` is the subject, never a name someone typed. */
export interface Actor {
  by: string;
  name?: string;
  issuer?: string;
  note?: string;
}

/**
 * Signs the records this store writes (issue 15: policy revision records were unsigned). The console,
 * the policy API people use, signs with its identity's Ed25519 key (`@handrail/trust`'s `recordSigner`).
 */
export interface RecordSigner {
  readonly identity: string;
  /** base64 signature of `bytes`. */
  sign(bytes: Uint8Array): string;
}

/** Checks record signatures: services apply a revision only when its record, the pointer and the approval's audit record verify. */
export interface RecordVerifier {
  verify(identity: string, bytes: Uint8Array, signature: string): boolean;
  /** The identities whose signature counts: those that may write the policy bucket. */
  readonly writers: readonly string[];
}

/** Who signed a record, and the signature over `recordBytes(kind, record)`. */
export interface RecordSignature {
  by: string;
  sig: string;
}

export type RecordKind = 'revision' | 'pointer' | 'audit' | 'shadow';

/** What a record's signature covers: its kind and its content, without the signature. */
export function recordBytes(kind: RecordKind, record: object): Uint8Array {
  const { signature: _ignored, ...rest } = record as { signature?: unknown };
  return new TextEncoder().encode(`handrail-policy-record-v1\n${kind}\n${canonicalJson(rest)}`);
}

/** Why a record's signature does not hold, or undefined when a writer signed exactly this content. */
export function signatureProblem(kind: RecordKind, record: object, verifier: RecordVerifier): string | undefined {
  const s = (record as { signature?: RecordSignature }).signature;
  if (!s || typeof s.by !== 'string' || typeof s.sig !== 'string') return `the ${kind} record is unsigned`;
  if (!verifier.writers.includes(s.by)) return `the ${kind} record is signed by ${s.by}, who may not write policy`;
  return verifier.verify(s.by, recordBytes(kind, record), s.sig) ? undefined : `the ${kind} record's signature by ${s.by} does not verify (altered after signing?)`;
}

export interface PolicyStoreOptions {
  /** Sign every record written (the console does). */
  signer?: RecordSigner | undefined;
  /** Refuse revisions whose records are not signed by a policy writer (services do). */
  verifier?: RecordVerifier | undefined;
  now?: () => Date;
  /** Revisions kept per key; the audit keys carry the real history, so this only eases debugging. */
  history?: number;
  /** Bind to the provisioned bucket instead of creating it (services: read-only identities, issue 11). */
  bindOnly?: boolean;
}

const ACTIVE = 'active';
const SHADOW = 'shadow';
const KB_REV = /^[A-Za-z0-9_-]{1,64}$/;
const revKey = (rev: string) => `rev.${rev}`;
const REV_ID = /^[0-9a-f]{12}$/;

/** One identity: the same subject at the same issuer (a record without an issuer matches on the subject). */
const samePerson = (record: { by: string; issuer?: string | undefined }, actor: Actor) =>
  record.by === actor.by && (!record.issuer || !actor.issuer || record.issuer === actor.issuer);
const who = (a: Actor) => ({ by: a.by, ...(a.name ? { name: a.name } : {}), ...(a.issuer ? { issuer: a.issuer } : {}) });
const encode = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
const present = (e: KvEntry | null): e is KvEntry => e !== null && e.operation === 'PUT';

/**
 * Policy revisions with two-person review, over a NATS KV bucket (server 2.9 features only).
 *
 * Rollback needs no second person: it can only restore a revision that already passed two-person
 * review, and it is used when the live revision is hurting customers, where waiting for a reviewer
 * is the larger risk. It is audited like every other change (who, when, from → to, note).
 */
export class PolicyStore {
  readonly #kvm: Kvm;
  readonly #bucket: string;
  readonly #now: () => Date;
  readonly #history: number;
  readonly #bindOnly: boolean;
  readonly #signer: RecordSigner | undefined;
  readonly #verifier: RecordVerifier | undefined;
  #kv: Promise<KV> | undefined;

  constructor(nc: NatsConnection | JetStreamClient, bucket: string, o: PolicyStoreOptions = {}) {
    this.#kvm = new Kvm(nc);
    this.#bucket = bucket;
    this.#now = o.now ?? (() => new Date());
    this.#history = o.history ?? 5;
    this.#bindOnly = o.bindOnly ?? false;
    this.#signer = o.signer;
    this.#verifier = o.verifier;
  }

  /** The record as stored: signed when this store has a signer (a stale signature is never kept). */
  #encode(kind: RecordKind, record: object): Uint8Array {
    const { signature: _old, ...rest } = record as { signature?: unknown };
    const signed = this.#signer ? { ...rest, signature: { by: this.#signer.identity, sig: this.#signer.sign(recordBytes(kind, rest)) } } : rest;
    return encode(signed);
  }

  /** Connects to NATS and opens the store; the CLI's entry point. */
  static async connect(url: string, bucket: string): Promise<{ store: PolicyStore; close: () => Promise<void> }> {
    let nc: NatsConnection;
    try {
      nc = await connect({ servers: url, name: 'handrail-policy', timeout: 5_000 });
    } catch (err) {
      throw new UnavailableError(`cannot reach NATS at ${url}: ${(err as Error).message}`, err);
    }
    return { store: new PolicyStore(nc, bucket), close: () => nc.drain() };
  }

  get bucket(): string {
    return this.#bucket;
  }

  #open(): Promise<KV> {
    this.#kv ??= (this.#bindOnly ? this.#kvm.open(this.#bucket) : this.#kvm.create(this.#bucket, { history: this.#history })).catch((err: unknown) => {
      this.#kv = undefined;
      throw new UnavailableError(`cannot open policy bucket ${this.#bucket}: ${(err as Error).message}`, err);
    });
    return this.#kv;
  }

  async #entry(rev: string): Promise<{ record: PolicyRevision; version: number } | undefined> {
    if (!REV_ID.test(rev)) return undefined;
    const e = await (await this.#open()).get(revKey(rev));
    return present(e) ? { record: e.json<PolicyRevision>(), version: e.revision } : undefined;
  }

  async #pointer(): Promise<{ pointer: ActivePointer; version: number } | undefined> {
    const e = await (await this.#open()).get(ACTIVE);
    return present(e) ? { pointer: e.json<ActivePointer>(), version: e.revision } : undefined;
  }

  async #audit(a: Omit<AuditRecord, 'at'>, at: Date): Promise<void> {
    const key = `audit.${String(at.getTime()).padStart(15, '0')}.${randomBytes(4).toString('hex')}`;
    await (await this.#open()).create(key, this.#encode('audit', { ...a, at: at.toISOString() } satisfies AuditRecord));
  }

  async #saveRecord(record: PolicyRevision, version: number | undefined): Promise<void> {
    const kv = await this.#open();
    try {
      if (version === undefined) await kv.create(revKey(record.rev), this.#encode('revision', record));
      else await kv.update(revKey(record.rev), this.#encode('revision', record), version);
    } catch (err) {
      throw new HandrailError('failed_precondition', `revision ${record.rev} changed concurrently; retry`, [], { cause: err });
    }
  }

  /** Compare-and-set of the pointer, retried: the revision record is already decided, so the pointer must follow. */
  async #setActive(rev: string, by: string, via: ActivePointer['via'], at: Date): Promise<string | null> {
    const kv = await this.#open();
    const next: ActivePointer = { rev, by, via, since: at.toISOString() };
    let lastError: unknown;
    for (let attempt = 0; attempt < 5; attempt++) {
      const current = await this.#pointer();
      try {
        if (current) await kv.update(ACTIVE, this.#encode('pointer', next), current.version);
        else await kv.create(ACTIVE, this.#encode('pointer', next));
        return current?.pointer.rev ?? null;
      } catch (err) {
        lastError = err;
      }
    }
    throw new HandrailError('failed_precondition', 'the active policy kept changing concurrently; retry', [], { cause: lastError });
  }

  async #require(rev: string): Promise<{ record: PolicyRevision; version: number }> {
    const found = await this.#entry(rev);
    if (!found) throw new NotFoundError(`no policy revision ${rev} in ${this.#bucket}`);
    return found;
  }

  /** Stores a pack for review and returns its revision id. Proposing an existing pack again is a no-op. */
  async propose(pack: PolicyPack, actor: Actor, o: { impact?: PolicyImpact | undefined } = {}): Promise<string> {
    const valid = validatePack(pack, 'proposed pack');
    const rev = policyRevisionId(valid);
    const at = this.#now();
    const existing = await this.#entry(rev);
    if (existing && existing.record.status !== 'rejected') return rev;
    const record: PolicyRevision = {
      rev,
      pack: valid,
      status: 'proposed',
      note: actor.note ?? '',
      proposedBy: actor.by,
      ...(actor.name ? { proposedByName: actor.name } : {}),
      ...(actor.issuer ? { proposedByIssuer: actor.issuer } : {}),
      proposedAt: at.toISOString(),
      ...(o.impact ? { impact: o.impact } : {}),
    };
    await this.#saveRecord(record, existing?.version);
    const active = (await this.#pointer())?.pointer.rev ?? null;
    await this.#audit({ ...who(actor), action: 'propose', rev, from: active, to: active, note: record.note }, at);
    return rev;
  }

  /** A second person approves a proposal; it becomes the active revision at once. */
  async approve(rev: string, actor: Actor): Promise<PolicyRevision> {
    const { record, version } = await this.#require(rev);
    if (record.status !== 'proposed') {
      throw new HandrailError('failed_precondition', `revision ${rev} is ${record.status}, only a proposed revision can be approved`);
    }
    // The same verified identity is not a second person, whatever name it goes by.
    if (samePerson({ by: record.proposedBy, issuer: record.proposedByIssuer }, actor)) {
      throw new PermissionDeniedError(`self-approval refused: ${actor.name ?? actor.by} proposed ${rev}; a second person must approve it`);
    }
    // Rules may have tightened since the proposal; an approved pack must pass today's rules.
    validatePack(record.pack, `revision ${rev}`);
    const at = this.#now();
    const approved: PolicyRevision = { ...record, status: 'approved', decidedBy: actor.by, ...(actor.name ? { decidedByName: actor.name } : {}), decidedAt: at.toISOString() };
    await this.#saveRecord(approved, version);
    const from = await this.#setActive(rev, actor.by, 'approve', at);
    await this.#audit({ ...who(actor), action: 'approve', rev, from, to: rev, note: actor.note ?? '' }, at);
    await this.#endShadowOf(rev, actor, 'the proposal was approved', at);
    return approved;
  }

  async reject(rev: string, actor: Actor): Promise<PolicyRevision> {
    const { record, version } = await this.#require(rev);
    if (record.status !== 'proposed') {
      throw new HandrailError('failed_precondition', `revision ${rev} is ${record.status}, only a proposed revision can be rejected`);
    }
    const at = this.#now();
    const rejected: PolicyRevision = { ...record, status: 'rejected', decidedBy: actor.by, ...(actor.name ? { decidedByName: actor.name } : {}), decidedAt: at.toISOString() };
    await this.#saveRecord(rejected, version);
    const active = (await this.#pointer())?.pointer.rev ?? null;
    await this.#audit({ ...who(actor), action: 'reject', rev, from: active, to: active, note: actor.note ?? '' }, at);
    await this.#endShadowOf(rev, actor, 'the proposal was rejected', at);
    return rejected;
  }

  /** Makes an earlier approved revision active again (see the class comment on who may do it). */
  async rollback(rev: string, actor: Actor): Promise<ActiveRevision> {
    const { record } = await this.#require(rev);
    if (record.status !== 'approved') {
      throw new HandrailError('failed_precondition', `revision ${rev} is ${record.status}; rollback only restores a revision that was approved`);
    }
    const current = await this.#pointer();
    if (current?.pointer.rev === rev) {
      throw new HandrailError('failed_precondition', `revision ${rev} is already active`);
    }
    const at = this.#now();
    const from = await this.#setActive(rev, actor.by, 'rollback', at);
    await this.#audit({ ...who(actor), action: 'rollback', rev, from, to: rev, note: actor.note ?? '' }, at);
    return { ...record, active: { rev, by: actor.by, via: 'rollback', since: at.toISOString() } };
  }

  /** The shadow setting, or undefined when shadow mode is off. */
  async shadow(): Promise<ShadowSetting | undefined> {
    const e = await (await this.#open()).get(SHADOW);
    return present(e) && e.value.length > 0 ? e.json<ShadowSetting>() : undefined;
  }

  /**
   * Shadow mode on for a proposal: the shadow service decides every received ticket under it too, and
   * records that decision on the shadow stream only. Only a proposal (not live, not decided) can be
   * shadowed; the live revision already decides. Replaces any earlier setting. Audited.
   */
  async startShadow(rev: string, kb: string, actor: Actor): Promise<ShadowSetting> {
    const { record } = await this.#require(rev);
    if (record.status !== 'proposed') throw new HandrailError('failed_precondition', `revision ${rev} is ${record.status}; only a proposed revision can be shadowed`);
    if (kb && !KB_REV.test(kb)) throw new HandrailError('invalid_argument', `kb must be a KB revision id (${KB_REV.source}), got ${JSON.stringify(kb)}`);
    const at = this.#now();
    const setting: ShadowSetting = { rev, kb, ...who(actor), since: at.toISOString(), note: actor.note ?? '' };
    await (await this.#open()).put(SHADOW, this.#encode('shadow', setting));
    const active = (await this.#pointer())?.pointer.rev ?? null;
    await this.#audit({ ...who(actor), action: 'shadow_on', rev, from: active, to: active, note: `${kb ? `KB ${kb}; ` : ''}${actor.note ?? ''}`.replace(/; $/, '') }, at);
    return setting;
  }

  /** Shadow mode off; returns the setting it ended (undefined when it was off already, which is not audited). */
  async stopShadow(actor: Actor): Promise<ShadowSetting | undefined> {
    return this.#endShadowOf(undefined, actor, actor.note ?? '', this.#now());
  }

  async #endShadowOf(rev: string | undefined, actor: Actor, note: string, at: Date): Promise<ShadowSetting | undefined> {
    const current = await this.shadow();
    if (!current || (rev !== undefined && current.rev !== rev)) return undefined;
    await (await this.#open()).delete(SHADOW);
    const active = (await this.#pointer())?.pointer.rev ?? null;
    await this.#audit({ ...who(actor), action: 'shadow_off', rev: current.rev, from: active, to: active, note }, at);
    return current;
  }

  /** Calls `cb` with the shadow setting now and after every change (undefined: off). */
  async watchShadow(cb: (s: ShadowSetting | undefined) => void, onError: (err: unknown) => void = () => undefined): Promise<() => Promise<void>> {
    const kv = await this.#open();
    if (!(await kv.get(SHADOW))) cb(undefined);
    const watch = await kv.watch({ key: SHADOW });
    const loop = (async () => {
      for await (const e of watch) {
        try {
          cb(e.operation === 'PUT' && e.value.length > 0 ? e.json<ShadowSetting>() : undefined);
        } catch (err) {
          onError(err);
        }
      }
    })();
    return async () => {
      watch.stop();
      await loop;
    };
  }

  /** The revision services should apply now, or undefined when nothing was ever approved. */
  async active(): Promise<ActiveRevision | undefined> {
    const current = await this.#pointer();
    if (!current) return undefined;
    const found = await this.#entry(current.pointer.rev);
    return found ? { ...found.record, active: current.pointer } : undefined;
  }

  async get(rev: string): Promise<PolicyRevision | undefined> {
    return (await this.#entry(rev))?.record;
  }

  /** Every stored revision, newest proposal first. */
  async list(): Promise<PolicyRevision[]> {
    const kv = await this.#open();
    const out: PolicyRevision[] = [];
    for await (const key of await kv.keys('rev.>')) {
      const e = await kv.get(key);
      if (present(e)) out.push(e.json<PolicyRevision>());
    }
    return out.sort((a, b) => b.proposedAt.localeCompare(a.proposedAt));
  }

  /** The audit trail, oldest first. */
  async history(): Promise<AuditRecord[]> {
    const kv = await this.#open();
    const keys: string[] = [];
    for await (const key of await kv.keys('audit.>')) keys.push(key);
    keys.sort();
    const out: AuditRecord[] = [];
    for (const key of keys) {
      const e = await kv.get(key);
      if (present(e)) out.push(e.json<AuditRecord>());
    }
    return out;
  }

  /**
   * Why services must not apply the revision the pointer names (issue 11: a KV put once pointed
   * `active` at a rejected revision and every service applied it), or undefined when it is sound: the
   * revision is approved by someone other than its proposer, its pack validates and hashes to its id,
   * the pointer agrees with the approval, and the audit trail records that approval or rollback.
   */
  async integrityProblem(a: ActiveRevision): Promise<string | undefined> {
    const r = a;
    if (r.status !== 'approved') return `revision ${r.rev} is ${r.status}, not approved`;
    if (!r.decidedBy || !r.decidedAt) return `revision ${r.rev} has no approval record`;
    if (samePerson({ by: r.decidedBy }, { by: r.proposedBy, ...(r.proposedByIssuer ? { issuer: r.proposedByIssuer } : {}) })) return `revision ${r.rev} was approved by its own proposer`;
    try {
      validatePack(r.pack, `revision ${r.rev}`);
    } catch (err) {
      return `revision ${r.rev} does not validate: ${(err as Error).message}`;
    }
    if (policyRevisionId(r.pack) !== r.rev) return `revision ${r.rev} holds a pack whose content hash is ${policyRevisionId(r.pack)}`;
    if (a.active.rev !== r.rev) return `pointer names ${a.active.rev}, record is ${r.rev}`;
    if (a.active.via === 'approve' && a.active.by !== r.decidedBy) return `pointer says ${a.active.by} approved ${r.rev}, the record says ${r.decidedBy}`;
    if (a.active.via !== 'approve' && a.active.via !== 'rollback') return `pointer moved by an unknown action`;
    const verifier = this.#verifier;
    const audits = (await this.history()).filter((h) => h.rev === r.rev && h.to === r.rev && (h.action === 'approve' || h.action === 'rollback') && h.by === a.active.by);
    if (audits.length === 0) return `no audit record of ${a.active.by} making ${r.rev} active`;
    if (verifier) {
      // Issue 15: the records themselves are signed by a policy writer, so a bucket write by anyone
      // else (or an edit after signing) is refused even when every field looks right.
      const { active, ...record } = a;
      const problem = signatureProblem('revision', record, verifier) ?? signatureProblem('pointer', active, verifier);
      if (problem) return `revision ${r.rev}: ${problem}`;
      if (!audits.some((h) => signatureProblem('audit', h, verifier) === undefined)) return `revision ${r.rev}: no signed audit record of ${a.active.by} making it active`;
    }
    return undefined;
  }

  /**
   * Calls `cb` with the active revision now (if any) and after every change, so services apply a
   * new revision without a restart. Returns a function that stops watching.
   */
  async watchActive(cb: (active: ActiveRevision) => void, onError: (err: unknown) => void = () => undefined): Promise<() => Promise<void>> {
    const kv = await this.#open();
    const watch = await kv.watch({ key: ACTIVE });
    const loop = (async () => {
      for await (const e of watch) {
        if (e.operation !== 'PUT') continue;
        try {
          const pointer = e.json<ActivePointer>();
          const found = await this.#entry(pointer.rev);
          if (found) cb({ ...found.record, active: pointer });
        } catch (err) {
          onError(err);
        }
      }
    })();
    return async () => {
      watch.stop();
      await loop;
    };
  }

  /** Deletes the bucket and everything in it; for tests. */
  async destroy(): Promise<void> {
    await (await this.#open()).destroy();
    this.#kv = undefined;
  }
}
