import { credentials, Metadata } from '@grpc/grpc-js';
import { InboundMessage, IntakeServiceClient, type SubmitMessageResponse, type TicketConcluded } from '@handrail/contracts';
import { readStream, type Bus } from '@handrail/bus';
import { demoServiceEnv } from '@handrail/demo';
import { decodeEvent, type Topology } from '@handrail/events';
import { startService, type RunningService } from '@handrail/runtime';
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
export async function startInProcess(natsUrl: string, prefix: string, extra: Record<string, string> = {}): Promise<InProcessPipeline> {
  const env = { NATS_URL: natsUrl, HANDRAIL_PREFIX: prefix, LOG_LEVEL: 'silent', GRPC_PORT: '0', GRPC_HOST: '127.0.0.1', ...demoServiceEnv, ...extra };
  let grpcPort = 0;
  const services = await Promise.all([
    startService(intakeService(env, (p) => (grpcPort = p))),
    startService(classifierService(env)),
    startService(guardrailService(env)),
    startService(escalationService(env)),
    startService(draftingService(env)),
    startService(qaSamplerService(env)),
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

/** Every `concluded` event so far, grouped by ticket (a list, so duplicates would show). */
export async function conclusions(bus: Bus, topo: Topology): Promise<Map<string, TicketConcluded[]>> {
  const out = new Map<string, TicketConcluded[]>();
  for (const m of await readStream(bus, topo.streams.events, topo.subjects.eventsOfType('concluded'), { idleMs: 300 })) {
    const e = decodeEvent(m.data);
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
