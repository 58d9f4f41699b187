import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Route } from '@handrail/contracts';
import { demoPaths } from '@handrail/demo';
import { ingestDirectory, splitSentences } from '@handrail/kb';
import { startFakeChatServer, type FakeChatServer } from '@handrail/llm/testing';
import { eventually, openTestBus, type TestBus } from '@handrail/testing';
import { conclusions, intakeClient, startInProcess, timeline, type InProcessPipeline } from '../support/pipeline.js';

describe('drafting service with the optional LLM drafter (issue 5)', () => {
  let tb: TestBus;
  let pipeline: InProcessPipeline;
  let llm: FakeChatServer;
  let mode: 'grounded' | 'garbage' = 'grounded';
  const question = 'How long does standard shipping take?';

  beforeAll(async () => {
    const kb = await ingestDirectory(demoPaths.kb);
    const best = kb.search(question, { limit: 1 })[0];
    if (!best) throw new Error('the demo KB has no shipping passage');
    const sentence = splitSentences(best.text)[0] ?? best.text;
    // A real HTTP server speaking the chat-completions format: a grounded answer, or garbage.
    llm = await startFakeChatServer([
      () =>
        mode === 'grounded'
          ? { content: JSON.stringify({ sentences: [{ text: sentence, passages: [best.passageId] }, { text: 'Our drones deliver in one hour.', passages: [best.passageId] }] }) }
          : { content: 'I am a teapot, not JSON' },
    ]);
    tb = await openTestBus(inject('natsUrl'), 'llm');
    pipeline = await startInProcess(inject('natsUrl'), tb.topo.prefix, { LLM_BASE_URL: llm.baseUrl, LLM_MODEL: 'fake-model', LLM_TIMEOUT_MS: '2000' });
  });
  afterAll(async () => {
    await pipeline?.stop();
    await tb?.cleanup();
    await llm?.close();
  });

  const draftedOf = async (ticketId: string) => {
    await eventually(async () => (await conclusions(tb.bus, tb.topo)).get(ticketId));
    const events = await timeline(tb.bus, tb.topo, ticketId);
    const d = events.find((e) => e.payload?.$case === 'drafted');
    const c = events.find((e) => e.payload?.$case === 'concluded');
    return { drafted: d?.payload?.$case === 'drafted' ? d.payload.value : undefined, concluded: c?.payload?.$case === 'concluded' ? c.payload.value : undefined };
  };

  it('llm — the model writes from retrieved passages only; an unsupported sentence is dropped before any check', async () => {
    const client = intakeClient(pipeline.grpcAddr);
    const r = await client.submit({ connector: 'llm', externalId: 'l-1', customerId: 'c-l1', body: question });
    client.close();
    const { drafted, concluded } = await draftedOf(r.ticketId);
    expect(drafted?.draft?.drafter).toBe('llm-v1:fake-model');
    expect(drafted?.draft?.text).not.toContain('drones');
    expect(drafted?.kbFindings.some((f) => f.includes('rejected'))).toBe(true);
    expect(concluded?.route).toBe(Route.ROUTE_AUTO_RESOLVED);
    // The prompt carried the passages, never a request to invent anything else.
    expect(JSON.stringify(llm.requests.at(-1)?.body)).toContain('shipping');
  });

  it('llm — garbage from the model falls back to the template drafter, and says so', async () => {
    mode = 'garbage';
    const client = intakeClient(pipeline.grpcAddr);
    const r = await client.submit({ connector: 'llm', externalId: 'l-2', customerId: 'c-l2', body: question });
    client.close();
    const { drafted } = await draftedOf(r.ticketId);
    expect(drafted?.draft?.drafter).toBe('template-v1');
    expect(drafted?.kbFindings.some((f) => f.startsWith('llm drafter fell back'))).toBe(true);
  });
});
