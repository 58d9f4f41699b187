import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Route } from '@handrail/contracts';
import { eventually, openTestBus, type TestBus } from '@handrail/testing';
import { conclusions, intakeClient, startInProcess, timeline, type InProcessPipeline } from '../support/pipeline.js';

// Issue 12: the classifier service runs the sentence encoder beside the lexical model, over the bus.
describe('classifier service with the semantic model', () => {
  let tb: TestBus;
  let pipeline: InProcessPipeline;

  beforeAll(async () => {
    tb = await openTestBus(inject('natsUrl'), 'semcls');
    pipeline = await startInProcess(inject('natsUrl'), tb.topo.prefix, { CLASSIFIER_SEMANTIC: 'on' });
  });
  afterAll(async () => {
    await pipeline?.stop();
    await tb?.cleanup();
  });

  const submit = async (externalId: string, body: string) => {
    const client = intakeClient(pipeline.grpcAddr);
    const r = await client.submit({ connector: 'semcls', externalId, customerId: `c-${externalId}`, body });
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

  it('semantic classifier — the classified event cites the lexical model, the encoder and the head', async () => {
    const { modelRevision, classification } = await outcomeOf(await submit('sc-1', 'How long does standard shipping take?'));
    expect(modelRevision).toMatch(/^hr-[0-9a-f]{12}\+sem-[0-9a-f]{12}$/);
    expect(classification?.modelVersion).toBe(modelRevision);
    const roles = Object.fromEntries((classification?.models ?? []).map((m) => [m.role, m.version]));
    expect(roles.encoder).toMatch(/^use-lite@\d/);
    expect(modelRevision).toBe(`${roles.lexical}+${roles.head}`);
    expect(classification?.opinions.map((o) => o.role)).toEqual(['lexical', 'semantic']);
    expect(classification?.modelDoubts.map((d) => d.code)).not.toContain('out_of_scope');
  });

  it('semantic classifier — a far off-topic message goes to a person, with the gate as evidence', async () => {
    const { concluded, classification } = await outcomeOf(await submit('sc-2', 'What is the boiling point of mercury in kelvin, and who discovered it?'));
    expect(classification?.outOfScope).toBe(true);
    expect(concluded.route).toBe(Route.ROUTE_ESCALATED);
    const reason = concluded.reasons.find((r) => r.code === 'out_of_scope');
    expect(reason?.rule).toBe('classifier.semantic_gate');
    expect(reason?.evidence.some((e) => e.startsWith('nearest='))).toBe(true);
  });
});
