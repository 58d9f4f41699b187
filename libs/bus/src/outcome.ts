/** What a handler decided; the runner alone turns it into JetStream acks. */
export type Outcome =
  | { readonly kind: 'ack' }
  | { readonly kind: 'retry'; readonly delayMs: number; readonly reason: string }
  | { readonly kind: 'dead_letter'; readonly reason: string };

export const ack = (): Outcome => ({ kind: 'ack' });
export const retry = (delayMs: number, reason: string): Outcome => ({ kind: 'retry', delayMs, reason });
export const deadLetter = (reason: string): Outcome => ({ kind: 'dead_letter', reason });

/** Exponential back-off for the n-th delivery, capped. */
export function backoffMs(deliveryCount: number, baseMs = 250, capMs = 15_000): number {
  return Math.min(capMs, baseMs * 2 ** Math.max(0, deliveryCount - 1));
}
