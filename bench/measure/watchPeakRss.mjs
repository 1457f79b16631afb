import { readRss, resetPeakRss } from './readRss.mjs'

/** How often the process's RSS is sampled, in ms. */
const RSS_SAMPLE_INTERVAL_MS = 20

/**
 * @typedef {object} PeakRssWatch
 * @property {number} rssBefore the process's RSS when the watch began, bytes
 * @property {() => number} stop end the sampling; returns the peak RSS growth over `rssBefore`, bytes
 */

/**
 * Watch the RSS of process `pid` (the proxy, or the upstream when direct) while something runs:
 * sampled every 20 ms from /proc, and its `VmHWM` after a reset catches peaks between samples.
 *
 * @param {number} pid
 * @returns {PeakRssWatch}
 */
export function watchPeakRss(pid) {
  const rssBefore = readRss(pid)
  const hwm = resetPeakRss(pid)
  let peak = rssBefore
  const sampler = setInterval(() => {
    try {
      peak = Math.max(peak, readRss(pid))
    } catch {
      // the process is gone: what it served fails on its own
    }
  }, RSS_SAMPLE_INTERVAL_MS)
  return {
    rssBefore,
    stop: () => {
      clearInterval(sampler)
      try {
        peak = Math.max(peak, readRss(pid), hwm ? readRss(pid, 'VmHWM') : 0)
      } catch {
        // gone
      }
      return peak - rssBefore
    },
  }
}
