import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A TCP forwarder in front of one broker's proxied listener, which can cut its clients off the
 * way a network partition does: established connections go silent (nothing is forwarded either
 * way, nothing is closed), and new ones are accepted but never answered. Healing closes what was
 * held, so clients reconnect and carry on. Only the clients bootstrapped through the proxies (one
 * worker) are affected; every other process reaches the brokers directly.
 */
export class KafkaProxy {
  private readonly server: Server;
  private readonly pairs = new Set<{ client: Socket; broker?: Socket }>();
  private cut = false;

  private constructor(
    readonly port: number,
    private readonly brokerPort: number,
  ) {
    this.server = createServer((client) => this.accept(client));
  }

  /** Listens on `port`, forwarding to `brokerPort` on 127.0.0.1. */
  static async start(port: number, brokerPort: number): Promise<KafkaProxy> {
    const proxy = new KafkaProxy(port, brokerPort);
    await new Promise<void>((resolve, reject) => {
      proxy.server.once('error', reject);
      proxy.server.listen(port, '127.0.0.1', () => resolve());
    });
    return proxy;
  }

  /** Silences every connection, open and new, until {@link heal}. */
  partition(): void {
    this.cut = true;
    for (const { client, broker } of this.pairs) {
      client.pause();
      broker?.pause();
      client.unpipe();
      broker?.unpipe();
    }
  }

  /** Ends the partition: held connections are closed, new ones forwarded again. */
  heal(): void {
    this.cut = false;
    for (const pair of [...this.pairs]) this.drop(pair);
  }

  async close(): Promise<void> {
    for (const pair of [...this.pairs]) this.drop(pair);
    await new Promise((resolve) => this.server.close(resolve));
  }

  private accept(client: Socket): void {
    const pair: { client: Socket; broker?: Socket } = { client };
    this.pairs.add(pair);
    client.on('error', () => this.drop(pair));
    client.on('close', () => this.drop(pair));
    if (this.cut) {
      // Accepted, never answered: what a client sees of a dropped network.
      client.pause();
      return;
    }
    const broker = connect(this.brokerPort, '127.0.0.1');
    pair.broker = broker;
    broker.on('error', () => this.drop(pair));
    broker.on('close', () => this.drop(pair));
    client.pipe(broker);
    broker.pipe(client);
  }

  private drop(pair: { client: Socket; broker?: Socket }): void {
    if (!this.pairs.delete(pair)) return;
    pair.client.destroy();
    pair.broker?.destroy();
  }
}
