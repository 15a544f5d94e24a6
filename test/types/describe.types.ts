/**
 * describe(Model): takes a model only, and its description is typed JSON data.
 */
import { FieldDescription, ModelDescription, RelationKind, describe, fields, model } from 'terrapin'

const Tag = model('Tag', { fields: { name: fields.char({ maxLength: 30 }) } })

const d: ModelDescription = describe(Tag)
const f: FieldDescription | undefined = d.fields[0]
const kind: RelationKind | undefined = d.relations[0]?.kind
const pg: string | undefined = f?.dbTypes.postgres
void [kind, pg]

// @ts-expect-error a model is required, not its name
describe('Tag')
// @ts-expect-error nor a plain record of fields
describe({ name: fields.char({ maxLength: 30 }) })
// @ts-expect-error a description is read-only data
d.fields[0].name = 'x'
// @ts-expect-error no such database
void f?.dbTypes.oracle
