/**
 * Streams that their owner can end: a database being closed, a transaction ending. Each open
 * iterator stays in the owner's set until it finishes, so that the owner can close the ones a
 * program left unfinished; an iterator so ended (or asked for after the owner closed) fails its
 * next call with the owner's error.
 */

/** The iterators of an owner still open, each as the function that ends it. */
export type OpenStreams = Set<() => Promise<unknown>>

export interface Owner {
  readonly open: OpenStreams
  /** Whether new streams may start. */
  readonly isOpen: () => boolean
  /** What a stream the owner ended (or refused) fails with. */
  readonly refused: () => Error
  /** Runs one call of the source's `next` (to count it, say). */
  readonly step?: <R>(next: () => Promise<R>) => Promise<R>
}

const direct = <R>(next: () => Promise<R>): Promise<R> => next()

/** `source`'s rows, as a stream its owner can end. */
export const endable = <A>(owner: Owner, source: () => AsyncIterable<A>): AsyncIterable<A> => ({
  [Symbol.asyncIterator]: (): AsyncIterator<A> => {
    if (!owner.isOpen()) return { next: () => Promise.reject(owner.refused()) }
    const it = source()[Symbol.asyncIterator]()
    const step = owner.step ?? direct
    let cut = false
    const end = async (): Promise<unknown> => ((cut = true), owner.open.delete(end), it.return?.())
    owner.open.add(end)
    return {
      next: async () => {
        if (cut) throw owner.refused()
        try {
          const r = await step(() => it.next())
          if (r.done) owner.open.delete(end)
          return r
        } catch (e) {
          owner.open.delete(end)
          throw e
        }
      },
      return: async (v?: unknown) => (owner.open.delete(end), it.return ? it.return(v) : { done: true, value: v }),
    }
  },
})
