import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { statusMb } from './server.ts';

/*
 * A Prometheus Alertmanager on 127.0.0.1 for comparison: its own temporary storage, no cluster, and
 * one route to a receiver without integrations (a blackhole), so it only takes and stores alerts.
 */

const BINARY = process.env.BENCH_ALERTMANAGER ?? 'prometheus-alertmanager';
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;

export type Alertmanager = {
  url: string;
  pid: number;
  version: string;
  rssMb(): number;
  stop(): Promise<void>;
};

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Runs `BINARY --version`; undefined when it cannot be run. */
function version(): Promise<string | undefined> {
  return new Promise((resolve) => {
    const child = spawn(BINARY, ['--version'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk;
    });
    child.stderr.on('data', (chunk: Buffer) => {
      out += chunk;
    });
    child.on('error', () => resolve(undefined));
    child.on('close', (code) =>
      resolve(code === 0 ? (/version (\S+)/.exec(out)?.[1] ?? 'unknown') : undefined),
    );
  });
}

/** Starts Alertmanager and waits until it is ready; `{ missing }` says why when it cannot be run. */
export async function startAlertmanager(): Promise<Alertmanager | { missing: string }> {
  const found = await version();
  if (!found) return { missing: `${BINARY} is not installed (or set BENCH_ALERTMANAGER to its path)` };
  const dir = mkdtempSync(path.join(tmpdir(), 'vigil-bench-am-'));
  const config = path.join(dir, 'alertmanager.yml');
  writeFileSync(
    config,
    ['route:', '  receiver: blackhole', 'receivers:', '  - name: blackhole', ''].join('\n'),
  );
  const port = await freePort();
  const child = spawn(
    BINARY,
    [
      `--config.file=${config}`,
      `--storage.path=${dir}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk).slice(-4000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  const url = `http://127.0.0.1:${port}`;

  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`${BINARY} exited with ${child.exitCode}:\n${output}`);
    }
    const ready = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${BINARY} did not answer within ${START_TIMEOUT_MS / 1000} s:\n${output}`);
    }
    await sleep(100);
  }
  const pid = child.pid!;
  return { url, pid, version: found, rssMb: () => statusMb(pid, 'VmRSS'), stop };
}
