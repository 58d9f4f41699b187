import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { InboundMessage } from '@handrail/contracts';
import { demoServiceEnv } from '@handrail/demo';
import { ticketIdFor } from '@handrail/events';
import { freePort, repoRoot, startCluster, type Cluster } from '@handrail/launcher';
import { eventually, openTestBus, testCredentials, type TestBus } from '@handrail/testing';
import { conclusions, replies } from '../support/pipeline.js';
import { sampleMessage } from '../support/messages.js';

/** Publishes like a helpdesk connector: JetStream de-duplicates by connector + external id. */
async function publishAll(tb: TestBus, from: number, to: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = from; i < to; i++) {
    const { message } = sampleMessage(i, 'crash');
    await tb.bus.js.publish(tb.topo.subjects.inbound('crash'), JSON.stringify(InboundMessage.toJSON(message)), { msgID: `crash:${message.externalId}` });
    ids.push(ticketIdFor('crash', message.externalId));
  }
  return ids;
}

describe('crash recovery with real service processes (issue 2)', () => {
  let tb: TestBus;
  let cluster: Cluster;

  beforeAll(async () => {
    // A short ack wait so messages held by a killed process come back quickly (the provisioner's setting).
    tb = await openTestBus(inject('natsUrl'), 'crash', { CONSUMER_ACK_WAIT_MS: 3000 });
    cluster = await startCluster({
      natsUrl: inject('natsUrl'),
      prefix: tb.topo.prefix,
      logDir: path.join(repoRoot, '.tmp', 'test-logs', tb.topo.prefix),
      grpcPort: await freePort(),
      // A short ack wait so messages held by a killed process come back quickly.
      env: { LOG_LEVEL: 'warn', ACK_WAIT_MS: '3000', SHUTDOWN_DEADLINE_MS: '10000', HANDRAIL_CREDENTIALS_DIR: testCredentials(), ...demoServiceEnv },
    });
  }, 120_000);

  afterAll(async () => {
    await cluster?.stop();
    await tb?.cleanup();
  });

  it('SIGKILL mid-stream — every ticket still reaches exactly one terminal state, no duplicate reply', async () => {
    const ids = await publishAll(tb, 0, 300);
    // Kill the stage that sends replies while work is in flight.
    await eventually(async () => ((await conclusions(tb.bus, tb.topo)).size >= 40 ? true : undefined), 60_000);
    const victim = cluster.processes.get('escalation');
    victim?.child.kill('SIGKILL');
    await victim?.exited;
    const before = (await conclusions(tb.bus, tb.topo)).size;
    expect(before).toBeLessThan(300);
    await cluster.restart('escalation');
    const all = await eventually(async () => {
      const c = await conclusions(tb.bus, tb.topo);
      return ids.every((id) => c.has(id)) ? c : undefined;
    }, 120_000);
    for (const id of ids) expect(all.get(id), id).toHaveLength(1);
    const sent = await replies(tb.bus, tb.topo);
    for (const [id, n] of sent) expect(n, id).toBe(1);
    const auto = ids.filter((id) => all.get(id)?.[0]?.route === 'ROUTE_AUTO_RESOLVED');
    expect(auto.every((id) => sent.get(id) === 1)).toBe(true);
  }, 240_000);

  it('SIGTERM mid-stream — the service drains, exits 0, and nothing is lost', async () => {
    const ids = await publishAll(tb, 300, 450);
    const victim = cluster.processes.get('classifier');
    await new Promise((r) => setTimeout(r, 300));
    const code = await victim?.stop(20_000);
    expect(code).toBe(0);
    await cluster.restart('classifier');
    const all = await eventually(async () => {
      const c = await conclusions(tb.bus, tb.topo);
      return ids.every((id) => c.has(id)) ? c : undefined;
    }, 120_000);
    for (const id of ids) expect(all.get(id), id).toHaveLength(1);
  }, 240_000);
});
