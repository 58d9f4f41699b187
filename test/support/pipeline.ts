import { credentials, Metadata } from '@grpc/grpc-js';
import { inject } from 'vitest';
import { InboundMessage, IntakeServiceClient, type EventEnvelope, type SubmitMessageResponse, type TicketConcluded } from '@handrail/contracts';
import { readStream, type Bus } from '@handrail/bus';
import { demoServiceEnv } from '@handrail/demo';
import { decodeEvent, type Topology } from '@handrail/events';
import { openTrust, startService, type RunningService, type Trust } from '@handrail/runtime';
import { testCredentials } from '@handrail/testing';
import { classifierService } from '@handrail/svc-classifier';
import { draftingService } from '@handrail/svc-drafting';
import { escalationService } from '@handrail/svc-escalation';
import { guardrailService } from '@handrail/svc-guardrail';
import { intakeService } from '@handrail/svc-intake';
import { qaSamplerService } from '@handrail/svc-qa-sampler';

export interface InProcessPipeline {
  services: RunningService[];
  grpcAddr: string;
  stop(): Promise<void>;
}

/** All six services in this process (fast to start; each still talks only over the real bus). */
export async function startInProcess(natsUrl: string, prefix: string, extra: Record<string, string> = {}, only: Partial<Record<'intake' | 'classifier' | 'guardrail' | 'escalation' | 'drafting' | 'qa-sampler', Record<string, string>>> = {}): Promise<InProcessPipeline> {
  // Six services share this process: the classifier's encoder loads in a worker thread, as the
  // drafting one does, so a model load never stalls the others' JetStream and gRPC calls.
  const env = { NATS_URL: natsUrl, HANDRAIL_PREFIX: prefix, LOG_LEVEL: 'silent', GRPC_PORT: '0', GRPC_HOST: '127.0.0.1', HANDRAIL_CREDENTIALS_DIR: testCredentials(), ENCODER_THREADS: '1', ENCODER_STORE_DIR: inject('encoderStoreDir'), ...demoServiceEnv, ...extra };
  let grpcPort = 0;
  // `only` adds settings for one service (e.g. its own HEALTH_PORT).
  const services = await Promise.all([
    startService(intakeService({ ...env, ...only.intake }, (p) => (grpcPort = p))),
    startService(classifierService({ ...env, ...only.classifier })),
    startService(guardrailService({ ...env, ...only.guardrail })),
    startService(escalationService({ ...env, ...only.escalation })),
    startService(draftingService({ ...env, ...only.drafting })),
    startService(qaSamplerService({ ...env, ...only['qa-sampler'] })),
  ]);
  return {
    services,
    grpcAddr: `127.0.0.1:${grpcPort}`,
    stop: async () => {
      await Promise.all(services.map((s) => s.shutdown('test done')));
    },
  };
}

export function intakeClient(addr: string): { submit(m: Partial<InboundMessage>): Promise<SubmitMessageResponse>; close(): void } {
  const client = new IntakeServiceClient(addr, credentials.createInsecure());
  return {
    submit: (m) =>
      new Promise((resolve, reject) =>
        client.submitMessage({ message: InboundMessage.fromPartial(m) }, new Metadata(), { deadline: Date.now() + 15_000 }, (err, res) => (err ? reject(err) : resolve(res))),
      ),
    close: () => client.close(),
  };
}

const readers = new WeakMap<Bus, Promise<Trust>>();

/** The operator's keys (test credentials), to open sealed customer text the way `handrail replay` does. */
export function operatorTrust(bus: Bus, topo: Topology): Promise<Trust> {
  let t = readers.get(bus);
  if (!t) {
    t = openTrust(bus, topo, { config: { HANDRAIL_CREDENTIALS_DIR: testCredentials() }, identity: 'operator' });
    readers.set(bus, t);
  }
  return t;
}

/** Events on `filter`, decoded and opened (not authenticated: tests see what is stored, forgeries too). */
export async function openedEvents(bus: Bus, topo: Topology, filter: string, stream = topo.streams.events): Promise<EventEnvelope[]> {
  const trust = await operatorTrust(bus, topo);
  const out: EventEnvelope[] = [];
  for (const m of await readStream(bus, stream, filter, { idleMs: 300 })) {
    let env: EventEnvelope;
    try {
      env = decodeEvent(m.data);
    } catch {
      continue; // undecodable: not an event
    }
    out.push(await trust.sealer.open(env));
  }
  return out;
}

/** One ticket's events in order, opened. */
export function timeline(bus: Bus, topo: Topology, ticketId: string): Promise<EventEnvelope[]> {
  return openedEvents(bus, topo, topo.subjects.ticketTimeline(ticketId));
}

/** Every `concluded` event so far, grouped by ticket (a list, so duplicates would show). */
export async function conclusions(bus: Bus, topo: Topology): Promise<Map<string, TicketConcluded[]>> {
  const out = new Map<string, TicketConcluded[]>();
  for (const e of await openedEvents(bus, topo, topo.subjects.eventsOfType('concluded'))) {
    if (e.payload?.$case === 'concluded') out.set(e.ticketId, [...(out.get(e.ticketId) ?? []), e.payload.value]);
  }
  return out;
}

/** Outbound replies per ticket id. */
export async function replies(bus: Bus, topo: Topology): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const m of await readStream(bus, topo.streams.outbound, topo.subjects.allOutbound(), { idleMs: 300 })) {
    const e = decodeEvent(m.data);
    out.set(e.ticketId, (out.get(e.ticketId) ?? 0) + 1);
  }
  return out;
}
