import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';

/*
 * Issue 17, item 10: what Node's HTTP parser or Fastify's router refuses before any route runs
 * still answers in Flashduty's envelope. A real socket, since inject() bypasses the HTTP parser.
 */

let t: TestApp;
let owner: TestAccount;
let port: number;

beforeAll(async () => {
  t = await startTestApp();
  owner = await t.newAccount();
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  port = (t.app.server.address() as AddressInfo).port;
});
afterAll(() => t?.close());

type RawAnswer = { status: number; headers: Record<string, string>; body: string };

/** Writes bytes on a new connection and reads the answer until the server closes the connection. */
function exchange(request: string): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [head = '', body = ''] = text.split('\r\n\r\n', 2);
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers = Object.fromEntries(
        lines.map((line) => [
          line.slice(0, line.indexOf(':')).toLowerCase(),
          line.slice(line.indexOf(':') + 1).trim(),
        ]),
      );
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body });
    });
    // Written without ending our side: a half-closed connection may see its request aborted.
    // The server closes it after answering (every request here says Connection: close).
    socket.write(request);
    socket.setTimeout(10_000, () => socket.destroy(new Error('no answer within 10 s')));
  });
}

function expectEnvelope(answer: RawAnswer, status: number, code: string) {
  expect(answer.status, answer.body).toBe(status);
  expect(answer.headers['content-type']).toMatch(/^application\/json/);
  const body = JSON.parse(answer.body);
  expect(body).toEqual({ request_id: expect.any(String), error: { code, message: expect.any(String) } });
  expect(answer.headers['flashcat-request-id']).toBe(body.request_id);
}

describe('errors before a route runs', () => {
  it('answers a 100 KB query string with 431 in the envelope', async () => {
    const answer = await exchange(
      `POST /member/info?app_key=${owner.appKey}&q=${'x'.repeat(100 * 1024)} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
    );
    expectEnvelope(answer, 431, 'EntityTooLarge');
  });

  it('answers a header over the limit with 431 in the envelope', async () => {
    const answer = await exchange(
      `GET /healthz HTTP/1.1\r\nHost: x\r\nCookie: ${'c'.repeat(100 * 1024)}\r\nConnection: close\r\n\r\n`,
    );
    expectEnvelope(answer, 431, 'EntityTooLarge');
  });

  it('answers bytes that are not HTTP with 400 BadRequest in the envelope', async () => {
    expectEnvelope(await exchange('NOT HTTP AT ALL\r\n\r\n'), 400, 'BadRequest');
  });

  it('answers a URL the router cannot decode, and a path parameter over its length, in the envelope', async () => {
    expectEnvelope(
      await exchange('GET /status/%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'),
      400,
      'BadRequest',
    );
    expectEnvelope(
      await exchange(`GET /status/${'a'.repeat(500)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`),
      400,
      'BadRequest',
    );
  });

  it('still serves ordinary requests on the same server', async () => {
    const answer = await exchange(
      `POST /member/info?app_key=${owner.appKey} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
    );
    expect(answer.status, answer.body).toBe(200);
  });
});
