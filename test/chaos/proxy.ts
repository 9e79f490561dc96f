// A TCP proxy between the components and the built-in engine, to stage an engine the network cannot reach:
// `refuse` resets every connection at once, `blackhole` accepts connections and never answers (calls time out),
// `delay` holds each new connection this long before connecting it. Every switch cuts the connections open at that
// moment (kept-alive ones included).
import net from 'node:net';

export type ProxyMode = { kind: 'pass' } | { kind: 'refuse' } | { kind: 'blackhole' } | { kind: 'delay'; ms: number };

export class EngineProxy {
  private server?: net.Server;
  private mode: ProxyMode = { kind: 'pass' };
  private readonly sockets = new Set<net.Socket>();
  port = 0;

  async listen(targetPort: number): Promise<void> {
    this.server = net.createServer((client) => this.accept(client, targetPort));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
  }

  setMode(mode: ProxyMode): void {
    this.mode = mode;
    this.cutAll(); // blackholed connections included, so that nothing waits for a timeout once the engine is back
  }

  private accept(client: net.Socket, targetPort: number): void {
    this.track(client);
    client.on('error', () => undefined);
    const mode = this.mode;
    if (mode.kind === 'refuse') return void client.resetAndDestroy();
    if (mode.kind === 'blackhole') return; // held open, never answered, until the mode changes
    const connect = () => {
      if (client.destroyed) return;
      const upstream = net.connect(targetPort, '127.0.0.1');
      this.track(upstream);
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      client.pipe(upstream);
      upstream.pipe(client);
    };
    if (mode.kind === 'delay') setTimeout(connect, mode.ms);
    else connect();
  }

  private track(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }

  private cutAll(): void {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  async close(): Promise<void> {
    this.cutAll();
    if (this.server) await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}
