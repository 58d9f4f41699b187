import { execFile } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { encodeJson, openBucket } from '@handrail/bus';
import { repoRoot } from '@handrail/launcher';
import { openTestBus, type TestBus } from '@handrail/testing';

describe('make demo-clean (issue 9)', () => {
  let tb: TestBus | undefined;
  afterAll(async () => {
    await tb?.cleanup();
  });

  it('demo-clean — deletes the prefix\'s streams and buckets and leaves other prefixes alone (issue 9)', async () => {
    tb = await openTestBus(inject('natsUrl'), 'democlean');
    const other = await openTestBus(inject('natsUrl'), 'demokeep');
    try {
      const customers = await openBucket(tb.bus, tb.topo.buckets.customers);
      await customers.put('c-1', encodeJson({ tier: 'vip' }));
      // The script `make demo-clean` runs, with the prefix the demo used.
      const r = await new Promise<{ code: number; out: string }>((resolve) =>
        execFile(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'libs/demo-runner/src/clean-demo.ts')], {
          cwd: repoRoot,
          env: { ...process.env, NATS_URL: inject('natsUrl'), HANDRAIL_PREFIX: tb?.topo.prefix ?? '' },
          timeout: 60_000,
        }, (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, out: stdout + stderr })),
      );
      expect(r.out).toContain(tb.topo.prefix);
      expect(r.code).toBe(0);
      const names: string[] = [];
      for await (const n of tb.bus.jsm.streams.names()) names.push(n);
      for (const s of Object.values(tb.topo.streams)) expect(names).not.toContain(s);
      expect(names).not.toContain(`KV_${tb.topo.buckets.customers}`);
      expect(names).toContain(other.topo.streams.events);
    } finally {
      await other.cleanup();
    }
  });
});
