import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A fake outside server: answers from `answers` in turn (204 when none is left), records requests. */
export interface Receiver {
  url: string;
  received: {
    method: string;
    headers: IncomingMessage['headers'];
    body: string;
    path: string;
  }[];
  answers: { status: number; headers?: Record<string, string>; body?: Buffer | string }[];
  server: Server;
}

export async function startReceiver(): Promise<Receiver> {
  const receiver: Receiver = { url: '', received: [], answers: [], server: undefined as never };
  receiver.server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      receiver.received.push({
        method: request.method ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString(),
        path: request.url ?? '',
      });
      const answer = receiver.answers.shift() ?? { status: 204 };
      response.writeHead(answer.status, answer.headers);
      response.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(receiver.server.address() as AddressInfo).port}`;
  return receiver;
}

/** Stops `receiver`, dropping any connection still open. */
export async function stopReceiver(receiver: Receiver): Promise<void> {
  receiver.server.closeAllConnections();
  await new Promise((resolve) => receiver.server.close(resolve));
}
