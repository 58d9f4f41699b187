import type { AddressInfo } from 'node:net';
import { DeliverPolicy } from '@nats-io/jetstream';
import { randomBytes } from 'node:crypto';
import type { EventEnvelope, Revisions } from '@handrail/contracts';
import { ack, backoffMs, DLQ_HEADERS, HEADER_TICKET, readStream, retry, scanStream, type Bus, type Follower } from '@handrail/bus';
import { LRUCache } from 'lru-cache';
import { cutCheckpoint } from '@handrail/audit';
import type { BaseConfig } from '@handrail/config';
import { HandrailError, normalizeError, NotFoundError, ValidationError } from '@handrail/errors';
import { AI_ACTION, AREA, CONSUMERS, newEvent, type PayloadCase, type PayloadOf } from '@handrail/events';
import { createOidcClient, createVerifier } from '@handrail/identity';
import { checkPolicy, PolicyError, PolicyStore, slaMinutesFor, storeWriter, type PolicyChangeResult } from '@handrail/policy';
import type { Logger } from '@handrail/observability';
import { kbRevisions, liveKnowledgeBase, livePolicy, type ServiceContext, type ServiceDefinition } from '@handrail/runtime';
import { applyEvent, emptyProjection, explainTimeline, renderWeeklyHtml, weeklyReport, type AlertView, type AutomationChangeView, type CalibrationView, type TicketView, type WeekReport } from '@handrail/projection';
import { calibrationReport } from '@handrail/qa';
import { automationChanges, calibrationSessions, concludedTickets, firstTextSeq, openProjectionDb, projectionPositions, reportState, sqlQueues, startProjector, waitForPosition, type RunningProjector } from '@handrail/sql-projection';
import { LoopState, planRestore, qaOverview, type QaOverview } from '@handrail/quality';
import type { AuthOptions } from './auth.js';
import { consoleConfigSchema } from './config.js';
import {
  actorKey,
  ChecksFailedError,
  defectTaxonomy,
  ForbiddenError,
  personOf,
  planClaim,
  planDecision,
  planReview,
  replyForDecision,
  requirePermission,
  type Actor,
} from './domain/index.js';
import { createConsoleServer, type ConsoleBackend } from './http.js';

export const VERSION = '0.2.0';

/** Lets a test (or the launcher) learn the port when `CONSOLE_PORT=0`. */
export interface ConsoleHandle {
  onListening?: (port: number) => void;
}

/** Refusals and changes that belong to no ticket are filed under this id (e.g. policy actions). */
export const POLICY_TIMELINE = 'policy';
/** The QA loop's events that belong to no ticket (issue 13). */
export const AUTOMATION_TIMELINE = 'automation';
export const CALIBRATION_TIMELINE = 'calibration';
export const CONSOLE_TIMELINE = 'console';

/** Events that belong to no ticket's view: open pages need not hear of them. */
const NOT_TICKETS = new Set(['automationChanged', 'qaAlert', 'calibration', 'policyChanged']);

/**
 * Tells `notify` the ticket of each message stored on `stream` from now on (its ticket header): open pages
 * re-read what changed. Nothing is kept and nothing decoded; what they re-read is authenticated then.
 */
async function notifyFrom(bus: Bus, stream: string, filter: string, notify: (ticketId: string) => void, log: Logger): Promise<Follower> {
  const from = (await bus.jsm.streams.info(stream)).state.last_seq;
  const stop = new AbortController();
  const done = (async () => {
    for await (const m of scanStream(bus, stream, { filter, afterSeq: from, follow: true, signal: stop.signal })) {
      if (stop.signal.aborted) break;
      const id = m.headers[HEADER_TICKET];
      if (id) notify(id);
    }
  })().catch((err: unknown) => log.error({ err, stream }, 'live-update follower stopped'));
  return {
    caughtUp: Promise.resolve(),
    stop: async () => {
      stop.abort();
      await done;
    },
  };
}

