import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { credentials, Metadata } from '@grpc/grpc-js';
import { InboundMessage, IntakeServiceClient, type SubmitMessageResponse, type Ticket, type TicketConcluded } from '@handrail/contracts';
import { connectBus, deletePrefix, encodeJson, openBucket, readStream, type Bus } from '@handrail/bus';
import { trainPackModels } from '@handrail/classifier';
import { sharedEncoder } from '@handrail/encoder';
import { decideInOrder, semanticScorer } from '@handrail/decisions';
import { demoPaths, demoServiceEnv, readSampleTickets } from '@handrail/demo';
import { areaLabel, decodeEvent, ROUTE, ticketIdFor, topology, type Topology } from '@handrail/events';
import { openTrust, provision, type Trust } from '@handrail/runtime';
import { generateCredentials, loadIdentity, natsAuth, renderServerConfig } from '@handrail/trust';
import { ingestDirectory, toSnapshot } from '@handrail/kb';
import { DEMO_USERS, startDevIssuer, type DevIssuer } from '@handrail/identity/dev';
import { ALL_SERVICE_NAMES, ensureNats, freePort, repoRoot, startCluster, startSecureNats, type Cluster } from '@handrail/launcher';
import { loadPolicyFile, policyRevisionId } from '@handrail/policy';
import { embeddedDb, postgresDb, storedPosition } from '@handrail/sql-projection';
import { demoRunConfig } from './config.js';
import { startFakeConnectorDemo, type DeliverySummary, type FakeConnectorDemo } from './fake-connectors.js';

/**
 * `make demo`: find or start NATS, start every service as its own process, submit the sample set,
 * wait until every ticket is terminal, print the table, write .demo/report.json, stop what it started.
 */
const config = demoRunConfig();
const prefix = config.HANDRAIL_PREFIX;
const outDir = path.join(repoRoot, '.demo');
const say = (s: string) => console.log(`[demo] ${s}`);

async function submit(client: IntakeServiceClient, message: InboundMessage): Promise<SubmitMessageResponse> {
  return new Promise((resolve, reject) => client.submitMessage({ message }, new Metadata(), { deadline: Date.now() + 15_000 }, (err, res) => (err ? reject(err) : resolve(res))));
}

/**
 * The same tickets through `decideTicket` in process, in the order intake received them: the
 * demo's own proof that "what would happen to this ticket?" has one answer.
 */
async function decideInProcess(bus: Bus, topo: Topology, trust: Trust): Promise<Map<string, TicketConcluded>> {
  const tickets: Ticket[] = [];
  // The customer's text is sealed on the bus: read it back with the operator's keys (issue 11).
  for (const m of await readStream(bus, topo.streams.events, topo.subjects.eventsOfType('received'), { idleMs: 300 })) {
    const e = await trust.sealer.open(decodeEvent(m.data));
    if (e.payload?.$case === 'received' && e.payload.value.ticket) tickets.push(e.payload.value.ticket);
  }
  const pack = await loadPolicyFile(demoPaths.policy);
  const kb = await ingestDirectory(demoPaths.kb);
  // Both models, as the classifier service trains them (its CLASSIFIER_SEMANTIC defaults to on).
  const encoder = await sharedEncoder();
  const models = await trainPackModels(pack, encoder);
  const decisions = await decideInOrder(tickets, {
    policy: { pack, revision: policyRevisionId(pack) },
    kb: { kb, revision: toSnapshot(kb).revision },
    classify: { classifier: models.classifier, semantic: models.semantic },
    // And answer relevance as the drafting service measures it (its ANSWER_SEMANTIC defaults to on).
    relevance: { semantic: semanticScorer(encoder) },
  });
  return new Map(decisions.map((d) => [d.concluded.context?.ticketId ?? '', d.concluded]));
}

