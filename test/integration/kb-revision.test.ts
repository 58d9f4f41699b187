import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { encodeJson, openBucket } from '@handrail/bus';
import { demoPaths } from '@handrail/demo';
import { ingestDirectory, toSnapshot } from '@handrail/kb';
import { KB_SNAPSHOT_KEY } from '@handrail/runtime';
import { eventually, openTestBus, type TestBus } from '@handrail/testing';
import { conclusions, intakeClient, startInProcess, timeline, type InProcessPipeline } from '../support/pipeline.js';

describe('knowledge base revisions over the bus (issue 5)', () => {
  let tb: TestBus;
  let pipeline: InProcessPipeline;
  let dir: string;

  beforeAll(async () => {
    tb = await openTestBus(inject('natsUrl'), 'kbrev');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'handrail-kb-'));
    fs.cpSync(demoPaths.kb, dir, { recursive: true });
    pipeline = await startInProcess(inject('natsUrl'), tb.topo.prefix, { KB_DIR: dir });
  });
  afterAll(async () => {
    await pipeline?.stop();
    await tb?.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const citedVersions = async (ticketId: string) => {
    const events = await timeline(tb.bus, tb.topo, ticketId);
    const drafted = events.find((e) => e.payload?.$case === 'drafted');
    const draft = drafted?.payload?.$case === 'drafted' ? drafted.payload.value.draft : undefined;
    return { kb: drafted?.revisions?.kb, versions: new Set(draft?.citations.filter((c) => c.articleId === 'shipping-times').map((c) => c.articleVersion)) };
  };

  it('kb — an edited, re-published article is cited at its new version; earlier decisions keep the old one', async () => {
    const client = intakeClient(pipeline.grpcAddr);
    const body = 'How long does standard shipping take?';
    const first = await client.submit({ connector: 'kb', externalId: 'k-1', customerId: 'c-k1', body });
    await eventually(async () => (await conclusions(tb.bus, tb.topo)).get(first.ticketId));
    const before = await citedVersions(first.ticketId);
    expect(before.versions.size).toBe(1);

    const file = path.join(dir, 'shipping-times.md');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/5-7 business days/g, '4-6 business days'));
    const snapshot = toSnapshot(await ingestDirectory(dir));
    expect(snapshot.revision).not.toBe(before.kb);
    const kv = await openBucket(tb.bus, tb.topo.buckets.kb, { history: 10 });
    await kv.put(KB_SNAPSHOT_KEY, encodeJson(snapshot));

    const after = await eventually(async () => {
      const r = await client.submit({ connector: 'kb', externalId: `k-${Date.now()}`, customerId: `c-${Date.now()}`, body });
      await eventually(async () => (await conclusions(tb.bus, tb.topo)).get(r.ticketId));
      const v = await citedVersions(r.ticketId);
      return v.kb === snapshot.revision ? v : undefined;
    }, 20_000, 300);
    client.close();
    expect([...after.versions][0]).not.toBe([...before.versions][0]);
    // The first ticket's events are unchanged: it still names the version it used.
    expect(await citedVersions(first.ticketId)).toEqual(before);
  }, 60_000);
});