/** Follows signed erasure records on the audit stream; anything not signed by `privacy` is ignored. */
async function followAudit(bus: Bus, stream: string, subject: string, onErased: (customerId: string) => void, log: Logger, trust: ServiceContext<BaseConfig>['trust']): Promise<Follower> {
  const info = await bus.jsm.streams.info(stream, { subjects_filter: subject });
  let markCaughtUp: () => void = () => undefined;
  const caughtUp = new Promise<void>((resolve) => (markCaughtUp = resolve));
  if ((info.state.subjects?.[subject] ?? 0) === 0) markCaughtUp();
  const oc = await bus.js.consumers.get(stream, { filter_subjects: subject, deliver_policy: DeliverPolicy.All });
  const messages = await oc.consume();
  const done = (async () => {
    for await (const m of messages) {
      const v = trust.verifier.verifyAudit('erasure', m.subject, m.data, (n) => (m.headers?.has(n) ? m.headers.get(n) : undefined));
      if (!v.ok) log.error({ alert: 'unauthenticated_erasure', seq: m.seq, reason: v.reason }, 'ignored an erasure record that is not authentic');
      else {
        try {
          const rec = JSON.parse(new TextDecoder().decode(m.data)) as { customerId?: unknown };
          if (typeof rec.customerId === 'string') onErased(rec.customerId);
        } catch {
          log.warn({ seq: m.seq }, 'unreadable erasure record');
        }
      }
      if (m.info.pending === 0) markCaughtUp();
    }
  })().catch((err: unknown) => log.error({ err, stream }, 'audit follower stopped'));
  return {
    caughtUp,
    stop: async () => {
      await messages.close();
      await done;
    },
  };
}

