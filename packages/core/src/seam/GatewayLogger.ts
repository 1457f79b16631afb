/**
 * A logger the gateway writes its records to: pino's shape (`logger.error(object, message)`), which
 * Fastify's `request.log`, pino, bunyan-style and most structured loggers accept.
 */
export interface GatewayLogger {
  error(record: object, message?: string): void
  warn(record: object, message?: string): void
  info(record: object, message?: string): void
  debug(record: object, message?: string): void
}
