import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { ensureNats, type NatsHandle } from '@handrail/launcher';

let handle: NatsHandle | undefined;
let encoderStore: string | undefined;

/** Integration tests need a real JetStream: NATS_URL, else 127.0.0.1:4222, else one we start. */
export async function setup(project: TestProject): Promise<void> {
  handle = await ensureNats({ envUrl: process.env['NATS_URL'], log: (s) => console.log(`[nats] ${s}`) });
  project.provide('natsUrl', handle.url);
  // One vector store for this run (fresh, so every vector is still computed by the model once): the
  // demo pack's phrases are embedded by the first process that trains on them, read by the others.
  encoderStore = fs.mkdtempSync(path.join(os.tmpdir(), 'handrail-encoder-store-'));
  project.provide('encoderStoreDir', encoderStore);
}

export async function teardown(): Promise<void> {
  await handle?.stop();
  if (encoderStore) fs.rmSync(encoderStore, { recursive: true, force: true });
}

declare module 'vitest' {
  export interface ProvidedContext {
    natsUrl: string;
    encoderStoreDir: string;
  }
}
