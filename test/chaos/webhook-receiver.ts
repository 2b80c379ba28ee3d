import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** One webhook request as the receiver saw it. */
export interface ReceivedWebhook {
  at: number;
  /** `/endpoint` (the app's registered endpoint) or `/per-run` (a run's own webhookUrl). */
  path: string;
  webhookId: string;
  /** `run.completed`, … from the body; `?` when the body could not be read. */
  type: string;
  runId: string;
  /** The run status the body reports. */
  status: string;
  /** Whether the signature verified with the secret of its receiver. */
  signatureOk: boolean;
  /** What the receiver answered: a few first deliveries are refused, to exercise retries. */
  answered: number;
}

/**
 * A webhook receiver on 127.0.0.1 that records every request's `webhook-id`, verifies its
 * Standard Webhooks signature, and refuses `refuseShare` of the first requests of each id with
 * 503, so deliveries are retried under the same id.
 */
export class ChaosReceiver {
  readonly received: ReceivedWebhook[] = [];
  private readonly seen = new Set<string>();
  private readonly secrets = new Map<string, string>();
  private server = createServer();
  url = '';

  constructor(private readonly refuseShare = 0.05) {}

  /** The secret deliveries to `path` are signed with. */
  setSecret(path: string, secret: string): void {
    this.secrets.set(path, secret);
  }

  async start(): Promise<void> {
    this.server.on('request', (request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const path = (request.url ?? '').split('?')[0] ?? '';
        const headers = flatten(request.headers);
        const webhookId = headers['webhook-id'] ?? '';
        let type = '?';
        let runId = '?';
        let status = '?';
        try {
          const parsed = JSON.parse(body) as {
            type?: string;
            data?: { runId?: string; status?: string };
          };
          type = parsed.type ?? '?';
          runId = parsed.data?.runId ?? '?';
          status = parsed.data?.status ?? '?';
        } catch {
          // Recorded as unreadable.
        }
        let signatureOk = false;
        const secret = this.secrets.get(path);
        if (secret !== undefined) {
          try {
            new Webhook(secret).verify(body, headers);
            signatureOk = true;
          } catch {
            signatureOk = false;
          }
        }
        const first = !this.seen.has(`${path} ${webhookId}`);
        this.seen.add(`${path} ${webhookId}`);
        const answered = first && Math.random() < this.refuseShare ? 503 : 204;
        this.received.push({
          at: Date.now(),
          path,
          webhookId,
          type,
          runId,
          status,
          signatureOk,
          answered,
        });
        response.writeHead(answered);
        response.end();
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

function flatten(headers: IncomingHttpHeaders): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [
      name,
      Array.isArray(value) ? value.join(', ') : (value ?? ''),
    ]),
  );
}
