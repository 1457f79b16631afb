import { edgeContract } from './edgeContract.js'
import { errorPageContract } from './errorPageContract.js'
import { failureContract } from './failureContract.js'
import { hardeningContract } from './hardeningContract.js'
import type { BuildApp } from './harness.js'
import { headerContract } from './headerContract.js'
import { limitsContract } from './limitsContract.js'
import { pathContract } from './pathContract.js'
import { retryContract } from './retryContract.js'
import { shutdownContract } from './shutdownContract.js'
import { streamingContract } from './streamingContract.js'
import { tlsContract } from './tlsContract.js'

/**
 * The adapter contract: every behaviour of proxy mode, proven through a real framework. Each
 * framework's test file runs it with its own app builder.
 */
export function proxyContract(build: BuildApp): void {
  failureContract(build)
  errorPageContract(build)
  headerContract(build)
  pathContract(build)
  limitsContract(build)
  retryContract(build)
  shutdownContract(build)
  streamingContract(build)
  tlsContract(build)
  hardeningContract(build)
  edgeContract(build)
}
