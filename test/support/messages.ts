import { InboundMessage } from '@handrail/contracts';

/** Realistic messages for every area, varied by index, for load and kill tests. */
const BODIES: Array<[string, string]> = [
  ['faq_status', 'Hi, where is my order? It was supposed to arrive yesterday.'],
  ['faq_status', 'How long does standard shipping take?'],
  ['routine', 'How do I reset my password? The link expired.'],
  ['triage', 'The item arrived broken, the glass is shattered.'],
  ['refund', 'I returned the shoes last week, when will I get my refund of $40?'],
  ['privacy', 'Please delete all my personal data from your systems.'],
  ['safety', 'Someone hacked my account and bought things with my card.'],
  ['cancellation', 'Please cancel my subscription.'],
  ['legal', 'My lawyer will be in touch about this.'],
  ['complaint', 'I want to file a formal complaint about your service.'],
  ['talk_to_human', 'Let me speak to a real person please.'],
];

export function sampleMessage(i: number, connector = 'loadtest'): { message: InboundMessage; expectedArea: string } {
  const [area, body] = BODIES[i % BODIES.length] ?? ['faq_status', 'Where is my order?'];
  return {
    expectedArea: area,
    message: InboundMessage.fromPartial({ connector, externalId: `m-${i}`, customerId: `c-${i}`, channel: i % 2 ? 'email' : 'chat', body, metadata: { expected_area: area } }),
  };
}
