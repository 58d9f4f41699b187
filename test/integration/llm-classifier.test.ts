import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Route } from '@handrail/contracts';
import { startFakeChatServer, type FakeChatServer } from '@handrail/llm/testing';
import { eventually, openTestBus, type TestBus } from '@handrail/testing';
import { conclusions, intakeClient, startInProcess, timeline, type InProcessPipeline } from '../support/pipeline.js';

describe('classifier service with the optional LLM classifier', () => {
  let tb: TestBus;
  let pipeline: InProcessPipeline;
  let llm: FakeChatServer;
  let mode: 'answering' | 'failing' = 'answering';
  const question = 'How long does standard shipping take?';

  beforeAll(async () => {
    // A real HTTP server speaking the chat-completions format: a valid answer, or HTTP 500.
    llm = await startFakeChatServer([
      () => (mode === 'answering' ? { content: JSON.stringify({ intent: 'shipping_times', confidence: 0.92 }) } : { status: 500, body: '{"error":"overloaded"}' }),
    ]);
    tb = await openTestBus(inject('natsUrl'), 'llmcls');
    // Only the classifier's own keys: the drafter stays on its templates.
    pipeline = await startInProcess(inject('natsUrl'), tb.topo.prefix, {
      CLASSIFIER_LLM_BASE_URL: llm.baseUrl,
      CLASSIFIER_LLM_MODEL: 'fake-classifier',
      CLASSIFIER_LLM_TIMEOUT_MS: '2000',
    });
  });
  afterAll(async () => {
    await pipeline?.stop();
    await tb?.cleanup();
    await llm?.close();
  });

  const submit = async (externalId: string) => {
    const client = intakeClient(pipeline.grpcAddr);
    const r = await client.submit({ connector: 'llmcls', externalId, customerId: `c-${externalId}`, body: question });
    client.close();
    return r.ticketId;
  };
  const outcomeOf = async (ticketId: string) => {
    const concluded = await eventually(async () => (await conclusions(tb.bus, tb.topo)).get(ticketId)?.[0]);
    const events = await timeline(tb.bus, tb.topo, ticketId);
    const classified = events.find((e) => e.payload?.$case === 'classified');
    const classification = classified?.payload?.$case === 'classified' ? classified.payload.value.classification : undefined;
    return { concluded, modelRevision: classified?.revisions?.model ?? '', classification };
  };

  it('llm classifier — the answer is used and the classified event cites the LLM and the embedded model', async () => {
    mode = 'answering';
    const before = llm.requests.length;
    const { concluded, modelRevision, classification } = await outcomeOf(await submit('lc-1'));
    expect(llm.requests.length).toBeGreaterThan(before);
    expect((llm.requests.at(-1)?.body as { model?: string }).model).toBe('fake-classifier');
    expect(modelRevision).toMatch(/^llm:fake-classifier\+hr-/);
    expect(classification?.modelVersion).toBe(modelRevision);
    expect(classification?.intent).toBe('shipping_times');
    expect(classification?.confidence).toBeCloseTo(0.92);
    expect(concluded.route).not.toBe(Route.ROUTE_UNSPECIFIED);
  });

  it('llm classifier — when the endpoint fails, the ticket is classified by the embedded model and still concludes', async () => {
    mode = 'failing';
    const before = llm.requests.length;
    const { concluded, modelRevision, classification } = await outcomeOf(await submit('lc-2'));
    expect(llm.requests.length).toBeGreaterThan(before);
    expect(modelRevision).toMatch(/^hr-/);
    expect(modelRevision).not.toContain('llm:');
    expect(classification?.modelVersion).toBe(modelRevision);
    expect([Route.ROUTE_AUTO_RESOLVED, Route.ROUTE_AWAITING_APPROVAL, Route.ROUTE_ESCALATED]).toContain(concluded.route);
  });
});
