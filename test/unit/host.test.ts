/** The compute host in a real worker thread: answers, cancellation, time limits, restart. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { getEventListeners } from 'node:events';
import { HostClient } from '../../src/compute/host/client';
import { ProtocolError } from '../../src/protocol/endpoint';

const WORKER = join(process.cwd(), 'dist', 'worker.js');
const LI3N = `data_Li3N
_cell_length_a 3.648
_cell_length_b 3.648
_cell_length_c 3.875
_cell_angle_alpha 90
_cell_angle_beta 90
_cell_angle_gamma 120
_symmetry_space_group_name_H-M 'P 6/m m m'
loop_
_atom_site_label
_atom_site_type_symbol
_atom_site_fract_x
_atom_site_fract_y
_atom_site_fract_z
Li1 Li1+ 0 0 0.5
Li2 Li1+ 0.33333 0.66667 0
N1 N3- 0 0 0
`;

function newHost(timeoutMs = 20_000) {
  const problems: string[] = [];
  const host = new HostClient(WORKER, { onProblem: (m) => problems.push(m) }, timeoutMs);
  return { host, problems };
}

test('host answers info and analyzeDocument from a worker thread', { skip: !existsSync(WORKER) && 'build first' }, async () => {
  const { host } = newHost();
  try {
    const ping = await host.request('ping', {});
    assert.ok(ping.pid !== process.pid || ping.threadId !== 0, 'must run off the main thread (its own process by default)');
    const info = await host.request('info', { text: LI3N });
    assert.equal(info.ok, true);
    assert.equal(info.summary?.formula, 'Li3N');
    assert.equal(info.summary?.atomsInCell, 4);
    const a = await host.request('analyzeDocument', { text: LI3N });
    assert.equal(a.symbols[0].name, 'data_Li3N');
    assert.ok(a.atomSiteRows.find((r) => r.label === 'Li2')?.multiplicity === 2);
  } finally { host.dispose(); }
});

test('a hung host is terminated at the time limit and restarted for the next request', { skip: !existsSync(WORKER) && 'build first' }, async () => {
  const { host, problems } = newHost();
  try {
    const first = await host.request('ping', {});
    // The limit of this one request (a per-method limit); the start-up ping keeps the default.
    await assert.rejects(host.request('spin', { ms: 5_000 }, { timeoutMs: 500 }), (e: unknown) => e instanceof ProtocolError && e.code === 'timeout');
    assert.equal(problems.length, 1, 'the user is told');
    const second = await host.request('ping', {});
    assert.ok(second.startedAt >= first.startedAt && (second.pid !== first.pid || second.threadId !== first.threadId), 'a fresh host answers');
  } finally { host.dispose(); }
});

test('cancelling a request rejects it with cancelled', { skip: !existsSync(WORKER) && 'build first' }, async () => {
  const { host } = newHost();
  try {
    const ac = new AbortController();
    const p = host.request('info', { text: LI3N.repeat(1) }, { signal: ac.signal });
    ac.abort();
    await assert.rejects(p, (e: unknown) => e instanceof ProtocolError && e.code === 'cancelled');
    // The host still serves afterwards.
    assert.equal((await host.request('info', { text: LI3N })).ok, true);
  } finally { host.dispose(); }
});

test('one signal for many requests (a rank run) keeps no listener per finished request', { skip: !existsSync(WORKER) && 'build first' }, async () => {
  const { host } = newHost();
  try {
    const ac = new AbortController();
    for (let i = 0; i < 15; i++) assert.equal((await host.request('info', { text: LI3N }, { signal: ac.signal })).ok, true);
    // Before the fix each request left its listener behind (Node warned "MaxListenersExceededWarning" after 10 files).
    assert.equal(getEventListeners(ac.signal, 'abort').length, 0);
  } finally { host.dispose(); }
});

test('bad input is an answer with located messages, not a host error', { skip: !existsSync(WORKER) && 'build first' }, async () => {
  const { host } = newHost();
  try {
    const r = await host.request('info', { text: "data_x\n_cell_length_a 'unterminated\n" });
    assert.equal(r.ok, false);
    assert.ok(r.messages.some((m) => m.code === 'syntax-error' && m.at?.line === 1));
    const bin = await host.request('info', { text: readFileSync(WORKER).subarray(0, 3000).toString('latin1') });
    assert.equal(bin.ok, false);
  } finally { host.dispose(); }
});

test('onStarted is called once the host has received a request, after its start-up and before the answer', { skip: !existsSync(WORKER) && 'build first' }, async () => {
  const { host } = newHost();
  try {
    const events: string[] = [];
    const t0 = Date.now();
    let startedAfterMs = -1;
    const answer = host.request('info', { text: LI3N }, { onStarted: () => { events.push('started'); startedAfterMs = Date.now() - t0; } }).then((r) => { events.push('answered'); return r; });
    assert.deepEqual(events, [], 'not before the host has it');
    assert.equal((await answer).ok, true);
    assert.deepEqual(events, ['started', 'answered']);
    assert.ok(startedAfterMs >= 0);
    // A running host receives the next request at once.
    let again = false;
    await host.request('ping', {}, { onStarted: () => { again = true; } });
    assert.ok(again);
  } finally { host.dispose(); }
});
