/**
 * `terrapin inspectdb` as a subprocess on each dialect: the models it prints for a database made
 * by generateSchemas load, type-check (one TypeScript program over every dialect's output, at the
 * end) and describe the database exactly (no difference `check` would list), comments and a key
 * without a FOREIGN KEY included; `--table` limits it and an unknown table is an error.
 */
import * as path from 'path'
import * as ts from 'typescript'
import { AnyModel, connect, fields, generateSchemas, model, schema } from '../../src'
import { introspect, loadModule, modelState, schemaDifferences } from '../../src/migrate'
import { DIALECTS, IsolatedDatabase, createIsolated } from '../support/databases'
import { Project, configModule, makeProject } from './project'

const models = schema({
  Author: model('Author', {
    fields: {
      id: fields.int({ pk: true }),
      name: fields.char({ maxLength: 50, unique: true }),
      active: fields.boolean({ default: true }),
      rank: fields.bigint({ default: 7n }),
      tags: fields.manyToMany('Tag', { relatedName: 'authors' }),
    },
    meta: { description: "Writers' table" },
  }),
  Book: model('Book', {
    fields: {
      id: fields.int({ pk: true }),
      title: fields.char({ maxLength: 100, default: 'untitled', description: 'The "title"' }),
      author: fields.foreignKey('Author', { relatedName: 'books', onDelete: 'RESTRICT' }),
      editor: fields.foreignKey('Author', { relatedName: 'edited', null: true, onDelete: 'SET NULL' }),
      price: fields.decimal({ maxDigits: 8, decimalPlaces: 2, default: '1.50' }),
      pages: fields.smallint({ index: true }),
    },
    meta: { uniqueTogether: [['author', 'title']], indexes: [['pages', 'price']] },
  }),
  Cover: model('Cover', {
    fields: {
      id: fields.int({ pk: true }),
      book: fields.oneToOne('Book', { relatedName: 'cover' }),
      // no FOREIGN KEY to read the target from: inspectdb guesses it from the name where it names a table
      author: fields.foreignKey('Author', { relatedName: 'covers', null: true, dbConstraint: false }),
      designer: fields.foreignKey('Author', { relatedName: 'designed', null: true, dbConstraint: false }),
    },
  }),
  Tag: model('Tag', { fields: { id: fields.int({ pk: true }), label: fields.char({ maxLength: 20 }) } }),
})

/** Every dialect's printed models, type-checked together at the end. */
const printed: Array<{ readonly project: Project; readonly file: string }> = []

for (const dialect of DIALECTS) {
  describe(`terrapin inspectdb on ${dialect}`, () => {
    let iso: IsolatedDatabase
    let p: Project
    let url: string

    beforeAll(async () => {
      p = makeProject(`inspectdb-${dialect}`)
      iso = await createIsolated(dialect, 'cli_inspectdb')
      url = dialect === 'sqlite' ? `sqlite://${p.dir}/db.sqlite3` : iso.url
      const db = connect(url)
      try {
        const made = await generateSchemas(db, Object.values(models))()
        if (made._tag === 'Left') throw new Error(made.left.message)
      } finally {
        await db.executor.close()
      }
      // the config needs a model to load: one whose table the database lacks
      p.write(
        'models.ts',
        `import { fields, model } from 'terrapin'\nexport const Stub = model('Stub', { fields: { id: fields.int({ pk: true }) } })\n`,
      )
      p.write('db.ts', configModule(url))
    })
    afterAll(async () => {
      await iso?.drop()
    })

    it('prints models that load and describe the database exactly', async () => {
      const r = await p.terrapin('inspectdb', '-t', './db.ts')
      expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' })
      expect(r.stdout).toMatch(/^import \{ fields, model, schema \} from 'terrapin'\n/)
      expect(r.stdout).toContain(`fields.foreignKey("Author", { relatedName: "book_by_author", onDelete: "RESTRICT" })`)
      expect(r.stdout).toContain(
        `author: fields.foreignKey("Author", { relatedName: "cover_by_author", null: true, dbConstraint: false }), // no FOREIGN KEY in the database: guessed from its name`,
      )
      expect(r.stdout).toContain(`designer_id: fields.int({ null: true, index: true }),`)
      // comments where the database keeps them (not SQLite)
      expect(r.stdout.includes(`meta: { description: "Writers' table" }`)).toBe(dialect !== 'sqlite')
      expect(r.stdout.includes(`description: "The \\"title\\""`)).toBe(dialect !== 'sqlite')
      p.write('models.ts', r.stdout)
      printed.push({ project: p, file: path.join(p.dir, 'models.ts') })
      const loaded = Object.values(loadModule(path.join(p.dir, 'models.ts'))) as AnyModel[]
      expect(loaded.map((m) => m.name).sort()).toEqual(['Author', 'Book', 'Cover', 'Tag'])
      const db = connect(url)
      try {
        expect(schemaDifferences(db.executor.dialect, modelState(loaded), await introspect(db))).toEqual([])
      } finally {
        await db.executor.close()
      }
    })

    it('--table limits it; an unknown table is an error', async () => {
      const r = await p.terrapin('inspectdb', '-t', './db.ts', '--table', 'tag')
      expect(r.code).toBe(0)
      expect(r.stdout).toContain('export const { Tag } = schema({')
      const bad = await p.terrapin('inspectdb', '-t', './db.ts', '--table', 'nosuch')
      expect({ code: bad.code, stderr: bad.stderr }).toEqual({
        code: 1,
        stderr: 'terrapin: app models: no table nosuch in the database\n',
      })
    })
  })
}

describe('terrapin inspectdb output', () => {
  afterAll(() => printed.forEach((x) => x.project.remove()))

  it('type-checks on every dialect', () => {
    expect(printed).toHaveLength(DIALECTS.length)
    const program = ts.createProgram(
      printed.map((x) => x.file),
      {
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.CommonJS,
        moduleResolution: ts.ModuleResolutionKind.Node10,
        baseUrl: path.resolve(__dirname, '../..'),
        paths: { terrapin: ['src/index.ts'] },
        types: ['node'],
      },
    )
    const errors = ts
      .getPreEmitDiagnostics(program)
      .filter((d) => d.file !== undefined && printed.some((x) => x.file === d.file!.fileName))
      .map((d) => `${d.file!.fileName}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`)
    expect(errors).toEqual([])
  })
})
