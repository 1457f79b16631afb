import Koa from 'koa'
import Koa2 from 'koa2'

/** A Koa major that the contract and adapter suites run on. */
export interface KoaVersion {
  /** The suites' describe name. */
  readonly name: string
  readonly Koa: typeof Koa
}

export const KOA_3: KoaVersion = { name: 'koa 3', Koa }

/**
 * Koa 2 (the `koa2` npm alias). Its class is typed with Koa 3's types here: the adapter's
 * declarations are compiled against @types/koa 3, which a Koa 2 app's types can't meet in one
 * program; test/types checks the adapter against @types/koa 2 on its own.
 */
export const KOA_2: KoaVersion = { name: 'koa 2', Koa: Koa2 as unknown as typeof Koa }

export const KOA_VERSIONS: readonly KoaVersion[] = [KOA_3, KOA_2]
