/**
 * Concurrent bank transfers on PostgreSQL that keep the bank's total: each transfer locks its
 * two accounts with `selectForUpdate`, and a transaction PostgreSQL refuses for a conflict runs
 * again (`retry`). Run it from the repository's root against a database you may write to (it
 * creates, and empties, the tables bank_account and bank_transfer):
 *
 *   npx tsx examples/bank-transfer/main.ts postgres://user@127.0.0.1:5432/mydb
 */
import { pipe } from 'fp-ts/function'
import * as E from 'fp-ts/Either'
import * as TE from 'fp-ts/TaskEither'
import {
  Db,
  F,
  RowOf,
  TerrapinError,
  Sum,
  TerrapinFailure,
  annotate,
  bulkCreate,
  close,
  connect,
  count,
  create,
  generateSchemas,
  orderBy,
  query,
  remove,
  run,
  runPromise,
  selectForUpdate,
  transaction,
  update,
  values,
  valuesFlat,
  where,
} from 'terrapin'
import { Account, Transfer } from './models'

/** The program's own reason to roll a transfer back: not a database error, so never retried. */
interface InsufficientFunds {
  readonly _tag: 'InsufficientFunds'
  readonly account: number
  readonly balance: number
  readonly amount: number
}

interface Move {
  readonly from: number
  readonly to: number
  readonly amount: number
}

/**
 * One transfer: lock both accounts (in key order, so that two transfers between the same
 * accounts never wait for each other crosswise), check the balance, move the money, record it.
 * Under REPEATABLE READ, PostgreSQL refuses to lock a row another transaction changed since this
 * one began (SQLSTATE 40001, retryable): `retry` runs the whole program again, on a new snapshot.
 */
const transfer = (db: Db, move: Move, runs: { n: number }) =>
  transaction(
    db,
    (tx) => {
      runs.n++
      return pipe(
        query(Account),
        where({ id__in: [move.from, move.to] }),
        orderBy('id'),
        selectForUpdate(),
        run(tx),
        TE.chainW((accounts): TE.TaskEither<InsufficientFunds | TerrapinError, RowOf<typeof Transfer>> => {
          const source = accounts.find((a) => a.id === move.from)!
          if (source.balance < move.amount)
            return TE.left({
              _tag: 'InsufficientFunds',
              account: source.id,
              balance: source.balance,
              amount: move.amount,
            })
          return pipe(
            pipe(query(Account), where({ id: move.from }), update({ balance: F('balance').sub(move.amount) })),
            run(tx),
            TE.chain(() =>
              pipe(query(Account), where({ id: move.to }), update({ balance: F('balance').add(move.amount) }), run(tx)),
            ),
            TE.chain(() => pipe(create(Transfer, { fromId: move.from, toId: move.to, amount: move.amount }), run(tx))),
          )
        }),
      )
    },
    { isolation: 'repeatable read', retry: { attempts: 30, backoffMs: 5 } },
  )

/**
 * The same transfer without a lock: read both balances, write the new ones. Two transfers that
 * read an account at once both write their own result, and one of the two moves is lost.
 */
const unlocked = (db: Db, move: Move) =>
  transaction(db, (tx) =>
    pipe(
      query(Account),
      where({ id__in: [move.from, move.to] }),
      run(tx),
      TE.chain((accounts) => {
        const source = accounts.find((a) => a.id === move.from)!
        const target = accounts.find((a) => a.id === move.to)!
        if (source.balance < move.amount) return TE.right(0)
        return pipe(
          pipe(query(Account), where({ id: source.id }), update({ balance: source.balance - move.amount })),
          run(tx),
          TE.chain(() =>
            pipe(query(Account), where({ id: target.id }), update({ balance: target.balance + move.amount }), run(tx)),
          ),
        )
      }),
    ),
  )

/** A small deterministic generator, so that every run makes the same transfers. */
const random = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

const movesOf = (ids: ReadonlyArray<number>, n: number): ReadonlyArray<Move> => {
  const next = random(42)
  return Array.from({ length: n }, () => {
    const from = ids[Math.floor(next() * ids.length)]
    const others = ids.filter((id) => id !== from)
    return { from, to: others[Math.floor(next() * others.length)], amount: 1 + Math.floor(next() * 5000) }
  })
}

/** What the run found, for the test that runs it. */
export interface Summary {
  readonly before: number
  readonly after: number
  readonly committed: number
  readonly refused: number
  readonly failed: number
  readonly retries: number
  readonly recorded: number
  readonly consistent: boolean
  readonly unlockedAfter: number
}

const OWNERS = Array.from({ length: 32 }, (_, i) => `owner ${i + 1}`)

export const main = async (
  url = process.env.DATABASE_URL ?? 'postgres://127.0.0.1:5432/postgres',
  log: (line: string) => void = (line) => console.log(line),
  transfers = 100,
): Promise<Summary> => {
  // Each transaction holds a pooled connection from BEGIN to COMMIT: ten run at once.
  const db = connect(url, { pool: 10 })
  const exec = runPromise(db)
  try {
    const made = await generateSchemas(db, [Account, Transfer], { safe: true })()
    if (E.isLeft(made)) throw new TerrapinFailure(made.left)
    await exec(pipe(query(Transfer), remove))
    await exec(pipe(query(Account), remove))
    const accounts = await exec(
      bulkCreate(
        Account,
        OWNERS.map((owner) => ({ owner, balance: 10000 })),
      ),
    )
    const total = async () => (await exec(pipe(query(Account), valuesFlat('balance')))).reduce((a, b) => a + b, 0)
    const before = await total()
    log(`${accounts.length} accounts, total ${before}`)

    const moves = movesOf(
      accounts.map((a) => a.id),
      transfers,
    )
    const runs = { n: 0 }
    const results = await Promise.all(moves.map((m) => transfer(db, m, runs)()))
    const committed = results.filter(E.isRight).length
    const refused = results.filter((r) => E.isLeft(r) && r.left._tag === 'InsufficientFunds').length
    const failed = results.length - committed - refused
    const after = await total()
    log(
      `${transfers} concurrent transfers: ${committed} committed, ${refused} refused (insufficient funds), ${failed} failed`,
    )
    log(`retries after a conflict: ${runs.n - transfers}`)
    log(`total after: ${after} (${after === before ? 'kept' : 'CHANGED'})`)

    // Every balance is its start plus what it received minus what it sent, per the transfers recorded.
    const recorded = await exec(pipe(query(Transfer), count))
    const books = await exec(
      pipe(
        query(Account),
        annotate({ sent: Sum('sent__amount'), received: Sum('received__amount') }),
        values('owner', 'balance', 'sent', 'received'),
      ),
    )
    const consistent = books.every((a) => a.balance === 10000 - (a.sent ?? 0) + (a.received ?? 0))
    log(`${recorded} transfers recorded; every balance matches them: ${consistent ? 'yes' : 'NO'}`)

    // The same transfers without the lock lose some of the moves.
    await exec(pipe(query(Account), update({ balance: 10000 })))
    await Promise.all(moves.map((m) => unlocked(db, m)()))
    const unlockedAfter = await total()
    log(
      `without selectForUpdate: total ${unlockedAfter} (${unlockedAfter === before ? 'kept this time' : 'lost updates'})`,
    )
    return {
      before,
      after,
      committed,
      refused,
      failed,
      retries: runs.n - transfers,
      recorded,
      consistent,
      unlockedAfter,
    }
  } finally {
    await close(db)
  }
}

if (require.main === module)
  main(process.argv[2]).catch((e: unknown) => {
    console.error(e)
    process.exitCode = 1
  })
