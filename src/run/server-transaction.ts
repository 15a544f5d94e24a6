/**
 * Transaction bookkeeping of the pooled runners (PostgreSQL, MySQL), written once: the record of
 * the connection a transaction holds (lost or not, statements waiting on it, savepoints named so
 * far, whether its session changed), and the bracket BEGIN … COMMIT/ROLLBACK and SAVEPOINT …
 * RELEASE/ROLLBACK TO sent as plain statements over a small per-driver record (`ServerTx`).
 */
import { Isolation } from './executor'
import { Classify } from './hook'
import { atCommit } from './pooled'

/**
 * The connection a transaction holds, as its statements (nested ones too, and the views
 * `withSignal` makes of the transaction) see it.
 */
export interface Held {
  /**
   * The connection was lost: nothing more may be given to the driver for it (a driver that
   * reconnects in place would run it outside the transaction).
   */
  lost: boolean
  /**
   * How to settle each statement not yet settled: a driver may leave statements it queued
   * (not yet sent) unsettled when the connection closes.
   */
  readonly waiting: Set<(e: unknown) => void>
  /** A statement may have changed the session: reset (or the connection dropped) at the end. */
  dirty: boolean
  /** Savepoints named so far. */
  savepoints: number
}

/** A held connection as a transaction begins. */
export const heldConnection = (): Held => ({ lost: false, waiting: new Set(), dirty: false, savepoints: 0 })

/** What a statement on a lost connection fails with (a connection error on every runner's `classify`). */
export const lostError = (): Error =>
  Object.assign(new Error("the transaction's connection was lost; nothing more was sent"), {
    code: 'CONNECTION_CLOSED',
  })

/** Marks the connection lost and fails the statements still waiting on it. */
export const lose = (held: Held): void => {
  held.lost = true
  for (const fail of held.waiting) fail(lostError())
  held.waiting.clear()
}

/** A transaction's statement: refused once its connection is lost, and telling of the loss. */
export const onHeld = async <A>(held: Held, classify: Classify, f: () => Promise<A>): Promise<A> => {
  if (held.lost) throw lostError()
  let fail!: (e: unknown) => void
  const gone = new Promise<never>((_, reject) => (fail = reject))
  held.waiting.add(fail)
  try {
    return await Promise.race([f(), gone])
  } catch (e) {
    if (classify(e)._tag === 'ConnectionError') lose(held)
    throw e
  } finally {
    held.waiting.delete(fail)
  }
}

/**
 * What a runner gives `serverTransaction` for a transaction sent as plain statements: `C` is its
 * handle on the pool, `H` its handle on the held connection (what the statements and the program
 * run on).
 */
export interface ServerTx<C, H> {
  readonly classify: Classify
  /** A connection of the pool for the transaction alone. */
  readonly reserve: (c: C) => Promise<H>
  /** The statements that open a transaction at `isolation` (BEGIN, with the driver's way of naming the level). */
  readonly opening: (isolation?: Isolation) => ReadonlyArray<string>
  /** One statement on the held connection, told to the `onQuery` hook as any other. */
  readonly send: (h: H, sql: string) => Promise<unknown>
  /** Gives the connection back; `healthy` false when ROLLBACK itself failed (the runner drops it then). */
  readonly release: (h: H, healthy: boolean) => void
  /** Whether a failed COMMIT was refused by the driver before it was sent (so it surely did not commit). */
  readonly unsent: (e: unknown) => boolean
}

/**
 * `f` on a connection of its own between BEGIN and COMMIT; ROLLBACK when it rejects. A COMMIT
 * that failed because the connection was lost is `lostAtCommit` (the outcome is unknown); a
 * connection lost earlier is the driver's error as it is (nothing committed: retryable).
 */
export const serverTransaction = async <C, H, A>(
  d: ServerTx<C, H>,
  c: C,
  f: (h: H) => Promise<A>,
  isolation?: Isolation,
): Promise<A> => {
  const h = await d.reserve(c)
  let healthy = true
  try {
    for (const sql of d.opening(isolation)) await d.send(h, sql)
    let committing = false
    try {
      const out = await f(h)
      committing = true
      await d.send(h, 'COMMIT')
      return out
    } catch (e) {
      await d.send(h, 'ROLLBACK').catch(() => (healthy = false))
      throw committing && !d.unsent(e) ? atCommit(e, d.classify) : e
    }
  } finally {
    d.release(h, healthy)
  }
}

/** Inside a transaction: `f` between SAVEPOINT and RELEASE, rolled back to the savepoint when it rejects. */
export const serverSavepoint = async <C, H, A>(
  d: ServerTx<C, H>,
  h: H,
  held: Held,
  f: () => Promise<A>,
): Promise<A> => {
  const name = `terrapin_sp${++held.savepoints}`
  await d.send(h, `SAVEPOINT ${name}`)
  try {
    const out = await f()
    await d.send(h, `RELEASE SAVEPOINT ${name}`)
    return out
  } catch (e) {
    // After a deadlock MySQL has rolled back the whole transaction and the savepoint is
    // gone: the deadlock (retryable) is the error to report, not the missing savepoint.
    await d.send(h, `ROLLBACK TO SAVEPOINT ${name}`).catch(() => undefined)
    throw e
  }
}
