import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';

/*
 * A stand-in for Zabbix's webhook runtime, to run integrations/zabbix/vigil.js as Zabbix does
 * (https://www.zabbix.com/documentation/7.0/en/manual/config/notifications/media/webhook and
 * .../config/items/preprocessing/javascript/javascript_objects): the script is the body of a
 * function of `value` (the parameters as JSON), with Zabbix's `HttpRequest` (addHeader,
 * clearHeader, setProxy, get/post/put/delete, getStatus, getHeaders) and `Zabbix.log`. Zabbix's
 * HttpRequest is synchronous cURL: here each request runs in a child Node process that the worker
 * waits for, so the test's Vigil (on the main thread) can answer it. Errors are thrown, as Zabbix does.
 */

const DIR = path.resolve(import.meta.dirname, '../../../integrations/zabbix');
export const SCRIPT_PATH = path.join(DIR, 'vigil.js');
const MEDIA_TYPE_PATH = path.join(DIR, 'vigil_media_type.yaml');

/** One real HTTP request, made by the child process: the request as JSON on stdin, the answer on stdout. */
const FETCH = `
let input = '';
process.stdin.on('data', (c) => (input += c)).on('end', async () => {
  const q = JSON.parse(input);
  const headers = {};
  for (const line of q.headers) {
    const at = line.indexOf(':');
    headers[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  const res = await fetch(q.url, { method: q.method, headers, body: q.data === undefined ? undefined : q.data });
  process.stdout.write(JSON.stringify({ status: res.status, headers: Object.fromEntries(res.headers), body: await res.text() }));
});`;

const WORKER = `
const { workerData, parentPort } = require('node:worker_threads');
const vm = require('node:vm');
const { execFileSync } = require('node:child_process');
const logs = [];
const requests = [];
function HttpRequest() { this.headers = []; this.status = 0; this.received = {}; this.proxy = ''; }
HttpRequest.prototype.addHeader = function (header) { this.headers.push(String(header)); };
HttpRequest.prototype.clearHeader = function () { this.headers = []; };
HttpRequest.prototype.setProxy = function (proxy) { this.proxy = String(proxy); };
HttpRequest.prototype.getStatus = function () { return this.status; };
HttpRequest.prototype.getHeaders = function () { return this.received; };
HttpRequest.prototype.send = function (method, url, data) {
  requests.push({ method, url, headers: this.headers.slice(), data, proxy: this.proxy });
  const out = execFileSync(process.execPath, ['-e', workerData.fetch], {
    input: JSON.stringify({ method, url: String(url), headers: this.headers, data }),
    timeout: 10000,
  });
  const answer = JSON.parse(out.toString());
  this.status = answer.status;
  this.received = answer.headers;
  return answer.body;
};
for (const method of ['get', 'post', 'put', 'delete', 'patch']) {
  HttpRequest.prototype[method] = function (url, data) { return this.send(method.toUpperCase(), url, data); };
}
const Zabbix = { log: (level, message) => logs.push({ level, message: String(message) }) };
const context = vm.createContext({ HttpRequest, Zabbix, value: workerData.value });
try {
  const result = vm.runInContext('(function (value) {\\n' + workerData.script + '\\n})(value)', context, { timeout: 30000 });
  parentPort.postMessage({ result, logs, requests });
} catch (error) {
  parentPort.postMessage({ error: String(error), logs, requests });
}`;

export type MediaTypeRun = {
  result?: unknown;
  error?: string;
  logs: { level: number; message: string }[];
  requests: { method: string; url: string; headers: string[]; data: string; proxy: string }[];
};

/** Runs the media type's script with these parameters, as Zabbix runs a webhook. */
export function runMediaType(script: string, params: Record<string, string>): Promise<MediaTypeRun> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, {
      eval: true,
      workerData: { script, value: JSON.stringify(params), fetch: FETCH },
    });
    worker.once('message', (run: MediaTypeRun) => {
      resolve(run);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

/** The media type's `script` block and its parameters (name → value), read from the YAML export. */
export function readMediaType(): { script: string; parameters: Record<string, string> } {
  const lines = readFileSync(MEDIA_TYPE_PATH, 'utf8').split('\n');
  const start = lines.indexOf('      script: |');
  const script: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line !== '' && !line.startsWith('        ')) break;
    script.push(line.slice(8));
  }
  const parameters: Record<string, string> = {};
  for (let i = 0; i < start; i++) {
    const name = /^ {8}- name: (\S+)$/.exec(lines[i]!);
    const value = /^ {10}value: "(.*)"$/.exec(lines[i + 1] ?? '');
    if (name && value) parameters[name[1]!] = value[1]!;
  }
  while (script.at(-1) === '') script.pop();
  return { script: `${script.join('\n')}\n`, parameters };
}

/** Zabbix's macro resolution: each {MACRO} with a value is replaced; others stay as they are. */
export function resolveMacros(
  parameters: Record<string, string>,
  macros: Record<string, string>,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(parameters).map(([name, value]) => [
      name,
      value.replace(/\{[$A-Z0-9_.]+\}/g, (macro) => (Object.hasOwn(macros, macro) ? macros[macro]! : macro)),
    ]),
  );
}
