import { readdirSync, readlinkSync } from 'node:fs'

/**
 * Open sockets of a process: its /proc/<pid>/fd entries that link to `socket:[…]` (Linux). They
 * include the listening socket and the IPC channel, so compare counts, not against zero.
 *
 * @param {number} pid
 * @returns {number}
 */
export function countSockets(pid) {
  let sockets = 0
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      if (readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('socket:')) sockets++
    } catch {
      // closed between listing and reading
    }
  }
  return sockets
}
