import { ack, retry, backoffMs } from '@handrail/bus';
import { Route, type Ticket } from '@handrail/contracts';
import { draftStage, handoffStage, passageTexts, semanticScorer, type LlmDrafting, type SemanticScorer } from '@handrail/decisions';
import { createEncoder, withStoredVectors } from '@handrail/encoder';
import { DEFAULT_PROMPT_TEMPLATE, promptTemplateProblems } from '@handrail/drafting';
import { ValidationError } from '@handrail/errors';
import { CONSUMERS } from '@handrail/events';
import { createLlmClient, llmConfigFromEnv, observedLlmClient } from '@handrail/llm';
import { defineService, liveKnowledgeBase, livePolicy } from '@handrail/runtime';
import { draftingConfigSchema } from './config.js';

export const VERSION = '0.1.0';
/** How draftStage records that the LLM drafter fell back (libs/decisions compose.ts). */
const LLM_FALLBACK = 'llm drafter fell back to templates: ';

export const draftingService = defineService({ name: 'drafting', version: VERSION, configSchema: draftingConfigSchema }, async (ctx) => {
  const kb = await liveKnowledgeBase(ctx.bus, ctx.topo, ctx.config.KB_DIR, ctx.log);
  const policy = await livePolicy(ctx.bus, ctx.topo, ctx.config.POLICY_FILE, ctx.log, ctx.trust.verifier.policyRecords());
  const llmConfig = llmConfigFromEnv(ctx.config);
  const llmClient = llmConfig ? observedLlmClient(createLlmClient(llmConfig), (result, s) => ctx.metrics.llmCall('draft', result, s)) : undefined;
  // The prompt is versioned with the policy pack; a bad one is refused at start-up, not per ticket.
  const llm = (): LlmDrafting | undefined => {
    if (!llmClient) return undefined;
    const promptTemplate = policy.current().pack.llm_prompt ?? DEFAULT_PROMPT_TEMPLATE;
    return { client: llmClient, promptTemplate };
  };
  const problems = llmClient ? promptTemplateProblems(llm()?.promptTemplate ?? DEFAULT_PROMPT_TEMPLATE) : [];
  if (problems.length > 0) throw new ValidationError(problems.map((p) => ({ field: 'llm_prompt', problem: p })));
  if (llmConfig) ctx.log.info({ model: llmConfig.model }, 'LLM drafter on');
  // The model loads once per process, in a worker thread: a load on this thread would hold up the
  // event loop (JetStream requests, gRPC in a shared process) for seconds. Awaited by the first
  // draft; passages are embedded once per article version and cached.
  const encoder = ctx.config.ANSWER_SEMANTIC === 'on' ? createEncoder({ threads: 1 }) : undefined;
  // One scorer per process, made when the model is in: concurrent first drafts share it and its vectors.
  // With ENCODER_STORE_DIR the current help centre's passages are read from disk when another process embedded them.
  let helpCentre: { revision: string; texts: Set<string> } | undefined;
  const isPassage = (text: string): boolean => {
    const active = kb.current();
    if (helpCentre?.revision !== active.revision) helpCentre = { revision: active.revision, texts: passageTexts(active.kb) };
    return helpCentre.texts.has(text);
  };
  const scorer: Promise<SemanticScorer> | undefined = encoder?.then((e) => semanticScorer(withStoredVectors(e, ctx.config.ENCODER_STORE_DIR, { has: isPassage })));
  scorer?.then(
    async (s) => {
      ctx.log.info({ encoder: s.version }, 'answer relevance: sentence encoder loaded');
      // The help centre is embedded once, now, not by the first drafts (a later KB revision: by its first draft, once).
      const t0 = performance.now();
      const passages = kb.current().kb.passages.filter((p) => p.audience === 'customer');
      await s.warm(passages);
      ctx.log.info({ passages: passages.length, ms: Math.round(performance.now() - t0) }, 'answer relevance: help centre embedded');
    },
    (err: unknown) => ctx.log.error({ err }, 'answer relevance: the sentence encoder did not load'),
  ).catch((err: unknown) => ctx.log.warn({ err }, 'answer relevance: embedding the help centre ahead failed; drafts embed it'));
  const answerScorer = (): Promise<SemanticScorer | undefined> => scorer ?? Promise.resolve(undefined);
  const closeEncoder = async () => {
    if (encoder) await (await encoder.catch(() => undefined))?.close();
  };

  /** The customer's words travel once, in `received`: read them from there when a draft needs them. */
  async function ticketOf(ticketId: string): Promise<Ticket | undefined> {
    const msg = await ctx.bus.jsm.direct.getMessage(ctx.topo.streams.events, { last_by_subj: ctx.topo.subjects.event('received', ticketId) }).catch(() => null);
    if (!msg) return undefined;
    // Authenticated and opened like any input: a forged `received` never feeds a draft (issue 11).
    const r = await ctx.trust.readEvent({ subject: msg.subject, data: msg.data, header: (n) => (msg.header.has(n) ? msg.header.get(n) : undefined) });
    if (!r.ok) {
      ctx.log.error({ alert: 'unauthenticated_event', ticketId, reason: r.reason }, 'the last received event of a ticket is not authentic');
      return undefined;
    }
    return r.env.payload?.$case === 'received' ? r.env.payload.value.ticket : undefined;
  }

  await ctx.onEvent('draftRequested', CONSUMERS.drafting, async (p, env, d) => {
    const ticket = await ticketOf(env.ticketId);
    if (!ticket) return retry(backoffMs(d.deliveryCount), 'the ticket\'s received event is not readable yet');
    const active = kb.current();
    const drafted = await draftStage(p, ticket, active.kb, llm(), { semantic: await answerScorer() });
    const fellBack = drafted.kbFindings.find((f) => f.startsWith(LLM_FALLBACK));
    if (fellBack) ctx.metrics.llmFallback('draft', fellBack.slice(LLM_FALLBACK.length).split(/[\s(]/)[0] || 'unknown');
    await ctx.emit({ kind: 'drafted', value: drafted, cause: env, revisions: { kb: active.revision } });
    return ack();
  });
  // Escalated tickets get a handoff packet so the human starts with context.
  await ctx.onEvent('concluded', CONSUMERS.draftingHandoff, async (c, env) => {
    // Only escalations get a packet: the others need no read of the ticket.
    if (c.route !== Route.ROUTE_ESCALATED) return ack();
    const ticket = await ticketOf(env.ticketId);
    if (!ticket) return ack();
    const active = kb.current();
    const handoff = handoffStage(c, ticket, active.kb);
    if (handoff) await ctx.emit({ kind: 'handoff', value: handoff, cause: env, revisions: { kb: active.revision } });
    return ack();
  });
  return { closers: [kb.close, policy.close, closeEncoder] };
});
