/**
 * fp-ts's `pipe` and `flow`, offered from terrapin itself: a user's module then needs one import
 * in every module system. `import { pipe } from 'fp-ts/function'` works in CommonJS and in
 * bundlers, but Node's own ESM loader refuses fp-ts's folder entry points
 * (`ERR_UNSUPPORTED_DIR_IMPORT`).
 */
import { flow as fpFlow, pipe as fpPipe } from 'fp-ts/function'

/**
 * fp-ts's `pipe`: passes a value through functions from left to right, `pipe(a, f, g)` being
 * `g(f(a))`. Plans are built and run with it.
 *
 * @example
 * import { pipe, query, run, where } from 'terrapin'
 * const rows = await pipe(query(Book), where({ title__contains: 'x' }), run(db))()
 */
export const pipe: typeof fpPipe = fpPipe

/**
 * fp-ts's `flow`: composes functions from left to right, `flow(f, g)` being `(...a) => g(f(...a))`.
 *
 * @example
 * import { flow, pipe, query, run, where } from 'terrapin'
 * const byTitle = flow((title: string) => pipe(query(Book), where({ title })), run(db))
 */
export const flow: typeof fpFlow = fpFlow
