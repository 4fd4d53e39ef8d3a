/** One authenticated `POST /api/<method>` to a test server, with the status and the parsed JSON reply. */
import http from 'node:http';
import type { ApiErrorBody } from '../../../src-shared/api/contract';

export interface ApiReply<R = Record<string, unknown>> {
  status: number;
  body: { result?: R; error?: ApiErrorBody };
}

export function postApi<R = Record<string, unknown>>(port: number, token: string, method: string, body: unknown): Promise<ApiReply<R>> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1', port, path: `/api/${method}`, method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as ApiReply<R>['body'] }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}
