import { sendWebhook, type WebhookDelivery, type WebhookResult } from './http.js';

/**
 * Where a fake sends its webhooks, and the record of each: delivered (with the receiver's answer)
 * or dropped on purpose (the helpdesk lost it: only reconciliation can find it then).
 */
export class WebhookOutbox {
  readonly sent: Array<{ delivery: WebhookDelivery; result: WebhookResult; event: string }> = [];
  readonly dropped: Array<{ delivery: WebhookDelivery; event: string }> = [];
  private drops = 0;
  private readonly pending = new Set<Promise<unknown>>();
  url = '';

  /** The next `n` webhooks are lost on the way. */
  dropNext(n = 1): void {
    this.drops += n;
  }

  async send(event: string, make: () => WebhookDelivery): Promise<WebhookResult | undefined> {
    if (!this.url) return undefined;
    const delivery = make();
    if (this.drops > 0) {
      this.drops--;
      this.dropped.push({ delivery, event });
      return undefined;
    }
    const p = sendWebhook(delivery);
    this.pending.add(p);
    try {
      const result = await p;
      this.sent.push({ delivery, result, event });
      return result;
    } finally {
      this.pending.delete(p);
    }
  }

  /** Runs `fn` (which sends webhooks) after the current answer has gone out; `settled()` waits for it. */
  later(fn: () => Promise<unknown>): void {
    const p = new Promise<void>((resolve) => setImmediate(resolve)).then(fn).catch(() => undefined);
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  /** Webhooks sent after an API call answer later; tests wait for them here. */
  async settled(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  /** Sends a recorded delivery again, byte for byte (a replay). */
  replay(d: WebhookDelivery): Promise<WebhookResult> {
    return sendWebhook(d);
  }
}
