import type { Duplex } from 'node:stream'
import type { Dispatcher } from 'undici'

/** What an exchange is told by its handler. */
export interface ExchangeListener {
  /** A connection took the request: undici writes its head now. */
  connected(controller: Dispatcher.DispatchController): void
  /** The response headers arrived (`controller.rawHeaders` holds them). */
  responseStarted(controller: Dispatcher.DispatchController, statusCode: number): void
  /** A chunk of the response body (`controller.pause()` to apply backpressure). */
  data(controller: Dispatcher.DispatchController, chunk: Buffer): void
  /** The upstream switched protocols (`101`): the connection is the caller's now. */
  upgraded(controller: Dispatcher.DispatchController, statusCode: number, socket: Duplex): void
  /** The response body is complete. */
  ended(): void
  /** undici failed the exchange. */
  failed(error: Error): void
}

/**
 * The undici dispatch handler of one exchange, on undici's current handler API: it only passes
 * what undici tells on to the exchange, which holds the state.
 */
export class ExchangeHandler implements Dispatcher.DispatchHandler {
  constructor(private readonly exchange: ExchangeListener) {}

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.exchange.connected(controller)
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number): void {
    this.exchange.responseStarted(controller, statusCode)
  }

  onRequestUpgrade(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    _headers: unknown,
    socket: Duplex,
  ): void {
    this.exchange.upgraded(controller, statusCode, socket)
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.exchange.data(controller, chunk)
  }

  onResponseEnd(): void {
    this.exchange.ended()
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.exchange.failed(error)
  }
}
