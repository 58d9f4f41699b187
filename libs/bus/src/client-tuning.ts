import type { NatsConnection } from '@nats-io/transport-node';

/** The parts of nats.js's Node transport this module relies on (internal API; checked at run time). */
interface TransportLike {
  socket?: { cork(): void; uncork(): void; writableCorked: number } | undefined;
  send(frame: Uint8Array): void;
}

const patched = new WeakSet<object>();

/**
 * nats.js writes every protocol frame — each publish, ack, KV request — with its own socket write,
 * one syscall apiece. A busy stage issues dozens per event-loop turn, and on a virtual machine those
 * syscalls were most of the client's CPU. This corks the socket at the first frame of a turn and
 * uncorks it once the turn's I/O is done (setImmediate), so the turn's frames leave in one writev, in
 * order. `end()` uncorks, so a drain or close still flushes everything. Patched on the transport's
 * prototype, so reconnects (new transport objects) keep it. Returns false when the transport does not
 * look as expected (a nats.js upgrade): nothing is patched and the client behaves as shipped.
 */
export function coalesceWrites(nc: NatsConnection): boolean {
  const transport = (nc as unknown as { protocol?: { transport?: TransportLike } }).protocol?.transport;
  if (!transport || typeof transport.send !== 'function' || !transport.socket || typeof transport.socket.cork !== 'function') return false;
  const proto = Object.getPrototypeOf(transport) as TransportLike;
  if (patched.has(proto)) return true;
  const send = proto.send;
  proto.send = function (this: TransportLike, frame: Uint8Array): void {
    const socket = this.socket;
    if (socket && socket.writableCorked === 0) {
      socket.cork();
      setImmediate(() => socket.uncork());
    }
    send.call(this, frame);
  };
  patched.add(proto);
  return true;
}

interface RequestLike {
  timer?: { cancel(): void } | undefined;
  mux: { cancel(r: unknown): void };
  cancel(err?: Error): void;
  resolver(err: Error | null, msg: unknown): void;
}

let requestsPatched = false;

/**
 * Every nats.js request (each JetStream publish, KV read, API call) ends with `cancel()`, which builds
 * a "cancelled" RequestError — stack trace and all — to reject a promise that is already settled. That
 * was the largest single cost left in the client. Once a request has its answer, cancelling it only
 * needs to stop the timer and unregister it; an unanswered request is cancelled exactly as before.
 */
export function skipSettledRequestErrors(requestOne: { prototype: unknown }): boolean {
  if (requestsPatched) return true;
  const proto = requestOne.prototype as RequestLike;
  if (typeof proto.cancel !== 'function' || typeof proto.resolver !== 'function') return false;
  const settled = new WeakSet<object>();
  const { cancel, resolver } = proto;
  proto.resolver = function (this: RequestLike, err, msg) {
    settled.add(this);
    resolver.call(this, err, msg);
  };
  proto.cancel = function (this: RequestLike, err?: Error) {
    if (err === undefined && settled.has(this)) {
      this.timer?.cancel();
      this.mux.cancel(this);
      return;
    }
    cancel.call(this, err);
  };
  requestsPatched = true;
  return true;
}
