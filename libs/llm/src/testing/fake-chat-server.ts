import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One scripted answer of the fake endpoint. */
export type FakeReply =
  /** A chat completion whose first choice says `content`. */
  | { content: string; delayMs?: number }
  /** Any status and raw body (e.g. 500, or 200 with a body that is not a completion). */
  | { status: number; body: string; delayMs?: number; headers?: Record<string, string> }
  /** Close the socket without answering: a network failure. */
  | { hangUp: true };

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  /** Parsed JSON body, or the raw text when it is not JSON. */
  body: unknown;
}

export interface FakeChatServer {
  /** `http://127.0.0.1:<port>/v1`, a `baseUrl` for the client. */
  readonly baseUrl: string;
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

export function chatCompletion(content: string, model = 'fake-model'): string {
  return JSON.stringify({
    id: 'chatcmpl-fake',
    object: 'chat.completion',
    created: 0,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
  });
}

/**
 * A real HTTP server on 127.0.0.1 (port 0) speaking the chat-completions format, for tests. Replies
 * are taken from `script` in order; once used up, the last one repeats. A function sees the request.
 */
export async function startFakeChatServer(
  script: readonly (FakeReply | ((request: RecordedRequest) => FakeReply))[],
): Promise<FakeChatServer> {
  const requests: RecordedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();

  function answer(reply: FakeReply, res: ServerResponse): void {
    if ('hangUp' in reply) {
      res.socket?.destroy();
      return;
    }
    const send = () => {
      if ('content' in reply) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(chatCompletion(reply.content));
      } else {
        res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers }).end(reply.body);
      }
    };
    if (reply.delayMs === undefined) return send();
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!res.destroyed) send();
    }, reply.delayMs);
    timers.add(timer);
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // kept as text: the test can assert on it
      }
      const recorded: RecordedRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body };
      requests.push(recorded);
      const step = script[Math.min(requests.length, script.length) - 1];
      if (step === undefined) {
        res.writeHead(500).end('{"error":"no scripted reply"}');
        return;
      }
      answer(typeof step === 'function' ? step(recorded) : step, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    close: async () => {
      for (const t of timers) clearTimeout(t);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
