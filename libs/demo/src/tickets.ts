import fs from 'node:fs';
import { InboundMessage } from '@handrail/contracts';

export interface SampleTicket {
  message: InboundMessage;
  expectedArea: string;
}

/** Reads the sample set (JSONL); a bad line is reported with its number and reason. */
export function readSampleTickets(file: string, connector = 'demo'): SampleTicket[] {
  const out: SampleTicket[] = [];
  fs.readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (!line.trim()) return;
      let row: Record<string, unknown>;
      try {
        row = JSON.parse(line) as Record<string, unknown>;
      } catch (err) {
        throw new Error(`${file}:${i + 1}: not JSON (${(err as Error).message})`);
      }
      const expected = typeof row['expected_area'] === 'string' ? row['expected_area'] : '';
      const message = InboundMessage.fromJSON({
        connector,
        externalId: row['external_id'],
        customerId: row['customer_id'],
        channel: row['channel'],
        subject: row['subject'] ?? '',
        body: row['body'],
        orders: ((row['orders'] as unknown[]) ?? []).map((o) => {
          const r = o as Record<string, unknown>;
          return { orderId: r['order_id'], amount: r['amount'], currency: r['currency'] ?? 'USD', placedAt: r['placed_at'] ?? '', deliveredAt: r['delivered_at'] ?? '', status: r['status'] ?? '', condition: r['condition'] ?? '' };
        }),
        metadata: { expected_area: expected },
      });
      if (!message.externalId || !message.body) throw new Error(`${file}:${i + 1}: external_id and body are required`);
      out.push({ message, expectedArea: expected });
    });
  return out;
}
