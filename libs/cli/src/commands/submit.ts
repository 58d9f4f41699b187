import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { credentials, Metadata } from '@grpc/grpc-js';
import { InboundMessage, IntakeServiceClient, SubmitMessageResponse } from '@handrail/contracts';
import { ticketIdFor } from '@handrail/events';
import { withBus } from '../bus.js';
import { cliConfig } from '../config.js';
import { fromGrpcError } from '../grpc-error.js';
import { UsageError } from '../io.js';

const HELP = `usage: handrail submit [options] "message text"
  --customer ID       customer id (required)
  --connector NAME    connector name (default: cli)
  --external-id ID    the connector's id for the message (default: random)
  --subject TEXT      subject line
  --channel NAME      email | chat | web | phone | sms | social | api (default: api)
  --via grpc|nats     submit over gRPC to intake (INTAKE_ADDR) or publish on the inbound subject (default: grpc)
  --json              print the result as JSON`;

/** Submits over gRPC; a refusal comes back as the HandrailError it was on the server (field named). */
export async function submitGrpc(addr: string, message: InboundMessage): Promise<SubmitMessageResponse> {
  const client = new IntakeServiceClient(addr, credentials.createInsecure());
  try {
    return await new Promise<SubmitMessageResponse>((resolve, reject) =>
      client.submitMessage({ message }, new Metadata(), { deadline: Date.now() + 10_000 }, (err, res) => (err ? reject(fromGrpcError(err, addr)) : resolve(res))),
    );
  } finally {
    client.close();
  }
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      customer: { type: 'string' },
      connector: { type: 'string', default: 'cli' },
      'external-id': { type: 'string' },
      subject: { type: 'string', default: '' },
      channel: { type: 'string', default: 'api' },
      via: { type: 'string', default: 'grpc' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const body = positionals.join(' ');
  if (!values.customer) throw new UsageError('--customer is required');
  if (!body) throw new UsageError('the message text is required');
  const message = InboundMessage.fromPartial({
    connector: values.connector,
    externalId: values['external-id'] ?? randomUUID(),
    customerId: values.customer,
    subject: values.subject,
    channel: values.channel,
    body,
    sentAt: new Date().toISOString(),
  });
  if (values.via === 'nats') {
    const ack = await withBus((bus, topo) =>
      bus.js.publish(topo.subjects.inbound(message.connector), JSON.stringify(InboundMessage.toJSON(message)), {
        msgID: `${message.connector}:${message.externalId}`,
      }),
    );
    // Intake derives the ticket id from connector + external id, so it is known without a reply.
    const ticketId = ticketIdFor(message.connector, message.externalId);
    console.log(
      values.json
        ? JSON.stringify({ ticketId, duplicate: ack.duplicate, published: true, externalId: message.externalId })
        : `${ticketId}${ack.duplicate ? ' (duplicate of an earlier submission)' : ''}`,
    );
    return 0;
  }
  if (values.via !== 'grpc') throw new UsageError('--via must be grpc or nats');
  const res = await submitGrpc(cliConfig().INTAKE_ADDR, message);
  console.log(values.json ? JSON.stringify(res) : `${res.ticketId}${res.duplicate ? ' (duplicate of an earlier submission)' : ''}`);
  return 0;
}
