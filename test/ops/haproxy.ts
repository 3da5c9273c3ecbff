import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../harness/ports.ts';

/*
 * Debian's HAProxy in front of Vigil instances on 127.0.0.1, with the configuration docs/deploy.md
 * recommends ("A load balancer"): health checks on /readyz, a connection refused by a dead instance
 * tried again on another one. Servers are fixed slots (ports chosen up front); a slot with nothing
 * listening is simply down, so a replacement instance joins by starting on a free slot's port.
 */

const HAPROXY = existsSync('/usr/sbin/haproxy') ? '/usr/sbin/haproxy' : 'haproxy';

/** The configuration of docs/deploy.md, on 127.0.0.1. */
function haproxyConfig(options: {
  port: number;
  servers: Array<{ name: string; port: number }>;
  socket: string;
}) {
  return `global
  maxconn 2000
  stats socket ${options.socket} mode 600 level admin

defaults
  mode http
  timeout connect 2s
  timeout client 30s
  timeout server 30s
  timeout check 2s
  # A connection an instance refuses (it died, or is not up yet) is tried again on another one.
  retries 3
  option redispatch 1
  retry-on conn-failure

frontend vigil
  bind 127.0.0.1:${options.port}
  default_backend vigil

backend vigil
  balance roundrobin
  option httpchk GET /readyz
  http-check expect status 200
  default-server inter 1s fall 2 rise 2
${options.servers.map((s) => `  server ${s.name} 127.0.0.1:${s.port} check`).join('\n')}
`;
}

export type Balancer = {
  url: string;
  /** The state HAProxy gives each server ("UP", "DOWN", "UP 1/2", ...), from its stats socket. */
  states(): Promise<Record<string, string>>;
  /** Waits (bounded) until HAProxy sees the server in this state. */
  waitFor(server: string, state: 'UP' | 'DOWN', timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
};

export async function startHaproxy(servers: Array<{ name: string; port: number }>): Promise<Balancer> {
  const dir = mkdtempSync(path.join(tmpdir(), 'vigil-haproxy-'));
  const socket = path.join(dir, 'admin.sock');
  const port = await freePort();
  const file = path.join(dir, 'haproxy.cfg');
  writeFileSync(file, haproxyConfig({ port, servers, socket }));
  // -db: in the foreground, this test's child; Debian's service is never started.
  const child: ChildProcess = spawn(HAPROXY, ['-db', '-f', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (c) => {
    output += c;
  });
  child.stderr?.on('data', (c) => {
    output += c;
  });
  const command = (text: string) =>
    new Promise<string>((resolve, reject) => {
      const s = connect(socket);
      let answer = '';
      s.on('data', (c) => {
        answer += c;
      });
      s.on('error', reject);
      s.on('close', () => resolve(answer));
      s.end(`${text}\n`);
    });
  const states = async () => {
    const csv = await command('show stat');
    const result: Record<string, string> = {};
    for (const line of csv.split('\n')) {
      const cells = line.split(',');
      if (cells[0] === 'vigil' && cells[1] && cells[1] !== 'BACKEND') result[cells[1]] = cells[17] ?? '';
    }
    return result;
  };
  for (let i = 0; i < 100 && !existsSync(socket); i++) {
    if (child.exitCode !== null) break;
    await sleep(50);
  }
  if (!existsSync(socket)) {
    child.kill('SIGKILL');
    throw new Error(`haproxy did not start:\n${output}`);
  }
  return {
    url: `http://127.0.0.1:${port}`,
    states,
    async waitFor(server, state, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const now = (await states())[server];
        if (now === state) return;
        if (Date.now() > deadline)
          throw new Error(`haproxy: ${server} is ${now}, not ${state}, after ${timeoutMs} ms`);
        await sleep(100);
      }
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const closed = new Promise((resolve) => child.once('close', resolve));
        child.kill('SIGTERM');
        await closed;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
