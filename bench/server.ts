import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

const CLI = path.resolve(import.meta.dirname, '../src/cli.ts');
const PACKAGE_JSON = path.resolve(import.meta.dirname, '../package.json');
/** How long `vigil serve` may take to start; BENCH_START_TIMEOUT_S raises it on a saturated machine. */
const START_TIMEOUT_MS = 1000 * (Number(process.env.BENCH_START_TIMEOUT_S) || 60);
const STOP_TIMEOUT_MS = 10_000;

/** The environment of every Vigil process the benchmark starts: loopback, no rate limits, no Redis. */
export function vigilEnv(database: Record<string, string>): NodeJS.ProcessEnv {
  const { DATABASE_URL: _db, DATA_DIR: _dir, REDIS_URL: _redis, ...inherited } = process.env;
  return {
    ...inherited,
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'info',
    RATE_LIMIT_ACCOUNT_PER_SECOND: '0',
    RATE_LIMIT_ACCOUNT_PER_MINUTE: '0',
    RATE_LIMIT_INTEGRATION_PER_SECOND: '0',
    RATE_LIMIT_INTEGRATION_PER_MINUTE: '0',
    // A benchmark's server is stopped directly, with no balancer to drain.
    SHUTDOWN_DRAIN_SECONDS: '0',
    ...database,
  };
}

export type Server = {
  url: string;
  pid: number;
  /** Milliseconds from spawn to the 'Vigil is listening' log line. */
  startMs: number;
  /** Resident set size of the server process now, in MiB. */
  rssMb(): number;
  /** Highest resident set size the server process has had so far, in MiB. */
  peakRssMb(): number;
  /** CPU time the server process has used so far (user + system), in milliseconds. */
  cpuMs(): number;
  /** Everything the process wrote so far (for error reports). */
  output(): string;
  stop(): Promise<void>;
};

/** A memory figure of /proc/<pid>/status in MiB: VmRSS (resident now) or VmHWM (resident at peak). */
export function statusMb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(match[1]) / 1024;
}

/** Clock ticks per second of /proc's CPU times (USER_HZ): 100 on Linux. */
const USER_HZ = 100;

/** User + system CPU time of a process so far (/proc/<pid>/stat fields 14 and 15), in milliseconds. */
export function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) is in parentheses and may hold spaces: count fields after it.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / USER_HZ;
}

/** Share of the machine's CPU time that was idle over `ms` milliseconds (/proc/stat), in percent. */
export async function idlePercent(ms: number): Promise<number> {
  const sample = () => {
    const times = readFileSync('/proc/stat', 'utf8')
      .split('\n')[0]!
      .trim()
      .split(/\s+/)
      .slice(1, 9)
      .map(Number);
    return { total: times.reduce((a, b) => a + b, 0), idle: times[3]! + times[4]! };
  };
  const before = sample();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const after = sample();
  const total = after.total - before.total;
  return total > 0 ? (100 * (after.idle - before.idle)) / total : 100;
}

/**
 * The Node/V8 flags a server runs with: on PGlite those of `npm start` (package.json), the embedded
 * default a user runs; on PostgreSQL none (`npx vigil serve`, docs/deploy.md). BENCH_NODE_FLAGS="--flag …"
 * (or "" for none) replaces them, to measure what they cost.
 */
function nodeFlags(env: NodeJS.ProcessEnv): string[] {
  if (env.DATABASE_URL && process.env.BENCH_NODE_FLAGS === undefined) return [];
  const start = (JSON.parse(readFileSync(PACKAGE_JSON, 'utf8')) as { scripts: { start: string } }).scripts
    .start;
  const flags =
    process.env.BENCH_NODE_FLAGS ??
    start
      .split(' ')
      .filter((word) => word.startsWith('--'))
      .join(' ');
  return flags.split(' ').filter(Boolean);
}

/** With BENCH_CPU_PROF=DIR, every server writes a V8 CPU profile there when it stops (open in Chrome's DevTools). */
function profileFlags(): string[] {
  const dir = process.env.BENCH_CPU_PROF;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(dir)}`] : [];
}

/**
 * Spawns `node src/cli.ts serve` and resolves once it logs that it listens. `root`: another checkout
 * of Vigil to start instead (the insights benchmark's "before").
 */
export function startServer(env: NodeJS.ProcessEnv, root?: string): Promise<Server> {
  const started = performance.now();
  const cli = root ? path.resolve(root, 'src/cli.ts') : CLI;
  const child = spawn(process.execPath, [...nodeFlags(env), ...profileFlags(), cli, 'serve'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let pending = '';
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk;
  });

  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    const code = await exited;
    clearTimeout(timer);
    if (code !== 0) throw new Error(`vigil serve exited with ${code} on SIGTERM:\n${output.slice(-4000)}`);
  };

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`vigil serve did not start within ${START_TIMEOUT_MS / 1000} s:\n${output}`));
    }, START_TIMEOUT_MS);
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk;
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        if (!line.includes('Vigil is listening')) continue;
        const startMs = performance.now() - started;
        clearTimeout(timer);
        const pid = child.pid!;
        resolve({
          url: (JSON.parse(line) as { url: string }).url,
          pid,
          startMs,
          rssMb: () => statusMb(pid, 'VmRSS'),
          peakRssMb: () => statusMb(pid, 'VmHWM'),
          cpuMs: () => processCpuMs(pid),
          output: () => output,
          stop,
        });
      }
    });
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`vigil serve exited with ${code}:\n${output}`));
    });
  });
}

/** Runs a `vigil` CLI command to completion and returns its stdout, or throws with its stderr. */
export function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`vigil ${args.join(' ')} exited with ${code}:\n${stderr}`));
    });
  });
}