export function consoleService(env?: Record<string, string | undefined>, handle: ConsoleHandle = {}): ServiceDefinition<typeof consoleConfigSchema> {
  return {
    name: 'console',
    version: VERSION,
    configSchema: consoleConfigSchema,
    env,
    async start(ctx) {
      const { bus, topo, publisher, producer, log, config } = ctx;
      const policy = await livePolicy(bus, topo, config.POLICY_FILE, log, ctx.trust.verifier.policyRecords());
      const kb = await liveKnowledgeBase(bus, topo, config.KB_DIR, log);
      // The console is the policy API people use: what it writes is signed with its identity's key (issue 15).
      const store = new PolicyStore(bus.nc, topo.buckets.policy, { signer: ctx.trust.recordSigner, verifier: ctx.trust.verifier.policyRecords() });
      const listeners = new Set<(ticketId: string) => void>();
      const notify = (ticketId: string) => {
        for (const l of listeners) l(ticketId);
      };
      // When each person first opened each ticket: the start of their review clock (automation-bias alarm).
      const opened = new Map<string, number>();
      const openedKey = (id: string, actor: Actor) => `${actorKey(actor)}|${id}`;
      const reviewMsOf = (id: string, actor: Actor) => {
        const at = opened.get(openedKey(id, actor));
        return at === undefined ? 0 : Date.now() - at;
      };
      let ready = false;
      // Everything the console reads comes from the SQL projection (issue 15) or a ticket's own events: the
      // projector service's database, or — with no DATABASE_URL (make demo, tests) — the same engine run here on
      // embedded PGlite. Both migrate (node-pg-migrate locks on a server), so the console and the projector start in any order.
      const { db: sql } = await openProjectionDb({ url: config.DATABASE_URL });
      const followers: Follower[] = [];
      let engine: RunningProjector | undefined;
      if (!config.DATABASE_URL) {
        engine = await startProjector(bus, topo, sql, (m) => ctx.trust.readEvent(m), log, {
          // The lists change once SQL has the event: tell the open pages then.
          onApplied: (_seq, e) => {
            if (e && !NOT_TICKETS.has(e.payload?.$case ?? '')) notify(e.ticketId);
          },
        });
      } else {
        // The projector service writes SQL: open pages hear of new events as they are stored.
        followers.push(await notifyFrom(bus, topo.streams.events, topo.subjects.allEvents(), notify, log));
      }
      // A reply that went out changes the ticket view ("reply sent").
      followers.push(await notifyFrom(bus, topo.streams.outbound, topo.subjects.allOutbound(), notify, log));
      log.info({ database: config.DATABASE_URL ? 'postgres' : 'embedded' }, 'the console reads the SQL projection');
      // The customer's subject line, for the lists: never in SQL, so opened from the ticket's first event and kept a while.
      const subjects = new LRUCache<string, { customerId: string; subject: string }>({ max: config.CONSOLE_SUBJECT_CACHE });
      // An erasure blanks the customer's text here at once (their keys are already gone: re-opening reads `[erased]`).
      const erasures = await followAudit(bus, topo.streams.audit, topo.subjects.audit('erasure'), (customerId) => {
        let n = 0;
        for (const [id, v] of subjects.entries()) {
          if (v.customerId !== customerId) continue;
          subjects.delete(id);
          n++;
        }
        log.info({ customerId, cached: n }, 'customer erased: their subject lines dropped from the console\'s cache');
      }, log, ctx.trust);
      followers.push(erasures);
      await Promise.all([...followers.map((f) => f.caughtUp), engine?.caughtUp]);
      log.info({ position: await projectionPositions(sql) }, 'the SQL projection has caught up with the retained streams');
      ready = true;

      const verifier = createVerifier({
        issuer: config.AUTH_ISSUER,
        audience: config.AUTH_AUDIENCE,
        jwksUrl: config.AUTH_JWKS_URL,
        rolesClaim: config.AUTH_ROLES_CLAIM,
        groupsClaim: config.AUTH_GROUPS_CLAIM,
        clockToleranceSec: config.AUTH_CLOCK_TOLERANCE_S,
      });
      const auth: AuthOptions = { verifier, secureCookies: (config.CONSOLE_PUBLIC_URL ?? '').startsWith('https:') };

      const revisionsOf = (t: TicketView) => t.revisions;
      /** A ticket's events as stored, authenticated and opened (erased text reads `[erased]`). */
      const authenticTimeline = async (id: string): Promise<EventEnvelope[]> => {
        const out: EventEnvelope[] = [];
        for (const m of await readStream(bus, topo.streams.events, topo.subjects.ticketTimeline(id), { idleMs: 500 })) {
          const r = await ctx.trust.readEvent({ subject: m.subject, data: m.data, header: (n) => m.headers[n] });
          if (r.ok) out.push(r.env);
        }
        return out;
      };
      /** The reply that went out for a ticket: on the outbound stream, under the ticket's connector. */
      const replyOf = async (t: TicketView): Promise<EventEnvelope | undefined> => {
        if (!t.connector || t.connector === 'seed') return undefined;
        const subject = topo.subjects.outbound(t.connector);
        // Nothing under the subject: skip the read (an empty read waits out its fetch).
        const info = await bus.jsm.streams.info(topo.streams.outbound, { subjects_filter: subject });
        if ((info.state.subjects?.[subject] ?? 0) === 0) return undefined;
        const ms = (await readStream(bus, topo.streams.outbound, subject, { idleMs: 500 })).filter((m) => m.headers[HEADER_TICKET] === t.ticketId);
        const last = ms.at(-1);
        if (!last) return undefined;
        const r = await ctx.trust.readEvent({ subject: last.subject, data: last.data, header: (n) => last.headers[n] });
        return r.ok && r.env.ticketId === t.ticketId ? r.env : undefined;
      };
      /** One ticket as people act on it, folded from its own events and its outbound reply (no whole-stream memory). */
      const ticketPage = async (id: string): Promise<{ ticket: TicketView | undefined; events: EventEnvelope[] }> => {
        const events = await authenticTimeline(id);
        const local = emptyProjection();
        for (const e of events) applyEvent(local, e);
        const t = local.tickets.get(id);
        if (!t) return { ticket: undefined, events };
        // The outbound reply lives on its own stream: part of the view and of the timeline.
        const reply = await replyOf(t);
        if (reply) {
          applyEvent(local, reply);
          events.push(reply);
        }
        return { ticket: local.tickets.get(id), events: events.sort((a, b) => a.time.localeCompare(b.time)) };
      };
      const ticketView = async (id: string): Promise<TicketView | undefined> => (await ticketPage(id)).ticket;
      const ticketWithConclusion = async (id: string): Promise<TicketView | undefined> => {
        const t = await ticketView(id);
        return t?.route ? t : undefined;
      };
      /** The subject line of each listed ticket: from the cache, else from its received (or seeded) event, fetched by its sequence. */
      const subjectOf = async (id: string): Promise<string> => {
        const hit = subjects.get(id);
        if (hit) return hit.subject;
        const seq = await firstTextSeq(sql, id);
        if (seq === undefined) return '';
        const m = await bus.jsm.streams.getMessage(topo.streams.events, { seq }).catch(() => null);
        if (!m) return '';
        const r = await ctx.trust.readEvent({ subject: m.subject, data: m.data, header: (n) => (m.header.has(n) ? m.header.get(n) : undefined) });
        if (!r.ok || r.env.ticketId !== id) return '';
        const p = r.env.payload;
        const subject = p?.$case === 'received' ? (p.value.ticket?.subject ?? '') : p?.$case === 'qaSeeded' ? p.value.subject : '';
        subjects.set(id, { customerId: r.env.customerId, subject });
        return subject;
      };
      const uniq = () => randomBytes(6).toString('hex');
      /** Publishes a person's action on a ticket's timeline (or the policy's); answers once SQL holds it. */
      const publishOn = async <C extends PayloadCase>(t: TicketView | undefined, ticketId: string, e: { kind: C; value: PayloadOf<C>; idSuffix?: string; revisions?: Partial<Revisions> }) => {
        const env = newEvent({
          kind: e.kind,
          value: e.value,
          idSuffix: e.idSuffix,
          ticketId,
          producer,
          correlationId: t?.correlationId || undefined,
          revisions: e.revisions ?? (t ? revisionsOf(t) : { policy: policy.current().revision }),
          // The customer's key seals any text the action carries (issue 11: erasure by crypto-shredding).
          customerId: t?.customerId || undefined,
        });
        const ackd = await publisher.publish(env);
        // Read-your-writes: answer once the projection holds this event, so the next list shows it.
        if (!(await waitForPosition(sql, ackd.seq, { timeoutMs: 5_000 }))) log.warn({ seq: ackd.seq, ticketId }, 'the SQL projection lags: answering before it holds this action');
        return { env, duplicate: ackd.duplicate };
      };
      /**
       * The weekly report and the QA overview, computed from the SQL projection (issue 15). Only the results
       * are kept — never the ticket views they were computed from — until the projection moves, the live
       * policy changes or a minute passes (open tickets breach their SLA with time alone).
       */
      let report: { key: string; value: Promise<{ weeks: WeekReport[]; overview: QaOverview; alerts: AlertView[]; changes: AutomationChangeView[]; calibrations: CalibrationView[] }> } | undefined;
      const reportNow = async () => {
        const { pack, revision } = policy.current();
        const key = `${await projectionPositions(sql)}|${revision}|${Math.floor(Date.now() / 60_000)}`;
        if (report?.key !== key) {
          const value = reportState(sql).then(({ state: s, automationEvents }) => {
            const l = new LoopState();
            for (const e of automationEvents) l.apply(e);
            return {
              weeks: weeklyReport(s.tickets.values(), { slaMinutes: (q) => slaMinutesFor(pack.sla, q), categories: defectTaxonomy(pack) }),
              overview: qaOverview(s.tickets.values(), pack, l),
              alerts: s.alerts,
              changes: s.automation,
              calibrations: [...s.calibrations.values()],
            };
          });
          report = { key, value };
          value.catch(() => {
            if (report?.value === value) report = undefined;
          });
        }
        return report.value;
      };
      /** The QA loop's automation state (demotions, stopped pilots), folded from the changes SQL holds. */
      const loopNow = async () => {
        const l = new LoopState();
        for (const e of (await automationChanges(sql)).events) l.apply(e);
        return l;
      };
      /** A calibration session with its agreement per category and the items reviewers split on. */
      const calibrationOf = async (id: string) => {
        const { state: r } = await reportState(sql);
        const session = r.calibrations.get(id);
        if (!session) throw new NotFoundError(`no calibration session ${id}`);
        const items = session.ticketIds.map((tid) => ({ ticketId: tid, reviews: (r.tickets.get(tid)?.reviews ?? []).filter((x) => x.session === id) }));
        return { session, agreement: calibrationReport(items, defectTaxonomy(policy.current().pack)), reviewed: items.map((i) => ({ ticketId: i.ticketId, reviewers: i.reviews.map((r) => r.reviewerName) })) };
      };
      const policyChanged = async (actor: Actor, r: PolicyChangeResult, action: 'propose' | 'approve' | 'reject' | 'rollback', note: string, proposedBy = '') => {
        await publishOn(undefined, POLICY_TIMELINE, {
          kind: 'policyChanged',
          value: { action, rev: r.rev, person: personOf(actor), fromRev: r.from ?? '', toRev: r.to ?? '', note, proposedBy },
          idSuffix: `${action}-${r.rev}-${uniq()}`,
        });
      };

      const backend: ConsoleBackend = {
        // An in-process projection that stopped (a database error) leaves the lists behind: not ready, so it is restarted.
        ready: () => ready && !engine?.failure(),
        access: () => policy.current().pack.access,
        pack: () => policy.current().pack,
        slaMinutes: (q) => slaMinutesFor(policy.current().pack.sla, q),
        // The subject line is the customer's text, never in SQL: it comes from the ticket's own events.
        queues: (viewer, filter) => sqlQueues(sql, { viewer, slaMinutes: (q) => slaMinutesFor(policy.current().pack.sla, q), filter, subjectOf }),
        ticket: (id) => ticketView(id),
        async deadLetters() {
          return (await readStream(bus, topo.streams.deadLetter, topo.subjects.allDeadLetters(), { idleMs: 300 }))
            .filter((m) => m.subject !== `${topo.prefix}.dlq.replayed`)
            .map((m) => ({
              seq: m.seq,
              stage: m.headers[DLQ_HEADERS.stage] ?? '',
              subject: m.headers[DLQ_HEADERS.subject] ?? '',
              ticketId: m.headers['Handrail-Ticket'] ?? '',
              reason: m.headers[DLQ_HEADERS.reason] ?? '',
              deliveries: m.headers[DLQ_HEADERS.deliveries] ?? '',
            }));
        },
        async page(id) {
          const { ticket, events } = await ticketPage(id);
          return ticket ? { ticket, timeline: explainTimeline(events) } : undefined;
        },
        async decide(id, actor, req) {
          const t = await ticketView(id);
          const { pack } = policy.current();
          let plan;
          try {
            plan = planDecision(t, actor, req, { pack, kb: kb.current().kb, reviewMs: reviewMsOf(id, actor) });
          } catch (err) {
            // A refused reply is part of the record: who tried to send what, and which checks stopped it.
            if (err instanceof ChecksFailedError && t) {
              await publishOn(t, id, {
                kind: 'replyBlocked',
                value: { ticketId: id, person: personOf(actor), action: req.action, text: req.action === 'approve' ? (t.draft?.text ?? '') : req.text, failures: [...err.failures] },
                idSuffix: uniq(),
              });
              log.info({ ticketId: id, action: req.action, actor: actor.subject, failed: err.failures.map((f) => f.code) }, 'reply blocked by checks');
            }
            throw err;
          }
          if (!t) return undefined;
          // One decision per ticket, across replicas too: the id is the ticket's, so JetStream
          // reports a second one as a duplicate even before this replica has seen the first.
          const { duplicate } = await publishOn(t, id, { kind: 'humanDecision', value: plan.decision, revisions: { ...revisionsOf(t), policy: policy.current().revision, kb: kb.current().revision } });
          if (duplicate) throw new HandrailError('already_exists', 'this ticket has already been decided');
          // The reply is sent by the decision consumer below, so a crash here cannot lose it.
          log.info({ ticketId: id, action: req.action, actor: actor.subject, override: Boolean(plan.decision.override) }, 'human decision recorded');
          return ticketView(id);
        },
        async review(id, actor, req) {
          const t = await ticketView(id);
          const value = planReview(t, actor, req, policy.current().pack, { reviewMs: reviewMsOf(id, actor), sessions: await calibrationSessions(sql) });
          if (!t) return undefined;
          const { duplicate } = await publishOn(t, id, { kind: 'qaReview', value, idSuffix: actorKey(actor) });
          if (duplicate) throw new HandrailError('already_exists', `${actor.name} has already reviewed this ticket`);
          log.info({ ticketId: id, reviewer: actor.subject, defects: value.defects }, 'QA review recorded');
          return ticketView(id);
        },
        async claim(id, actor, claim) {
          const t = await ticketView(id);
          const value = planClaim(t, actor, claim, policy.current().pack);
          if (!t) return undefined;
          // The claim's sequence is in its id: two people claiming at once publish the same id, one wins.
          const { duplicate } = await publishOn(t, id, { kind: 'claim', value, idSuffix: String(t.claims + 1) });
          if (duplicate) throw new HandrailError('already_exists', 'someone else changed the claim on this ticket just now; reload');
          return ticketView(id);
        },
        async denied(actor, err, ticketId) {
          // A refusal joins the ticket's timeline; policy refusals the policy's; the rest the console's own.
          const on = ticketId ?? (err.action.startsWith('policy.') ? POLICY_TIMELINE : CONSOLE_TIMELINE);
          const t = ticketId ? await ticketView(ticketId) : undefined;
          await publishOn(t, on, {
            kind: 'accessDenied',
            value: { ticketId: on, person: personOf(actor), action: err.action, permission: err.permission, resource: ticketId ?? err.action, detail: err.message },
            idSuffix: uniq(),
          });
          log.warn({ actor: actor.subject, action: err.action, permission: err.permission, ticketId }, 'action refused');
        },
        subscribe(cb) {
          listeners.add(cb);
          return () => listeners.delete(cb);
        },
        qa: {
          opened(id, actor) {
            const k = openedKey(id, actor);
            if (!opened.has(k)) opened.set(k, Date.now());
          },
          async overview() {
            const { pack } = policy.current();
            const r = await reportNow();
            return { ...r.overview, alerts: r.alerts, changes: r.changes, calibrations: r.calibrations, taxonomy: defectTaxonomy(pack), brandVoice: pack.tone.brand_voice };
          },
          async weekly() {
            return (await reportNow()).weeks;
          },
          async restore(areaName, actor, note) {
            const { pack } = policy.current();
            requirePermission(actor, 'automation.restore', 'automation.restore', pack.access);
            const area = AREA.parse(areaName);
            if (!area) throw new ValidationError([{ field: 'area', problem: `unknown area ${JSON.stringify(areaName)}` }]);
            const plan = planRestore(area, pack, await loopNow(), note);
            if ('nothing' in plan) throw new HandrailError('failed_precondition', plan.nothing);
            const { duplicate, env } = await publishOn(undefined, AUTOMATION_TIMELINE, { kind: 'automationChanged', value: { ...plan.change, person: personOf(actor) }, idSuffix: plan.idSuffix });
            if (duplicate) throw new HandrailError('already_exists', `automation in ${area} changed just now; reload`);
            log.warn({ area, actor: actor.subject, note }, 'automation restored by a person');
            return { restored: area, to: AI_ACTION.name(plan.change.maxAction), eventId: env.eventId };
          },
          async openCalibration(actor, req) {
            const { pack } = policy.current();
            requirePermission(actor, 'qa.calibrate', 'calibration.open', pack.access);
            const concluded = await concludedTickets(sql, req.ticketIds);
            const missing = req.ticketIds.find((id) => !concluded.has(id));
            if (missing) throw new ValidationError([{ field: 'ticketIds', problem: `ticket ${missing} does not exist or has not concluded` }]);
            const sessionId = `cal-${uniq()}`;
            await publishOn(undefined, CALIBRATION_TIMELINE, { kind: 'calibration', value: { sessionId, action: 'open', title: req.title, ticketIds: req.ticketIds, reviewers: req.reviewers, person: personOf(actor), outcome: '' }, idSuffix: `${sessionId}-open` });
            log.info({ sessionId, actor: actor.subject, items: req.ticketIds.length }, 'calibration session opened');
            return (await calibrationSessions(sql, sessionId)).get(sessionId);
          },
          async closeCalibration(actor, id, outcome) {
            const { pack } = policy.current();
            requirePermission(actor, 'qa.calibrate', 'calibration.close', pack.access);
            const session = (await calibrationSessions(sql, id)).get(id);
            if (!session) throw new NotFoundError(`no calibration session ${id}`);
            if (session.closedAt) throw new HandrailError('already_exists', `calibration session ${id} was closed by ${session.closedBy?.name ?? 'someone'}`);
            await publishOn(undefined, CALIBRATION_TIMELINE, { kind: 'calibration', value: { sessionId: id, action: 'close', title: session.title, ticketIds: [], reviewers: [], person: personOf(actor), outcome }, idSuffix: `${id}-close` });
            return calibrationOf(id);
          },
          calibration: (id) => calibrationOf(id),
          async weeklyHtml(week) {
            const { pack } = policy.current();
            const r = await reportNow();
            const weeks = r.weeks;
            const upTo = week ? weeks.filter((w) => w.week <= week) : weeks;
            const chosen = upTo.at(-1);
            if (week && chosen?.week !== week) throw new NotFoundError(`no tickets in ${week}`);
            return renderWeeklyHtml({ weeks: upTo, week: chosen, title: `${pack.name} weekly QA report`, generatedAt: new Date().toISOString(), loop: r.overview, alerts: r.alerts, changes: r.changes });
          },
        },
        policy: {
          async list() {
            return { active: (await store.active())?.rev ?? null, revisions: await store.list() };
          },
          history: () => store.history(),
          get: (rev) => store.get(rev),
          async propose(actor, yaml, file, note, impact) {
            requirePermission(actor, 'policy.propose', 'policy.propose', policy.current().pack.access);
            const checked = checkPolicy(yaml, file);
            if (!checked.pack) throw new PolicyError([...checked.errors, ...checked.warnings]);
            const r = await storeWriter(store, { by: actor.subject, name: actor.name, issuer: actor.issuer }).propose(checked.pack, { file, text: yaml }, note, impact);
            if (r.status === 'proposed' && (!r.proposedBy || r.proposedBy === actor.name)) await policyChanged(actor, r, 'propose', note);
            log.info({ actor: actor.subject, rev: r.rev }, 'policy revision proposed');
            return r;
          },
          async decide(actor, rev, action, note) {
            const access = policy.current().pack.access;
            requirePermission(actor, action === 'rollback' ? 'policy.rollback' : 'policy.approve', `policy.${action}`, access);
            const w = storeWriter(store, { by: actor.subject, name: actor.name, issuer: actor.issuer });
            const proposedBy = (await store.get(rev))?.proposedBy ?? '';
            let r: PolicyChangeResult;
            try {
              r = action === 'approve' ? await w.approve(rev, note) : action === 'reject' ? await w.reject(rev, note) : await w.rollback(rev, note);
            } catch (err) {
              // The store compares verified subjects: the proposer cannot approve under any name or with any token of theirs.
              if (normalizeError(err).code === 'permission_denied') throw new ForbiddenError('rule:two_person_rule', `policy.${action}`, (err as Error).message);
              throw err;
            }
            await policyChanged(actor, r, action, note, proposedBy);
            log.info({ actor: actor.subject, rev, action }, 'policy revision decided');
            return r;
          },
          shadow: () => store.shadow(),
          async setShadow(actor, rev, kbRev, note) {
            // Shadowing changes nothing customers see, but it is a policy action: whoever may propose may shadow.
            requirePermission(actor, 'policy.propose', rev === null ? 'policy.shadow_off' : 'policy.shadow', policy.current().pack.access);
            if (rev !== null && kbRev && kbRev !== kb.current().revision && !(await kbRevisions(bus, topo)).includes(kbRev)) {
              throw new ValidationError([{ field: 'kb', problem: `KB revision ${kbRev} is neither the published one (${kb.current().revision}) nor in the kb bucket's history` }]);
            }
            const r = await storeWriter(store, { by: actor.subject, name: actor.name, issuer: actor.issuer }).shadow(rev, kbRev, note);
            const active = (await store.active())?.rev ?? '';
            const ended = rev === null ? r.previous : undefined;
            if (r.shadow || ended) {
              const on = r.shadow ?? ended;
              await publishOn(undefined, POLICY_TIMELINE, {
                kind: 'policyChanged',
                value: { action: r.shadow ? 'shadow_on' : 'shadow_off', rev: on?.rev ?? '', person: personOf(actor), fromRev: active, toRev: active, note: `${on?.kb ? `KB ${on.kb}. ` : ''}${note}`.trim(), proposedBy: '' },
                idSuffix: `${r.shadow ? 'shadow_on' : 'shadow_off'}-${on?.rev ?? ''}-${uniq()}`,
              });
            }
            log.info({ actor: actor.subject, rev, kb: kbRev || undefined, on: Boolean(r.shadow) }, rev === null ? 'shadow mode stopped' : 'shadow mode started');
            return r;
          },
        },
      };

      // Sends the reply of each decision that sends one (approve, edit, take over). A durable consumer,
      // so a decision recorded just before a crash still gets its reply; the reply's id is the ticket's, so never two.
      // Through onEvent, so a forged decision is dead-lettered as unauthenticated and never sent (issue 11).
      await ctx.onEvent('humanDecision', CONSUMERS.console, async (decision, cause, d) => {
        {
          const reply = replyForDecision(decision);
          if (!reply) return ack();
          const t = await ticketWithConclusion(decision.ticketId);
          if (!t) return retry(backoffMs(d.deliveryCount), 'ticket not concluded yet');
          const env = newEvent({
            kind: 'outboundReply',
            value: { ticketId: t.ticketId, connector: t.connector, externalId: t.externalId, customerId: t.customerId, text: reply.text, citations: reply.citations },
            ticketId: t.ticketId,
            producer,
            cause,
          });
          await publisher.publish(env, { subject: topo.subjects.outbound(t.connector), traceContext: d.traceContext });
          return ack();
        }
      });

      // Periodic audit checkpoints; replicas race safely (only one chain is ever appended).
      const every = ctx.config.AUDIT_CHECKPOINT_INTERVAL_MS;
      const timer = every > 0
        ? setInterval(() => {
            cutCheckpoint(bus, topo, ctx.trust.verifier, (body, msgId, expect) => ctx.trust.publishAudit('checkpoint', body, msgId, expect)).catch((err: unknown) => log.error({ err }, 'audit checkpoint failed'));
          }, every)
        : undefined;

      const server = createConsoleServer(backend, auth, log);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.CONSOLE_PORT, config.CONSOLE_HOST, () => resolve());
      });
      const port = (server.address() as AddressInfo).port;
      const publicUrl = (config.CONSOLE_PUBLIC_URL ?? `http://${config.CONSOLE_HOST}:${port}`).replace(/\/+$/, '');
      if (config.AUTH_CLIENT_ID) {
        auth.oidc = createOidcClient({
          issuer: config.AUTH_ISSUER,
          clientId: config.AUTH_CLIENT_ID,
          clientSecret: config.AUTH_CLIENT_SECRET,
          redirectUri: `${publicUrl}/auth/callback`,
          scope: config.AUTH_SCOPE,
          audience: config.AUTH_SEND_AUDIENCE ? config.AUTH_AUDIENCE : undefined,
        });
      }
      handle.onListening?.(port);
      log.info({ port, host: config.CONSOLE_HOST, publicUrl, issuer: config.AUTH_ISSUER, browserSignIn: Boolean(auth.oidc) }, 'console listening');
      return {
        closers: [
          async () => {
            clearInterval(timer);
            ready = false;
            server.closeAllConnections();
            await new Promise<void>((resolve) => server.close(() => resolve()));
          },
          async () => {
            await Promise.all([...followers.map((f) => f.stop()), engine?.stop()]);
          },
          () => sql.close(),
          policy.close,
          kb.close,
        ],
        healthy: () => !engine?.failure(),
      };
    },
  };
}
