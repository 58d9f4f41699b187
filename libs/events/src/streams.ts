import type { Topology } from './subjects.js';

export interface StreamSpec {
  name: string;
  subjects: string[];
  /** Seconds; 0 keeps forever (limited by bytes). */
  maxAgeSeconds: number;
  duplicateWindowSeconds: number;
  description: string;
  /** Audit streams refuse message deletes and purges (issue 11). */
  denyDelete?: boolean;
  denyPurge?: boolean;
  /** 1 in development, 3 in production; set by the provisioner. */
  replicas?: number;
}

export interface RetentionOptions {
  /** The audit trail (events and audit records). */
  eventsMaxAgeDays: number;
  duplicateWindowMinutes: number;
  /** Inbound, outbound and dead letters: they hold customer text in the clear; default = eventsMaxAgeDays. */
  transientMaxAgeDays?: number;
  replicas?: number;
}

/** Every stream the system needs; only the provisioner creates or updates them (`handrail provision`). */
export function streamSpecs(t: Topology, r: RetentionOptions): StreamSpec[] {
  const dup = r.duplicateWindowMinutes * 60;
  const age = r.eventsMaxAgeDays * 86_400;
  const transient = (r.transientMaxAgeDays ?? r.eventsMaxAgeDays) * 86_400;
  const replicas = r.replicas ?? 1;
  return [
    {
      name: t.streams.events,
      subjects: [t.subjects.allEvents()],
      maxAgeSeconds: age,
      duplicateWindowSeconds: dup,
      description: 'Every decision event, retained for audit and replay',
      denyDelete: true,
      denyPurge: true,
      replicas,
    },
    {
      name: t.streams.inbound,
      subjects: [t.subjects.allInbound()],
      maxAgeSeconds: transient,
      duplicateWindowSeconds: dup,
      description: 'Customer messages published by helpdesk connectors',
      replicas,
    },
    {
      name: t.streams.outbound,
      subjects: [t.subjects.allOutbound()],
      maxAgeSeconds: transient,
      duplicateWindowSeconds: dup,
      description: 'Replies for connectors to send to customers',
      replicas,
    },
    {
      name: t.streams.deadLetter,
      subjects: [t.subjects.allDeadLetters()],
      maxAgeSeconds: transient,
      duplicateWindowSeconds: dup,
      description: 'Messages that failed validation or kept failing, with the reason',
      replicas,
    },
    {
      name: t.streams.audit,
      subjects: [t.subjects.allAudit()],
      maxAgeSeconds: age,
      duplicateWindowSeconds: dup,
      description: 'Audit checkpoints over the events stream, erasures and alerts',
      denyDelete: true,
      denyPurge: true,
      replicas,
    },
    {
      name: t.streams.shadow,
      subjects: [t.subjects.allShadow()],
      maxAgeSeconds: age,
      duplicateWindowSeconds: dup,
      description: 'Shadow mode: decisions of a candidate policy beside production, for comparison; never acted on',
      replicas,
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
