import type { Topology } from './subjects.js';

export interface StreamSpec {
  name: string;
  subjects: string[];
  /** Seconds; 0 keeps forever (limited by bytes). */
  maxAgeSeconds: number;
  duplicateWindowSeconds: number;
  description: string;
}

export interface RetentionOptions {
  eventsMaxAgeDays: number;
  duplicateWindowMinutes: number;
}

/** Every stream the system needs; `libs/bus` creates or updates them idempotently at start-up. */
export function streamSpecs(t: Topology, r: RetentionOptions): StreamSpec[] {
  const dup = r.duplicateWindowMinutes * 60;
  const age = r.eventsMaxAgeDays * 86_400;
  return [
    {
      name: t.streams.events,
      subjects: [t.subjects.allEvents()],
      maxAgeSeconds: age,
      duplicateWindowSeconds: dup,
      description: 'Every decision event, retained for audit and replay',
    },
    {
      name: t.streams.inbound,
      subjects: [t.subjects.allInbound()],
      maxAgeSeconds: age,
      duplicateWindowSeconds: dup,
      description: 'Customer messages published by helpdesk connectors',
    },
    {
      name: t.streams.outbound,
      subjects: [t.subjects.allOutbound()],
      maxAgeSeconds: age,
      duplicateWindowSeconds: dup,
      description: 'Replies for connectors to send to customers',
    },
    {
      name: t.streams.deadLetter,
      subjects: [t.subjects.allDeadLetters()],
      maxAgeSeconds: age,
      duplicateWindowSeconds: dup,
      description: 'Messages that failed validation or kept failing, with the reason',
    },
    {
      name: t.streams.webhooks,
      subjects: [t.subjects.allWebhooks()],
      maxAgeSeconds: age,
      duplicateWindowSeconds: dup,
      description: 'Verified helpdesk webhooks and reconciled messages, before normalisation',
    },
  ];
}
