/**
 * A local HTTP server for byte-source tests: serves files from a directory with RFC 9110 Range
 * support, and can misbehave on demand (ignore Range, lie about sizes, send short bodies, fail
 * transiently, stall).
 */
import { createServer, type Server } from 'node:http';
import { readFileSync, existsSync, statSync } from 'node:fs';
import { join, normalize } from 'node:path';
import type { AddressInfo } from 'node:net';

/** Fault modes. */
export type Fault =
  'none' | 'ignore-range' | 'lie-total' | 'wrong-start' | 'short-body' | 'long-body' | 'stall';

/** A running server with request log and fault controls. */
export interface RangeServer {
  readonly url: string;
  readonly requests: { path: string; range: string | undefined }[];
  fault: Fault;
  /** Fail this many next requests with 503. */
  failNext: number;
  close(): Promise<void>;
}

/** Start serving `root` on 127.0.0.1 with a random port. */
export async function startRangeServer(root: string): Promise<RangeServer> {
  const state = { fault: 'none' as Fault, failNext: 0 };
  const requests: { path: string; range: string | undefined }[] = [];
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    requests.push({ path, range: req.headers.range });
    if (state.failNext > 0) {
      state.failNext--;
      res.writeHead(503).end('busy');
      return;
    }
    const file = normalize(join(root, path));
    if (!file.startsWith(root) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end('not found');
      return;
    }
    const body = readFileSync(file);
    const m = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
    if (!m || state.fault === 'ignore-range') {
      res.writeHead(200, { 'Content-Length': body.length }).end(body);
      return;
    }
    if (state.fault === 'stall') return; // never answer
    let start = Number(m[1]);
    const end = Math.min(Number(m[2]), body.length - 1);
    if (start >= body.length) {
      res.writeHead(416, { 'Content-Range': `bytes */${body.length}` }).end();
      return;
    }
    let total = body.length;
    if (state.fault === 'lie-total') total += 1000;
    if (state.fault === 'wrong-start') start += 1;
    let chunk = body.subarray(start, end + 1);
    if (state.fault === 'short-body') chunk = chunk.subarray(0, Math.max(0, chunk.length - 3));
    if (state.fault === 'long-body') chunk = Buffer.concat([chunk, Buffer.from('extra')]);
    res.writeHead(206, {
      'Content-Range': `bytes ${start}-${end}/${total}`,
      'Transfer-Encoding': 'chunked',
    });
    res.end(chunk);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get fault() {
      return state.fault;
    },
    set fault(f: Fault) {
      state.fault = f;
    },
    get failNext() {
      return state.failNext;
    },
    set failNext(n: number) {
      state.failNext = n;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
