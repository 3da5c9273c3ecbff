import { createServer } from 'node:net';

/*
 * Ports are drawn below Linux's ephemeral range (32768–60999): a port the kernel hands out for
 * listen(0) or an outgoing connection — another test file's server, a database client — can then
 * never take the port between this check and the test's own listen, which may come seconds later
 * (a test app migrates its database first).
 */
const LOWEST = 20_000;
const ABOVE_HIGHEST = 32_768;

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A port free on 127.0.0.1 right now, for a server a test starts (Vigil, Alertmanager, HAProxy). */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = LOWEST + Math.floor(Math.random() * (ABOVE_HIGHEST - LOWEST));
    if (await bindable(port)) return port;
  }
  throw new Error(`no free port between ${LOWEST} and ${ABOVE_HIGHEST - 1} on 127.0.0.1`);
}
