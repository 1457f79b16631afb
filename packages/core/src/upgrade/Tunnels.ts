import type { Socket } from 'node:net'
import type { Duplex } from 'node:stream'

/**
 * The upgraded connections of one gateway. They left undici's pool at the switch (its connection
 * limit does not count them, and closing it does not close them), so the gateway keeps them here:
 * each one is a relay of bytes both ways with backpressure (`pipe`), Nagle off on both sockets, and
 * one side closing or failing closes the other at once.
 */
export class Tunnels {
  /** Each open tunnel's client socket, and how to close the tunnel. */
  private readonly open = new Map<Duplex, () => void>()

  private emptied: (() => void) | undefined

  /** Tunnels open now. */
  get size(): number {
    return this.open.size
  }

  /**
   * Relay between the client and the upstream after the switch: first the `101` head to the client
   * and the bytes the client sent after its request (`head`) to the upstream.
   * @param idleMs close the tunnel after this long without a byte either way (`0`: never)
   */
  relay(client: Duplex, upstream: Duplex, switched: Buffer, head: Buffer, idleMs: number): void {
    const sockets = [client, upstream]
    for (const socket of sockets) (socket as Partial<Socket>).setNoDelay?.(true)
    let closed = false
    const close = (): void => {
      if (closed) return
      closed = true
      this.open.delete(client)
      if (this.open.size === 0) this.emptied?.()
      client.destroy()
      upstream.destroy()
    }
    for (const socket of sockets) {
      socket.on('error', close)
      socket.on('close', close)
    }
    if (idleMs > 0) (client as Partial<Socket>).setTimeout?.(idleMs, close)
    this.open.set(client, close)
    client.write(switched)
    if (head.length > 0) upstream.write(head)
    upstream.pipe(client)
    client.pipe(upstream)
  }

  /** Resolves once no tunnel is open. */
  whenEmpty(): Promise<void> {
    if (this.open.size === 0) return Promise.resolve()
    return new Promise((resolve) => {
      this.emptied = resolve
    })
  }

  /** End every tunnel still open; returns how many there were. */
  endAll(): number {
    const count = this.open.size
    for (const close of [...this.open.values()]) close()
    return count
  }
}
