import type { ResolvedHealthCheck } from '../options/resolveOptions.js'
import type { Destination } from './TargetSet.js'

/** Told when a target's health check verdict changes. */
export type ProbeVerdict = (destination: Destination, passing: boolean) => void

/**
 * Active health checks: each target is probed with `GET <prefix><path>` on its own timer, through its
 * own pool (so its TLS settings), with no client headers. A target whose probe fails is out of the
 * rotation until a probe passes again (`TargetState.failingProbe`). The first probes are spread over
 * one interval (no thundering herd), timers never keep the process alive, and `stop()` ends them.
 */
export class HealthChecker {
  private readonly timers = new Set<NodeJS.Timeout>()
  private readonly probing = new Set<AbortController>()
  private stopped = false

  constructor(
    private readonly destinations: readonly Destination[],
    private readonly settings: ResolvedHealthCheck,
    private readonly userAgent: string,
    private readonly onVerdict: ProbeVerdict,
  ) {}

  start(): void {
    const count = this.destinations.length
    this.destinations.forEach((destination, i) => {
      this.schedule(destination, Math.floor((this.settings.interval * i) / count))
    })
  }

  stop(): void {
    this.stopped = true
    for (const timer of this.timers) clearTimeout(timer)
    this.timers.clear()
    for (const probe of this.probing) probe.abort()
    this.probing.clear()
  }

  private schedule(destination: Destination, delay: number): void {
    if (this.stopped) return
    const timer = setTimeout(() => {
      this.timers.delete(timer)
      void this.probe(destination).then((passing) => {
        if (this.stopped) return
        if (passing === destination.state.failingProbe) this.onVerdict(destination, passing)
        this.schedule(destination, this.settings.interval)
      })
    }, delay)
    timer.unref()
    this.timers.add(timer)
  }

  /** Probe once: whether the target answered with a healthy status in time. Never rejects. */
  private async probe(destination: Destination): Promise<boolean> {
    const controller = new AbortController()
    this.probing.add(controller)
    const timer = setTimeout(() => controller.abort(), this.settings.timeout)
    timer.unref()
    try {
      const response = await destination.dispatcher.request({
        path: `${destination.target.basePath}${this.settings.path}`,
        method: 'GET',
        headers: { 'user-agent': this.userAgent },
        signal: controller.signal,
      })
      await response.body.dump()
      const healthy = this.settings.healthyStatuses
      return healthy === undefined
        ? response.statusCode >= 200 && response.statusCode < 400
        : healthy.has(response.statusCode)
    } catch {
      return false
    } finally {
      clearTimeout(timer)
      this.probing.delete(controller)
    }
  }
}
