/**
 * Every disagreement the differential laws found, kept as a named case: the (shrunk) data and
 * plan, run on every dialect and checked against the reference. A case names what was wrong.
 */
import { forEachDialect } from '../test/support/dialects'
import { DataSpec, insertData } from './support/data'
import { agree } from './support/harness'
import { PlanSpec } from './support/plans'
import { SchemaSpec, buildModels } from './support/schema'

const spec: SchemaSpec = {
  gammaBetaNull: true,
  models: [
    {
      name: 'Alpha',
      table: `alpha "a" 'x'`,
      pk: 'int',
      fields: [
        { key: 'enumInt0', kind: 'enumInt', column: 'e`0', nullable: true, size: 0 },
        { key: 'decimal1', kind: 'decimal', column: 'd 1', nullable: true, size: 1 },
        { key: 'smallint3', kind: 'smallint', column: 's3', nullable: false, size: 0 },
      ],
    },
    {
      name: 'Beta',
      table: 'beta?$1',
      pk: 'char',
      fields: [{ key: 'decimal5', kind: 'decimal', column: 'd5', nullable: false, size: 2 }],
    },
    {
      name: 'Gamma',
      table: 'gamma%_',
      pk: 'auto',
      fields: [
        { key: 'decimal4', kind: 'decimal', column: 'd4', nullable: true, size: 1 },
        { key: 'smallint4', kind: 'smallint', column: 's4', nullable: true, size: 0 },
        { key: 'datetime5', kind: 'datetime', column: "at $' $& $`", nullable: true, size: 0 },
      ],
    },
  ],
}
const models = buildModels(spec)

const alpha = (id: number, enumInt0: number | null, decimal1: string | null, smallint3 = 0) => ({
  id,
  enumInt0,
  decimal1,
  smallint3,
})
const data: DataSpec = {
  alpha: [
    alpha(0, null, null),
    alpha(2, -1, '99999999999999999.9'),
    alpha(3, null, '-0.1'),
    alpha(4, -1, '9.0'),
    alpha(5, 7, '10.5'),
  ],
  beta: [
    { row: { id: 'a', decimal5: '-9999999999999999.99' }, alpha: 0 },
    { row: { id: 'b', decimal5: '-1.12' }, alpha: 1 },
    { row: { id: 'AΣ\\ ẞ', decimal5: '0.00' }, alpha: null },
  ],
  gamma: [
    {
      row: { decimal4: '99999999999999999.9', smallint4: 1, datetime5: new Date('2024-02-29T23:59:59.999Z') },
      beta: 0,
      owner: 4,
    },
    { row: { decimal4: null, smallint4: -32768, datetime5: null }, beta: null, owner: 1 },
    {
      row: { decimal4: '0.0', smallint4: null, datetime5: new Date('1999-12-31T12:30:15.250Z') },
      beta: 1,
      owner: null,
    },
    { row: { decimal4: '-0.1', smallint4: 3, datetime5: new Date('2024-01-01T00:00:00.000Z') }, beta: null, owner: 3 },
  ],
  links: [],
}

const CASES: ReadonlyArray<readonly [string, PlanSpec]> = [
  [
    // SQLite and MariaDB ignore DISTINCT in an EXISTS subquery, so OFFSET skipped rows, not values.
    'exists on a distinct projection skips distinct values',
    { model: 'Alpha', steps: [{ offset: 3 }, { valuesFlat: 'enumInt0' }, { distinct: true }], terminal: 'exists' },
  ],
  [
    // PostgreSQL: "for SELECT DISTINCT, ORDER BY expressions must appear in select list".
    'first on an unordered distinct projection',
    { model: 'Alpha', steps: [{ valuesList: ['smallint3'] }, { distinct: true }], terminal: 'first' },
  ],
  [
    // MariaDB: "Duplicate column name" in the derived table COUNT reads.
    'count of a limited projection naming one column twice',
    { model: 'Gamma', steps: [{ offset: 0 }, { values: ['beta', 'betaId'] }], terminal: 'count' },
  ],
  [
    'count of a distinct projection naming one column twice',
    { model: 'Gamma', steps: [{ values: ['owner', 'ownerId'] }, { distinct: true }], terminal: 'count' },
  ],
  [
    // The value was truncated to the column's one place, '-0.1', and matched it.
    'a decimal filter value with more places than the column is not truncated',
    {
      model: 'Alpha',
      steps: [
        {
          where: {
            not: {
              or: [
                {
                  obj: [
                    ['decimal1', '-0.15'],
                    ['id__notIn', []],
                  ],
                },
              ],
            },
          },
        },
      ],
      terminal: 'all',
    },
  ],
  [
    // SQLite ordered the related decimal (stored as text) as text.
    'ordering by a decimal through a relation is numeric',
    { model: 'Gamma', steps: [{ orderBy: ['owner__decimal1', 'id'] }, { valuesFlat: 'smallint4' }], terminal: 'all' },
  ],
  [
    // MariaDB compared the DECIMAL column with the string parameters as doubles.
    'decimals past 2^53 compare exactly in notIn',
    {
      model: 'Gamma',
      steps: [
        { where: { obj: [['owner__decimal1__notIn', ['99999999999999999.95', '-0.1']]] } },
        { valuesList: ['id'] },
      ],
      terminal: 'all',
    },
  ],
  [
    'decimals past 2^53 compare exactly in IN',
    {
      model: 'Gamma',
      steps: [{ where: { obj: [['decimal4__in', ['0.0', '99999999999999999.95']]] } }],
      terminal: 'all',
    },
  ],
  [
    // SQLite compared CAST(… AS REAL), equal at this magnitude.
    'decimals past 2^53 compare exactly in lte',
    {
      model: 'Beta',
      steps: [{ where: { obj: [['decimal5__lte', '-9999999999999999.995']] } }, { values: ['id'] }],
      terminal: 'all',
    },
  ],
  [
    // MariaDB replaced an explicit key of 0 with a generated one (no NO_AUTO_VALUE_ON_ZERO).
    'a key of 0 is stored as 0',
    { model: 'Alpha', steps: [{ where: { obj: [['id__lte', 0]] } }, { valuesFlat: 'id' }], terminal: 'all' },
  ],
  [
    // The date part was spliced into its SQL template with String.replace, which expands `$'`.
    "a date part of a column whose name holds $' and $&",
    {
      model: 'Gamma',
      steps: [{ where: { obj: [['datetime5__year', 2024]] } }, { orderBy: ['-datetime5', 'id'] }, { valuesFlat: 'id' }],
      terminal: 'all',
    },
  ],
  [
    // toLowerCase (and ICU) lower a word-final Σ to ς, MariaDB to σ: fold ς to σ everywhere.
    'icontains final sigma matches a capital sigma at the end of a word',
    { model: 'Beta', steps: [{ where: { obj: [['id__icontains', 'ς']] } }, { valuesFlat: 'id' }], terminal: 'all' },
  ],
  [
    'iexact with sigma matches a word-final capital sigma',
    { model: 'Beta', steps: [{ where: { obj: [['id__iexact', 'aσ\\ ß']] } }, { valuesFlat: 'id' }], terminal: 'all' },
  ],
]

forEachDialect('regressions', Object.values(models), (t) => {
  let ds: Awaited<ReturnType<typeof insertData>>
  beforeAll(async () => {
    await t().reset()
    ds = await insertData(t().db, models, data)
  })
  it.each(CASES)('%s', async (_name, plan) => {
    await agree(t().db, models, ds, plan)
  })
})
