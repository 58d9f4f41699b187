import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { eventually, openTestBus, testCredentials, type TestBus } from '@handrail/testing';
import { handrail, handrailLive } from '../support/cli.js';
import { publishSyntheticStream } from '../support/synthetic.js';

interface Line {
  seq: number;
  storedAt: string;
  event: { eventId: string; type: string; ticketId: string; received?: { ticket?: { body?: string } } };
}

const lines = (text: string): Line[] =>
  text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Line);

/** Issue 15: streaming export, resume cursors, time windows, replay --since and tail. */
describe('export, replay and tail stream the retained events (issue 15)', () => {
  let tb: TestBus;
  let env: Record<string, string>;
  let dir: string;
  let total = 0;
  beforeAll(async () => {
    tb = await openTestBus(inject('natsUrl'), 'export');
    total = (await publishSyntheticStream(tb.bus, tb.topo, { copies: 3 })).events;
    env = { NATS_URL: inject('natsUrl'), HANDRAIL_PREFIX: tb.topo.prefix, HANDRAIL_CREDENTIALS_DIR: testCredentials(), LOG_LEVEL: 'silent' };
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'handrail-export-test-'));
  });
  afterAll(async () => {
    await tb?.cleanup();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('export — every retained event once, oldest first, opened, in jsonl; a cursor resumes after the last one and appends only what is new', async () => {
    const out = path.join(dir, 'all.jsonl');
    const cursor = path.join(dir, 'all.cursor');
    const r = await handrail(env, ['export', '--out', out, '--cursor', cursor]);
    expect(r.code, r.stderr).toBe(0);
    const first = lines(fs.readFileSync(out, 'utf8'));
    expect(first).toHaveLength(total);
    expect(new Set(first.map((l) => l.event.eventId)).size).toBe(total);
    expect(first.every((l, i) => i === 0 || l.seq > (first[i - 1]?.seq ?? Infinity))).toBe(true);
    // Opened with the operator's keys: the customer's words, not the sealed form.
    const received = first.find((l) => l.event.type === 'received');
    expect(received?.event.received?.ticket?.body).toMatch(/\w+ \w+/);
    expect(JSON.parse(fs.readFileSync(cursor, 'utf8'))).toMatchObject({ seq: first.at(-1)?.seq });

    // Nothing new: a second run with the cursor writes nothing.
    const again = await handrail(env, ['export', '--out', out, '--cursor', cursor]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('exported 0 events');
    // More events arrive; the resumed export appends exactly those.
    const more = (await publishSyntheticStream(tb.bus, tb.topo, { copies: 1 })).events;
    const resumed = await handrail(env, ['export', '--out', out, '--cursor', cursor]);
    expect(resumed.code, resumed.stderr).toBe(0);
    const all = lines(fs.readFileSync(out, 'utf8'));
    expect(all).toHaveLength(total + more);
    expect(new Set(all.map((l) => l.seq)).size).toBe(total + more);
  });

  it('export — a cursor in the middle starts right after it; --from/--to bound by stored time; csv has a header and the decision columns', async () => {
    const full = lines((await handrail(env, ['export', '--quiet'])).stdout);
    const mid = full[Math.floor(full.length / 2)];
    if (!mid) throw new Error('empty stream');
    const cursor = path.join(dir, 'mid.cursor');
    fs.writeFileSync(cursor, JSON.stringify({ seq: mid.seq }));
    const tailHalf = lines((await handrail(env, ['export', '--cursor', cursor, '--quiet'])).stdout);
    expect(tailHalf[0]?.seq).toBe(mid.seq + 1);
    expect(tailHalf.length).toBe(full.filter((l) => l.seq > mid.seq).length);

    const from = full[10]?.storedAt ?? '';
    const to = full.at(-10)?.storedAt ?? '';
    const windowed = lines((await handrail(env, ['export', '--from', from, '--to', to, '--quiet'])).stdout);
    const expected = full.filter((l) => l.storedAt >= from && l.storedAt < to);
    expect(windowed.map((l) => l.seq)).toEqual(expected.map((l) => l.seq));

    const csv = await handrail(env, ['export', '--format', 'csv', '--type', 'concluded', '--quiet']);
    expect(csv.code, csv.stderr).toBe(0);
    const rows = parse(csv.stdout, { columns: true }) as Array<Record<string, string>>;
    expect(rows.length).toBe(full.filter((l) => l.event.type === 'concluded').length);
    expect(Object.keys(rows[0] ?? {})).toEqual(expect.arrayContaining(['seq', 'type', 'ticket_id', 'route', 'area', 'reasons', 'policy_rev', 'payload']));
    expect(rows.every((row) => row['type'] === 'concluded' && row['route'] !== '' && row['policy_rev'] !== '')).toBe(true);
  });

  it('export and replay — bad input exits 2 naming the flag or the cursor line; replay --limit says where it stopped', async () => {
    const bad = await handrail(env, ['export', '--format', 'xml']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--format: "xml" is not jsonl or csv');
    const badTime = await handrail(env, ['replay', '--since', 'yesterday-ish']);
    expect(badTime.code).toBe(2);
    expect(badTime.stderr).toContain('--since: "yesterday-ish"');
    const cursor = path.join(dir, 'bad.cursor');
    fs.writeFileSync(cursor, 'not json');
    const badCursor = await handrail(env, ['export', '--cursor', cursor]);
    expect(badCursor.code).toBe(2);
    expect(badCursor.stderr).toContain('line 1');
    const limited = await handrail(env, ['replay', '--limit', '5']);
    expect(limited.stdout.trim().split('\n')).toHaveLength(5);
    expect(limited.stderr).toMatch(/stopped at --limit 5 after seq \d+; more events follow/);
  });

  it('replay --since and tail — only what was stored since then; tail follows new events until interrupted', async () => {
    const recent = await handrail(env, ['replay', '--since', '1h', '--type', 'concluded']);
    expect(recent.code, recent.stderr).toBe(0);
    const n = recent.stdout.trim().split('\n').length;
    expect(n).toBeGreaterThan(0);
    const future = await handrail(env, ['replay', '--since', new Date(Date.now() + 60_000).toISOString()]);
    expect(future.stdout.trim()).toBe('');

    // tail reads the stream's last sequence, then opens its consumer: once that consumer is on the
    // server, what is published next is new to it (a fixed pause was too short on a busy machine).
    const consumers = async () => {
      const names = new Set<string>();
      for await (const c of tb.bus.jsm.consumers.list(tb.topo.streams.events)) names.add(c.name);
      return names;
    };
    const earlier = await consumers();
    const live = handrailLive(env, ['tail', '--type', 'concluded']);
    await eventually(async () => ([...(await consumers())].some((n) => !earlier.has(n)) ? true : undefined), 60_000, 100);
    expect(live.out()).toBe('');
    const added = await publishSyntheticStream(tb.bus, tb.topo, { copies: 1 });
    const until = Date.now() + 30_000;
    while (live.out().trim().split('\n').filter(Boolean).length < added.tickets && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
    live.child.kill('SIGINT');
    expect(await live.exited).toBe(0);
    const got = live.out().trim().split('\n');
    expect(got).toHaveLength(added.tickets);
    expect(got.every((l) => /concluded\s+\S+ (auto_resolved|awaiting_approval|escalated)/.test(l))).toBe(true);
  });
});
