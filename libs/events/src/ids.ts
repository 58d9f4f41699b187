import { createHash } from 'node:crypto';

/**
 * The ticket id is derived from the connector's own id, so the same message submitted twice — by a
 * retrying connector or a redelivery — is the same ticket everywhere downstream, and anyone who
 * publishes a message (a connector, the CLI, the demo) knows its ticket id without asking intake.
 */
export function ticketIdFor(connector: string, externalId: string): string {
  return `t-${createHash('sha256').update(`${connector}\u0000${externalId}`).digest('hex').slice(0, 24)}`;
}
