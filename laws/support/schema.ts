/**
 * A random schema for the differential laws: three models linked by foreign keys (forward and
 * reverse) and a many-to-many field, every scalar kind at least once, random nullability, and
 * table and column names full of characters that need quoting (`"`, `` ` ``, `'`, `?`, `$`,
 * `%`, spaces, accents). One schema is drawn per suite from the run's seed and reused by every
 * property run, so its tables are created once per database.
 */
import fc from 'fast-check'
import { AnyModel, Field, Model, fields, model, schema } from 'terrapin'

/** The scalar kinds the laws store, compare and order. */
export const KINDS = [
  'int',
  'bigint',
  'smallint',
  'char',
  'text',
  'boolean',
  'float',
  'decimal',
  'datetime',
  'date',
  'time',
  'uuid',
  'json',
  'enumText',
  'enumInt',
] as const
export type Kind = (typeof KINDS)[number]

export interface FieldSpec {
  readonly key: string
  readonly kind: Kind
  readonly column: string
  readonly nullable: boolean
  /** char: maxLength; decimal: decimal places. */
  readonly size: number
}

export interface ModelSpec {
  readonly name: 'Alpha' | 'Beta' | 'Gamma'
  readonly table: string
  readonly pk: 'int' | 'char' | 'auto'
  readonly fields: ReadonlyArray<FieldSpec>
}

export interface SchemaSpec {
  readonly models: ReadonlyArray<ModelSpec>
  /** Whether Gamma's foreign key to Beta may be NULL. */
  readonly gammaBetaNull: boolean
}

export const ENUM_TEXT = ['draft', 'Draft', 'ß', 'z z'] as const
export const ENUM_INT = [-1, 0, 7] as const

/** Characters every dialect must quote correctly inside identifiers. */
const IDENT_CHARS = [
  'a',
  'b',
  'Z',
  '_',
  '1',
  ' ',
  '"',
  '`',
  "'",
  '?',
  '$',
  '%',
  '-',
  ';',
  '(',
  ')',
  ',',
  '\\',
  'é',
  'Ω',
  '.',
  '*',
]

const oddName = (suffix: string): fc.Arbitrary<string> =>
  fc
    .array(fc.constantFrom(...IDENT_CHARS), { minLength: 1, maxLength: 8 })
    // A unique, trailing suffix: MySQL forbids trailing spaces and compares column names
    // case-insensitively, so uniqueness must not rest on the random part.
    .map((cs) => `${cs.join('')}_${suffix}`)

const fieldSpecs = (name: string, kinds: ReadonlyArray<Kind>): fc.Arbitrary<ReadonlyArray<FieldSpec>> =>
  fc.tuple(
    ...kinds.map((kind, i) =>
      fc
        .record({
          column: oddName(`${name[0].toLowerCase()}${i}`),
          nullable: fc.boolean(),
          size:
            kind === 'char'
              ? fc.integer({ min: 1, max: 12 })
              : kind === 'decimal'
                ? fc.integer({ min: 0, max: 4 })
                : fc.constant(0),
        })
        .map((r): FieldSpec => ({ key: `${kind}${i}`, kind, ...r })),
    ),
  )

/** A schema in which every kind appears in some model (dealt round robin), plus extras. */
export const schemaArb: fc.Arbitrary<SchemaSpec> = fc
  .record({
    order: fc.shuffledSubarray([...KINDS], { minLength: KINDS.length, maxLength: KINDS.length }),
    extras: fc.tuple(...[0, 1, 2].map(() => fc.array(fc.constantFrom(...KINDS), { minLength: 1, maxLength: 2 }))),
    tables: fc.tuple(oddName('ta'), oddName('tb'), oddName('tc')),
    alphaPk: fc.constantFrom('int' as const, 'char' as const),
    betaPk: fc.constantFrom('int' as const, 'char' as const, 'auto' as const),
    gammaBetaNull: fc.boolean(),
  })
  .chain((r) => {
    const names = ['Alpha', 'Beta', 'Gamma'] as const
    const dealt = names.map((_, m) => [...r.order.filter((_, i) => i % 3 === m), ...r.extras[m]])
    return fc.tuple(...names.map((n, m) => fieldSpecs(n, dealt[m]))).map((fs): SchemaSpec => ({
      gammaBetaNull: r.gammaBetaNull,
      models: names.map((name, m) => ({
        name,
        table: r.tables[m],
        pk: name === 'Alpha' ? r.alphaPk : name === 'Beta' ? r.betaPk : 'auto',
        fields: fs[m],
      })),
    }))
  })

const scalarField = (f: FieldSpec): Field => {
  const o = { null: f.nullable, source: f.column }
  switch (f.kind) {
    case 'char':
      return fields.char({ ...o, maxLength: f.size })
    case 'decimal':
      return fields.decimal({ ...o, maxDigits: 18, decimalPlaces: f.size })
    case 'enumText':
      return fields.enum(ENUM_TEXT, o)
    case 'enumInt':
      return fields.enum(ENUM_INT, o)
    default:
      return (fields[f.kind] as (o: object) => Field)(o)
  }
}

const PK: Readonly<Record<ModelSpec['pk'], () => Record<string, Field>>> = {
  int: () => ({ id: fields.int({ pk: true, source: 'pk "id"' }) }),
  char: () => ({ id: fields.char({ pk: true, maxLength: 10, source: "pk 'id'" }) }),
  auto: () => ({}),
}

/** The terrapin models of a schema spec, resolved together. */
export const buildModels = (s: SchemaSpec): Readonly<Record<'Alpha' | 'Beta' | 'Gamma', Model>> => {
  const defs: Record<string, AnyModel> = {}
  for (const m of s.models) {
    const own: Record<string, Field> = {
      ...PK[m.pk](),
      ...Object.fromEntries(m.fields.map((f) => [f.key, scalarField(f)])),
    }
    if (m.name === 'Alpha')
      own.tags = fields.manyToMany('Gamma', { relatedName: 'alphas', through: `${m.table} ⇄ links` })
    if (m.name === 'Beta')
      own.alpha = fields.foreignKey('Alpha', { null: true, relatedName: 'betas', source: 'alpha "fk"' })
    if (m.name === 'Gamma') {
      own.beta = fields.foreignKey('Beta', { null: s.gammaBetaNull, relatedName: 'gammas', source: 'beta `fk`' })
      own.owner = fields.foreignKey('Alpha', { null: true, relatedName: 'owned', source: "owner 'fk'" })
    }
    defs[m.name] = model(m.name, { table: m.table, fields: own })
  }
  return schema(defs) as unknown as Readonly<Record<'Alpha' | 'Beta' | 'Gamma', Model>>
}

/** The spec of one model. */
export const specOf = (s: SchemaSpec, name: string): ModelSpec => s.models.find((m) => m.name === name)!