/** `port` when nothing listens on it, else a free one. */
async function portOr(port: number): Promise<number> {
  const free = await new Promise<boolean>((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
  return free ? port : freePort();
}

const AUDIENCE = 'handrail-console';
const projectionDir = path.join(outDir, 'projection');

/** What the projector wrote (read once it has stopped: embedded PGlite is one process's at a time). */
async function summariseProjection(): Promise<void> {
  const db = config.DATABASE_URL ? postgresDb(config.DATABASE_URL) : await embeddedDb(projectionDir);
  try {
    const [row] = await db.query<{ events: string | number; tickets: string | number; decisions: string | number }>(
      'SELECT (SELECT count(*) FROM events) AS events, (SELECT count(*) FROM tickets) AS tickets, (SELECT count(*) FROM decisions) AS decisions',
    );
    say(`SQL projection (${config.DATABASE_URL ? 'PostgreSQL' : `embedded PGlite in ${path.relative(repoRoot, projectionDir)}`}): ${Number(row?.events)} events, ${Number(row?.tickets)} tickets, ${Number(row?.decisions)} decisions, stream position ${await storedPosition(db)}`);
  } finally {
    await db.close();
  }
}

/** One access token per demo user in .demo/tokens/, for curl and the CLI (`--token-file`). */
async function writeTokens(issuer: DevIssuer): Promise<string> {
  const dir = path.join(outDir, 'tokens');
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (const u of DEMO_USERS) fs.writeFileSync(path.join(dir, `${u.username}.jwt`), `${await issuer.mint(u.username)}\n`, { mode: 0o600 });
  return dir;
}

function printPeople(consoleUrl: string, issuer: DevIssuer, tokenDir: string): void {
  const rel = path.relative(repoRoot, tokenDir) || tokenDir;
  console.log('');
  say(`console: ${consoleUrl}  (sign in as any demo user below; identity provider ${issuer.url})`);
  const w = Math.max(...DEMO_USERS.map((u) => u.username.length));
  for (const u of DEMO_USERS) {
    const roles = [...u.roles, ...u.groups.map((g) => `group ${g}`)].join(', ');
    say(`  ${u.username.padEnd(w)}  ${u.name.padEnd(14)} ${roles.padEnd(22)} ${u.note}`);
  }
  say(`access tokens (8 h): ${rel}/<user>.jwt — e.g.`);
  say(`  curl -H "Authorization: Bearer $(cat ${rel}/sam.jwt)" ${consoleUrl}/api/queues`);
  say(`  CONSOLE_URL=${consoleUrl} HANDRAIL_PREFIX=${prefix} pnpm handrail policy propose libs/demo/policy/demo-pack.yaml --token-file ${rel}/pat.jwt`);
  say(`  CONSOLE_URL=${consoleUrl} HANDRAIL_PREFIX=${prefix} pnpm handrail policy approve <rev> --token-file ${rel}/pia.jwt`);
}

/** Keeps the console up for people to try, until Ctrl-C; `DEMO_HOLD=false` (or no terminal) ends the demo at once. */
async function hold(): Promise<void> {
  const wanted = config.DEMO_HOLD === 'auto' ? Boolean(process.stdout.isTTY && process.stdin.isTTY) : config.DEMO_HOLD === 'true';
  if (!wanted) return;
  say('the console stays up: press Ctrl-C to stop the demo');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

async function main(): Promise<number> {
  fs.rmSync(outDir, { recursive: true, force: true });
  // One identity per service (issue 11): NATS users, signing and sealing keys, made fresh per demo.
  const credentialsDir = path.join(outDir, 'credentials');
  const bundle = generateCredentials(credentialsDir);
  // Without NATS_URL the demo runs its own nats-server with the generated least-privilege config.
  const nats = config.NATS_URL
    ? await ensureNats({ envUrl: config.NATS_URL, log: say })
    : await startSecureNats({ config: (port, storeDir) => renderServerConfig({ port, storeDir, prefixes: [prefix], bundle }), log: say });
  say(`NATS at ${nats.url} (${nats.source}${config.NATS_URL ? '' : ', auth-enabled: one nkey user per identity'}); subject prefix "${prefix}"`);
  const topo = topology(prefix);
  const bus = await connectBus({ url: nats.url, name: 'handrail-demo', ...natsAuth(loadIdentity(credentialsDir, 'provisioner')) });
  const connector = await connectBus({ url: nats.url, name: 'handrail-demo-connector', ...natsAuth(loadIdentity(credentialsDir, 'connector')) });
  let cluster: Cluster | undefined;
  let issuer: DevIssuer | undefined;
  let fake: FakeConnectorDemo | undefined;
  let reader: Trust | undefined;
  try {
    // A fresh run: this prefix's streams and buckets from an earlier demo are removed first, then
    // the provisioner (the only identity that may) creates them.
    await deletePrefix(bus, topo);
    const plan = await provision(bus, topo);
    reader = await openTrust(bus, topo, { config: { HANDRAIL_CREDENTIALS_DIR: credentialsDir }, identity: 'operator' });
    say(`provisioned ${plan.streams} streams, ${plan.consumers} consumers, ${plan.buckets} buckets`);
    const customers = await openBucket(bus, topo.buckets.customers);
    const profiles = JSON.parse(fs.readFileSync(demoPaths.customers, 'utf8')) as Record<string, object>;
    for (const [id, p] of Object.entries(profiles)) await customers.put(id, encodeJson(p));

    const grpcPort = await freePort();
    // A local OpenID Connect issuer with the demo's people: the console verifies its tokens exactly as a real IdP's.
    issuer = await startDevIssuer({ port: await portOr(8089), audience: AUDIENCE });
    const consolePort = await portOr(8088);
    const consoleUrl = `http://127.0.0.1:${consolePort}`;
    if (config.CONNECTORS === 'fake') {
      fake = await startFakeConnectorDemo({ outDir, port: await freePort(), customers: profiles });
      say(`fake Zendesk at ${fake.fakes.zendesk.url}, fake Chatwoot at ${fake.fakes.chatwoot.url}`);
    }
    const services = fake ? [...ALL_SERVICE_NAMES.filter((n) => n !== 'connectors'), 'connectors' as const] : ALL_SERVICE_NAMES.filter((n) => n !== 'connectors');
    say(`starting ${services.join(', ')} …`);
    const t0 = Date.now();
    // The services as deployed: node on tsc's dist/ (`make demo` builds first).
    cluster = await startCluster({
      natsUrl: nats.url,
      prefix,
      logDir: path.join(outDir, 'logs'),
      grpcPort,
      services,
      env: {
        LOG_LEVEL: config.LOG_LEVEL,
        HANDRAIL_CREDENTIALS_DIR: credentialsDir,
        ...demoServiceEnv,
        CONSOLE_PORT: String(consolePort),
        CONSOLE_HOST: '127.0.0.1',
        AUTH_ISSUER: issuer.url,
        AUTH_AUDIENCE: AUDIENCE,
        AUTH_CLIENT_ID: AUDIENCE,
        // The SQL projection: a server when DATABASE_URL names one, else the projector's embedded PGlite on disk.
        ...(config.DATABASE_URL ? { DATABASE_URL: config.DATABASE_URL } : { PROJECTOR_DATA_DIR: projectionDir }),
        ...(fake?.env ?? {}),
      },
      runtime: 'compiled',
    });
    say(`all ${services.length} services ready in ${((Date.now() - t0) / 1000).toFixed(1)} s; intake gRPC on ${cluster.grpcAddr}, console on ${consoleUrl}`);

    const tickets = readSampleTickets(demoPaths.tickets);
    const client = new IntakeServiceClient(cluster.grpcAddr, credentials.createInsecure());
    const expected = new Map<string, string>();
    // Most tickets go over gRPC; every fifth is published on the inbound subject like a connector would.
    // With CONNECTORS=fake every ticket is a customer message in the fake Zendesk or Chatwoot instead.
    for (const [i, t] of tickets.entries()) {
      if (fake) {
        const r = await fake.send(t.message);
        if (r.status !== 200) throw new Error(`the ${r.provider} webhook for ${t.message.externalId} was answered ${r.status}`);
        expected.set(r.ticketId, t.expectedArea);
      } else if (i % 5 === 4) {
        await connector.js.publish(topo.subjects.inbound(t.message.connector), JSON.stringify(InboundMessage.toJSON(t.message)), { msgID: `${t.message.connector}:${t.message.externalId}` });
        expected.set(ticketIdFor(t.message.connector, t.message.externalId), t.expectedArea);
      } else {
        const r = await submit(client, t.message);
        expected.set(r.ticketId, t.expectedArea);
      }
    }
    // A connector retry of the first ticket must come back as a duplicate, not a second ticket.
    const first = tickets[0];
    if (fake) say(`sent the first webhook again, signed anew: ${await fake.retryFirst()}`);
    else if (first) {
      const again = await submit(client, first.message);
      say(`re-submitted ${first.message.externalId}: duplicate=${again.duplicate} (ticket ${again.ticketId})`);
    }
    client.close();
    say(`submitted ${tickets.length} tickets; waiting for every one to reach a terminal state …`);

    const concluded = new Map<string, TicketConcluded>();
    const deadline = Date.now() + 120_000;
    while (concluded.size < expected.size && Date.now() < deadline) {
      for (const m of await readStream(bus, topo.streams.events, topo.subjects.eventsOfType('concluded'), { idleMs: 300 })) {
        const e = await reader.sealer.open(decodeEvent(m.data));
        if (e.payload?.$case === 'concluded') concluded.set(e.ticketId, e.payload.value);
      }
      if (concluded.size < expected.size) await new Promise((r) => setTimeout(r, 500));
    }
    const inProcess = await decideInProcess(bus, topo, reader);
    const same = (a: TicketConcluded | undefined, b: TicketConcluded | undefined) =>
      a !== undefined && b !== undefined && a.route === b.route && a.queue === b.queue && JSON.stringify(a.reasons) === JSON.stringify(b.reasons);
    const rows = [...expected.entries()].map(([id, exp]) => {
      const c = concluded.get(id);
      const offline = inProcess.get(id);
      return {
        id,
        expected_area: exp,
        area: c ? areaLabel(c.area) : 'pending',
        intent: c?.intent ?? '',
        confidence: c ? Number(c.confidence.toFixed(3)) : null,
        route: c ? (ROUTE.name(c.route) ?? 'unknown') : 'pending',
        reasons: c?.reasons.map((r) => r.code) ?? [],
        queue: c?.queue ?? '',
        in_process_route: offline ? (ROUTE.name(offline.route) ?? 'unknown') : 'none',
        in_process_agrees: same(c, offline),
      };
    });
    const table = [
      ['ticket', 'expected', 'area', 'conf', 'route', 'reasons'].join('\t'),
      ...rows.map((r) => [r.id, r.expected_area, r.area, r.confidence?.toFixed(2) ?? '-', r.route, r.reasons.join(',')].join('\t')),
    ];
    const widths = table[0]?.split('\t').map((_, i) => Math.max(...table.map((l) => (l.split('\t')[i] ?? '').length))) ?? [];
    console.log('');
    for (const l of table) console.log(l.split('\t').map((c, i) => c.padEnd(widths[i] ?? 0)).join('  '));
    const byRoute = rows.reduce<Record<string, number>>((m, r) => ({ ...m, [r.route]: (m[r.route] ?? 0) + 1 }), {});
    const agree = rows.filter((r) => r.area === r.expected_area).length;
    const unsafe = rows.filter((r) => ['privacy', 'safety', 'legal'].includes(r.expected_area) && r.route === 'auto_resolved');
    const silent = rows.filter((r) => r.route === 'escalated' && r.reasons.length === 0);
    const pending = rows.filter((r) => r.route === 'pending');
    console.log('');
    say(`routes: ${Object.entries(byRoute).map(([k, v]) => `${k} ${v}`).join(', ')}; area agrees with the label on ${agree}/${rows.length}`);
    say(`privacy/safety/legal auto-resolved: ${unsafe.length}; escalations without a reason: ${silent.length}; not terminal: ${pending.length}`);
    const disagree = rows.filter((r) => !r.in_process_agrees);
    say(`decideTicket in process gives the same route, queue and reasons for ${rows.length - disagree.length}/${rows.length} tickets${disagree.length ? `; differs for ${disagree.map((r) => r.id).join(', ')}` : ''}`);
    let delivery: DeliverySummary | undefined;
    let undelivered: typeof rows = [];
    if (fake) {
      // Every terminal ticket owes the helpdesk something: a reply, a note for approval or a handoff.
      const until = Date.now() + 60_000;
      const ids = rows.map((r) => r.id);
      do {
        delivery = await fake.deliveries(bus, topo, ids);
        undelivered = rows.filter((r) => r.route !== 'pending' && !delivery?.perTicket.has(r.id));
        if (undelivered.length) await new Promise((r) => setTimeout(r, 500));
      } while (undelivered.length && Date.now() < until);
      const d = delivery;
      say(`delivered: ${d.events.replies} public replies, ${d.events.notes} approval notes, ${d.events.handoffs} handoffs (note + group); not sent: ${JSON.stringify(d.events.failed)}; nothing delivered for ${undelivered.length}`);
      say(`fake Zendesk holds ${d.helpdesks.zendesk.publicReplies} bot replies, ${d.helpdesks.zendesk.internalNotes} internal notes, ${d.helpdesks.zendesk.groupAssigned} tickets with a group; fake Chatwoot ${d.helpdesks.chatwoot.publicReplies} replies, ${d.helpdesks.chatwoot.internalNotes} private notes, ${d.helpdesks.chatwoot.teamAssigned} with a team`);
    }
    fs.mkdirSync(outDir, { recursive: true });
    const withDelivery = rows.map((r) => (delivery ? { ...r, delivered: delivery.perTicket.get(r.id) ?? [] } : r));
    const connectors = delivery ? { mode: 'fake', delivered: delivery.events, helpdesks: delivery.helpdesks, undelivered: undelivered.map((r) => r.id) } : undefined;
    fs.writeFileSync(path.join(outDir, 'report.json'), JSON.stringify({ prefix, nats: nats.url, tickets: withDelivery, routes: byRoute, ...(connectors ? { connectors } : {}) }, null, 2));
    say(`report written to .demo/report.json; explain any ticket with: HANDRAIL_PREFIX=${prefix} pnpm handrail explain <ticket-id>`);
    printPeople(consoleUrl, issuer, await writeTokens(issuer));
    const code = pending.length === 0 && unsafe.length === 0 && silent.length === 0 && undelivered.length === 0 ? 0 : 1;
    await hold();
    return code;
  } finally {
    if (cluster) {
      say('stopping services …');
      await cluster.stop();
      await summariseProjection().catch((err: unknown) => say(`could not read the SQL projection: ${(err as Error).message}`));
    }
    await fake?.close();
    await issuer?.close();
    await reader?.close().catch(() => undefined);
    await connector.nc.drain().catch(() => undefined);
    await bus.nc.drain().catch(() => undefined);
    await nats.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`[demo] failed: ${(err as Error).message}`);
    process.exit(1);
  },
);
