import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { credentials, Metadata, status } from '@grpc/grpc-js';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { GetTicketStatusRequest, InboundMessage, IntakeServiceClient } from '@handrail/contracts';
import { ack, deadLetter, DLQ_HEADERS, readStream, runConsumer } from '@handrail/bus';
import { demoServiceEnv } from '@handrail/demo';
import { freePort, repoRoot } from '@handrail/launcher';
import { createLogger, initTelemetry } from '@handrail/observability';
import { startService } from '@handrail/runtime';
import { intakeService } from '@handrail/svc-intake';
import { qaSamplerService } from '@handrail/svc-qa-sampler';
import { eventually, openTestBus, testCredentials, type TestBus } from '@handrail/testing';
import { loadIdentity } from '@handrail/trust';
import { startSecureBus } from '../support/secure.js';

const log = createLogger({ service: 'ops-test', version: '0', level: 'silent' });
const tracer = initTelemetry({ service: 'ops-test', version: '0' }).tracer;

function cli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--conditions=@handrail/source', '--import', 'tsx', path.join(repoRoot, 'libs/cli/src/main.ts'), ...args], { cwd: repoRoot, env: { ...process.env, ...env }, timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

describe('operability (issue 11)', () => {
  let tb: TestBus;
  beforeAll(async () => {
    tb = await openTestBus(inject('natsUrl'), 'ops');
  });
  afterAll(async () => {
    await tb?.cleanup();
  });

  it('readiness — /readyz follows the NATS connection', async () => {
    const sb = await startSecureBus('ready');
    const prov = await openTestBus(sb.url, 'ready', {}, { prefix: sb.prefix, nkeySeed: loadIdentity(sb.credentials, 'provisioner').natsSeed });
    const port = await freePort();
    const svc = await startService(qaSamplerService({ NATS_URL: sb.url, HANDRAIL_PREFIX: sb.prefix, LOG_LEVEL: 'silent', HEALTH_PORT: String(port), HANDRAIL_CREDENTIALS_DIR: sb.credentials, ...demoServiceEnv }));
    const ready = async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).status;
    try {
      expect(await ready()).toBe(200);
      await prov.bus.nc.close();
      await sb.nats.stop();
      await eventually(async () => ((await ready()) === 503 ? true : undefined), 15_000, 200);
      expect(svc.ready()).toBe(false);
    } finally {
      await svc.shutdown('test done').catch(() => undefined);
      await sb.stop().catch(() => undefined);
    }
  }, 60_000);

  it('intake gRPC — TLS only, and the connector token is required; GetTicketStatus works without a consumer per call', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'intake-tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')], { stdio: 'ignore' });
    fs.writeFileSync(path.join(dir, 'token'), 'connector-secret-123\n');
    let grpcPort = 0;
    const svc = await startService(
      intakeService(
        { NATS_URL: inject('natsUrl'), HANDRAIL_PREFIX: tb.topo.prefix, LOG_LEVEL: 'silent', GRPC_PORT: '0', GRPC_HOST: '127.0.0.1', HANDRAIL_CREDENTIALS_DIR: testCredentials(), GRPC_TLS_CERT_FILE: path.join(dir, 'cert.pem'), GRPC_TLS_KEY_FILE: path.join(dir, 'key.pem'), INTAKE_TOKEN_FILE: path.join(dir, 'token'), ...demoServiceEnv },
        (p) => (grpcPort = p),
      ),
    );
    const tls = new IntakeServiceClient(`127.0.0.1:${grpcPort}`, credentials.createSsl(fs.readFileSync(path.join(dir, 'cert.pem'))));
    const submit = (client: IntakeServiceClient, token?: string) =>
      new Promise<{ code?: number; ticketId?: string }>((resolve) => {
        const md = new Metadata();
        if (token) md.set('authorization', `Bearer ${token}`);
        client.submitMessage({ message: InboundMessage.fromPartial({ connector: 'tls', externalId: `x-${token ?? 'none'}`, customerId: 'c-tls', body: 'How long does standard shipping take?' }) }, md, { deadline: Date.now() + 5_000 }, (err, res) =>
          resolve(err ? { code: err.code } : { ticketId: res.ticketId }),
        );
      });
    try {
      const ok = await submit(tls, 'connector-secret-123');
      expect(ok.ticketId).toMatch(/^t-/);
      expect((await submit(tls, 'wrong')).code).toBe(status.PERMISSION_DENIED);
      expect((await submit(tls)).code).toBe(status.PERMISSION_DENIED);
      const plain = new IntakeServiceClient(`127.0.0.1:${grpcPort}`, credentials.createInsecure());
      expect((await submit(plain, 'connector-secret-123')).code).toBe(status.UNAVAILABLE);
      plain.close();
      // Status by direct gets: no ephemeral consumer is left or created per call.
      const before = (await tb.bus.jsm.streams.info(tb.topo.streams.events)).state.consumer_count;
      const md = new Metadata();
      md.set('authorization', 'Bearer connector-secret-123');
      for (let i = 0; i < 5; i++) {
        const st = await new Promise<string>((resolve, reject) => tls.getTicketStatus(GetTicketStatusRequest.fromPartial({ ticketId: ok.ticketId ?? '' }), md, (err, res) => (err ? reject(err) : resolve(res.stage))));
        expect(st).toBe('received');
      }
      expect((await tb.bus.jsm.streams.info(tb.topo.streams.events)).state.consumer_count).toBe(before);
    } finally {
      tls.close();
      await svc.shutdown('test done');
    }
  });

  it('dlq replay — a dead letter is re-injected after a fix with its original id and trace, once', async () => {
    let fixed = false;
    const seen: Array<{ replayOf?: string; trace?: string }> = [];
    const c = await runConsumer({
      bus: tb.bus,
      topo: tb.topo,
      stage: 'replaytest',
      stream: tb.topo.streams.inbound,
      durable: 'replaytest',
      filterSubject: tb.topo.subjects.inbound('replaytest'),
      decode: (d) => JSON.parse(new TextDecoder().decode(d)) as { n: number },
      handler: async (d) => {
        if (!fixed) return deadLetter('bug #123: cannot handle n yet');
        seen.push({ replayOf: d.header('Handrail-Replay-Of'), trace: d.header('traceparent') });
        return ack();
      },
      concurrency: 4,
      maxDeliver: 3,
      ackWaitMs: 2_000,
      log,
      tracer,
    });
    const h = natsHeaders();
    h.set('traceparent', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    await tb.bus.js.publish(tb.topo.subjects.inbound('replaytest'), JSON.stringify({ n: 1 }), { msgID: 'rp-1', headers: h });
    const dead = await eventually(async () => (await readStream(tb.bus, tb.topo.streams.deadLetter, tb.topo.subjects.deadLetter('replaytest'), { idleMs: 200 }))[0]);
    expect(dead.headers[DLQ_HEADERS.msgId]).toBe('rp-1');
    fixed = true;
    const env = { NATS_URL: inject('natsUrl'), HANDRAIL_PREFIX: tb.topo.prefix };
    const first = await cli(['dlq', 'replay', '--stage', 'replaytest'], env);
    expect(first.stdout).toMatch(/replayed as seq \d+/);
    const second = await cli(['dlq', 'replay', '--stage', 'replaytest'], env);
    expect(second.stdout).toMatch(/already replayed/);
    await eventually(async () => (seen.length >= 1 ? true : undefined));
    await new Promise((r) => setTimeout(r, 1_000));
    await c.stop(1_000);
    expect(seen).toEqual([{ replayOf: 'rp-1', trace: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' }]);
    const list = await cli(['dlq', 'list'], env);
    expect(list.stdout).toContain('bug #123');
  });
});
