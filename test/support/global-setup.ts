import type { TestProject } from 'vitest/node';
import { ensureNats, type NatsHandle } from '@handrail/launcher';

let handle: NatsHandle | undefined;

/** Integration tests need a real JetStream: NATS_URL, else 127.0.0.1:4222, else one we start. */
export async function setup(project: TestProject): Promise<void> {
  handle = await ensureNats({ envUrl: process.env['NATS_URL'], log: (s) => console.log(`[nats] ${s}`) });
  project.provide('natsUrl', handle.url);
}

export async function teardown(): Promise<void> {
  await handle?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    natsUrl: string;
  }
}
