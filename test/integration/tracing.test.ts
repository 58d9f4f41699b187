import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { eventually, openTestBus, type TestBus } from '@handrail/testing';
import { conclusions, intakeClient, startInProcess, type InProcessPipeline } from '../support/pipeline.js';

describe('tracing (issue 2)', () => {
  const exporter = new InMemorySpanExporter();
  let tb: TestBus;
  let pipeline: InProcessPipeline;

  beforeAll(async () => {
    new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).register();
    tb = await openTestBus(inject('natsUrl'), 'trace');
    pipeline = await startInProcess(inject('natsUrl'), tb.topo.prefix);
  });
  afterAll(async () => {
    await pipeline?.stop();
    await tb?.cleanup();
  });

  it('trace — one ticket is one trace across every stage, carried in NATS headers', async () => {
    const client = intakeClient(pipeline.grpcAddr);
    const { ticketId } = await client.submit({ connector: 'trace', externalId: 'tr-1', customerId: 'c-trace', body: 'How long does standard shipping take?' });
    client.close();
    await eventually(async () => (await conclusions(tb.bus, tb.topo)).get(ticketId));
    const spans = await eventually(async () => {
      const s = exporter.getFinishedSpans().filter((x) => x.attributes['handrail.ticket_id'] === ticketId);
      return s.some((x) => x.name === 'qa-sampler handle') ? s : undefined;
    });
    const traces = new Set(spans.map((s) => s.spanContext().traceId));
    expect(traces.size).toBe(1);
    const stages = new Set(spans.map((s) => s.name.split(' ')[0]));
    for (const stage of ['intake', 'classifier', 'guardrail', 'escalation', 'drafting', 'qa-sampler']) expect(stages, stage).toContain(stage);
  });
});
