import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import Fastify from 'fastify';
import { statusMb } from './server.ts';

/*
 * The floor under any one-event push on this machine: a Fastify server (Vigil's version) whose push
 * route only parses the JSON body and answers the alert_key — no validation, no key lookup, no
 * database. Vigil cannot answer one-event pushes faster than this; the ingestion benchmark loads it
 * like Vigil (docs/benchmarks.md, "Ingestion"). Its `GET /empty` answers nothing at all: the floor
 * under any read, which the status page benchmark loads alongside the public page.
 *
 * Run as `node bench/http-floor.ts serve`, it serves and prints its port; startHttpFloor() does so.
 */

const START_TIMEOUT_MS = 30_000;

export type HttpFloor = { url: string; pid: number; rssMb(): number; stop(): Promise<void> };

async function serve(): Promise<void> {
  const app = Fastify();
  app.post('/event/push/alert/standard', async (request) => ({
    request_id: '',
    data: { alert_key: (request.body as { alert_key?: string }).alert_key ?? '' },
  }));
  app.get('/empty', async () => '');
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  process.stdout.write(`${address}\n`);
  process.once('SIGTERM', () => void app.close());
}

export async function startHttpFloor(): Promise<HttpFloor> {
  const child = spawn(process.execPath, [import.meta.filename, 'serve'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise((resolve) => child.once('close', resolve));
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk;
  });
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!out.includes('\n')) {
    if (child.exitCode !== null) throw new Error(`the HTTP floor server exited with ${child.exitCode}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('the HTTP floor server did not start');
    }
    await sleep(20);
  }
  const pid = child.pid!;
  return {
    url: out.trim(),
    pid,
    rssMb: () => statusMb(pid, 'VmRSS'),
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

if (process.argv[1] === import.meta.filename && process.argv[2] === 'serve') await serve();
