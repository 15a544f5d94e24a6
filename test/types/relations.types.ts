/**
 * Relations at the type level, checked by `tsc`: reverse relations from `relatedName`, typed
 * prefetch results, relation paths in filters, orderings and projections, and wrong paths that
 * do not compile.
 */
import { pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'
import {
  Count,
  Plan,
  inBulk,
  only,
  RowOf,
  TerrapinError,
  annotate,
  connect,
  create,
  exclude,
  fields,
  orderBy,
  prefetch,
  prefetchWith,
  q,
  query,
  run,
  selectRelated,
  last,
  latest,
  earliest,
  values,
  valuesFlat,
  valuesList,
  where,
} from 'terrapin'
import { Author, Book, City, Country, Employee, Person, Profile, Tag } from '../relations/models'

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false
const expectType = <T extends true>(): T | undefined => undefined
type Rows<P> = P extends TE.TaskEither<TerrapinError, ReadonlyArray<infer R>> ? R : never

const db = connect('sqlite://:memory:')

type AuthorRow = RowOf<typeof Author>
type BookRow = RowOf<typeof Book>
type TagRow = RowOf<typeof Tag>

expectType<Equals<AuthorRow, { readonly id: number; readonly name: string; readonly favouriteId: number | null }>>()
expectType<
  Equals<
    BookRow,
    { readonly id: number; readonly title: string; readonly rating: number | null; readonly authorId: number }
  >
>()

// Reverse relation from relatedName: a list.
const withBooks = pipe(query(Author), prefetch('books'), run(db))
expectType<
  Equals<
    typeof withBooks,
    TE.TaskEither<TerrapinError, ReadonlyArray<AuthorRow & { readonly books: ReadonlyArray<BookRow> }>>
  >
>()

// Forward key: a row; a nullable key: a row or null.
const withAuthor = pipe(query(Book), prefetch('author'), run(db))
expectType<Equals<Rows<typeof withAuthor>, BookRow & { readonly author: AuthorRow }>>()
const withFavourite = pipe(query(Author), prefetch('favourite'), run(db))
expectType<Equals<Rows<typeof withFavourite>, AuthorRow & { readonly favourite: BookRow | null }>>()

// Many-to-many both ways, one-to-one both ways, self reference both ways.
const tagsOfBooks = () => pipe(query(Book), prefetch('tags'), run(db))
expectType<Equals<Rows<ReturnType<typeof tagsOfBooks>>, BookRow & { readonly tags: ReadonlyArray<TagRow> }>>()
const booksOfTags = pipe(query(Tag), prefetch('books'), run(db))
expectType<Equals<Rows<typeof booksOfTags>, TagRow & { readonly books: ReadonlyArray<BookRow> }>>()
const profiles = pipe(query(Author), prefetch('profile'), run(db))
expectType<Equals<Rows<typeof profiles>, AuthorRow & { readonly profile: RowOf<typeof Profile> | null }>>()
const profileAuthor = pipe(query(Profile), prefetch('author'), run(db))
expectType<Equals<Rows<typeof profileAuthor>, RowOf<typeof Profile> & { readonly author: AuthorRow }>>()
type EmployeeRow = RowOf<typeof Employee>
const staff = pipe(query(Employee), prefetch('manager', 'reports'), run(db))
expectType<
  Equals<
    Rows<typeof staff>,
    EmployeeRow & { readonly manager: EmployeeRow | null; readonly reports: ReadonlyArray<EmployeeRow> }
  >
>()

type PersonRow = RowOf<typeof Person>
const network = pipe(query(Person), prefetch('follows', 'followers'), run(db))
expectType<
  Equals<
    Rows<typeof network>,
    PersonRow & { readonly follows: ReadonlyArray<PersonRow>; readonly followers: ReadonlyArray<PersonRow> }
  >
>()

// A key to another unique field (toField) takes that field's type.
expectType<Equals<RowOf<typeof City>, { readonly id: number; readonly name: string; readonly countryId: string }>>()
declare const fr: RowOf<typeof Country>
create(City, { name: 'Lyon', country: fr })
create(City, { name: 'Lyon', countryId: 'FR' })
pipe(query(City), where({ countryId__in: ['FR'], country__name: 'France' }))
// @ts-expect-error countryId is a country code, not a number
create(City, { name: 'Lyon', countryId: 1 })
const cities = pipe(query(Country), prefetch('cities'), run(db))
expectType<
  Equals<Rows<typeof cities>, RowOf<typeof Country> & { readonly cities: ReadonlyArray<RowOf<typeof City>> }>
>()

// Nested paths.
const nested = pipe(query(Author), prefetch('books', 'books__tags'), run(db))
expectType<
  Equals<
    Rows<typeof nested>,
    AuthorRow & { readonly books: ReadonlyArray<BookRow & { readonly tags: ReadonlyArray<TagRow> }> }
  >
>()
const deep = pipe(query(Tag), prefetch('books__author__profile'), run(db))
expectType<
  Equals<
    Rows<typeof deep>,
    TagRow & {
      readonly books: ReadonlyArray<
        BookRow & { readonly author: AuthorRow & { readonly profile: RowOf<typeof Profile> | null } }
      >
    }
  >
>()

// A sub-plan: the related rows take its type.
const good = pipe(
  query(Author),
  prefetchWith('books', pipe(query(Book), where({ rating__gte: 4 }), prefetch('tags'))),
  run(db),
)
expectType<
  Equals<
    Rows<typeof good>,
    AuthorRow & { readonly books: ReadonlyArray<BookRow & { readonly tags: ReadonlyArray<TagRow> }> }
  >
>()
const namedOnly = pipe(
  query(Book),
  prefetchWith('author', pipe(query(Author), where({ name__startswith: 'A' }))),
  run(db),
)
expectType<Equals<Rows<typeof namedOnly>, BookRow & { readonly author: AuthorRow | null }>>()

// Wrong paths do not compile.
// @ts-expect-error Author has no relation boook
pipe(query(Author), prefetch('boook'))
// @ts-expect-error Book has no relation tgs
pipe(query(Author), prefetch('books__tgs'))
// @ts-expect-error title is a field, not a relation
pipe(query(Book), prefetch('title'))
// @ts-expect-error prefetch applies to rows, not to values()
pipe(query(Author), values('name'), prefetch('books'))
// @ts-expect-error the sub-plan must be over Book
pipe(query(Author), prefetchWith('books', query(Tag)))

// Filters across relations: forward, reverse, many-to-many, nested, with lookups.
pipe(query(Book), where({ author__name: 'x', author__name__icontains: 'y', tags__name__in: ['a', 'b'] }))
pipe(query(Author), where({ books__title__contains: 'x', books__rating__gte: 3, books__tags__name: 't' }))
// relatedQueryName names the reverse relation too.
pipe(query(Author), where({ book__title: 'x' }))
// @ts-expect-error book__title is a string
pipe(query(Author), where({ book__title: 1 }))
pipe(query(Author), exclude({ profile__bio__isnull: true }))
pipe(query(Book), where({ fans__name: 'x', fans__books__title: 'y' }))
pipe(query(Employee), where({ manager__manager__name: 'boss', reports__name__startswith: 'a', manager__isnull: true }))
pipe(query(Book), where({ author__in: [1, 2], author__id__gte: 1 }))
pipe(query(Book), where(q.or({ title: 'x' }, { rating__gte: 4 })))
pipe(
  query(Book),
  where(
    q.or(
      { author__name: 'x' },
      q.not({ tags__name__in: ['a'] }),
      q.and({ author__books__rating__gte: 1 }, { title: 'y' }),
    ),
  ),
)
// Inside q, a relation key is checked up to its first hop (the rest at run time: ValidationError).
// @ts-expect-error Book has no relation writer (inside q.or)
pipe(query(Book), where(q.or({ writer__name: 'x' }, { title: 'y' })))
// @ts-expect-error Author has no field nmae
pipe(query(Book), where({ author__nmae: 'x' }))
// @ts-expect-error name is a string
pipe(query(Book), where({ author__name: 3 }))
// @ts-expect-error icontains applies to text, not to rating
pipe(query(Author), where({ books__rating__icontains: 'x' }))
// @ts-expect-error Book has no relation writer
pipe(query(Book), where({ writer__name: 'x' }))
// @ts-expect-error Tag has no field label
pipe(query(Author), where({ books__tags__label: 'x' }))
// @ts-expect-error a to-many key still checks the value type
pipe(query(Tag), where({ books__rating__in: ['a'] }))
// @ts-expect-error unknown own field next to a valid relation key
pipe(query(Book), where({ author__name: 'x', titel: 'y' }))

// Orderings and projections through to-one relations.
pipe(query(Book), orderBy('author__name', '-author__id', 'title'))
pipe(query(Employee), orderBy('-manager__name'))
// @ts-expect-error Author has no field nmae
pipe(query(Book), orderBy('author__nmae'))
// @ts-expect-error cannot order by a to-many relation
pipe(query(Author), orderBy('books__title'))

const projected = pipe(query(Book), values('title', 'author__name'), run(db))
expectType<Equals<Rows<typeof projected>, { readonly title: string; readonly author__name: string }>>()
const managers = pipe(query(Employee), values('name', 'manager__name'), run(db))
expectType<Equals<Rows<typeof managers>, { readonly name: string; readonly manager__name: string | null }>>()
const bios = pipe(query(Author), values('name', 'profile__bio'), run(db))
expectType<Equals<Rows<typeof bios>, { readonly name: string; readonly profile__bio: string | null }>>()
const tuples = pipe(query(Book), valuesList('title', 'author__name'), run(db))
expectType<Equals<Rows<typeof tuples>, readonly [string, string]>>()
const flat = pipe(query(Book), valuesFlat('author__name'), run(db))
expectType<Equals<Rows<typeof flat>, string>>()
// @ts-expect-error values through a to-many relation
pipe(query(Author), values('books__title'))
// @ts-expect-error Author has no field nmae
pipe(query(Book), values('author__nmae'))
// @ts-expect-error Author has no field nmae
pipe(query(Book), valuesList('title', 'author__nmae'))

// create takes the related row as well as the key.
declare const author: AuthorRow
create(Book, { title: 'x', author })
create(Book, { title: 'x', authorId: 1 })
// @ts-expect-error author (or authorId) is required
create(Book, { title: 'x' })
// @ts-expect-error a tag is not an author
create(Book, { title: 'x', author: { name: 1 } })

// Annotated rows are still rows: they take a prefetch.
const annotated = pipe(query(Author), annotate({ n: Count('books') }), prefetch('books'), run(db))
expectType<Equals<Rows<typeof annotated>['n'], number>>()
expectType<Equals<Rows<typeof annotated>['books'], ReadonlyArray<BookRow>>>()

// Existence of related rows through a to-many relation: a row, its key, a list, null, isnull.
declare const someBook: BookRow
declare const someTag: TagRow
pipe(query(Author), where({ books__isnull: true }))
pipe(query(Author), where({ books: someBook, profile__isnull: false }))
pipe(query(Author), where({ books__in: [someBook, 2], books__not: 3 }))
pipe(query(Book), where({ tags: someTag, tags__not: null }))
pipe(query(Tag), where({ books__in: pipe(query(Book), valuesFlat('id')) }))
pipe(query(Author), exclude({ books: null }))
// @ts-expect-error isnull takes a boolean
pipe(query(Author), where({ books__isnull: 1 }))
// @ts-expect-error a book's key is a number
pipe(query(Author), where({ books: 'x' }))
// @ts-expect-error in takes a list
pipe(query(Author), where({ books__in: 3 }))
// @ts-expect-error a to-many relation compares by existence only, not by order
pipe(query(Author), where({ books__gt: 3 }))
// @ts-expect-error Author has no relation bokks
pipe(query(Author), where({ bokks__isnull: true }))

// selectRelated: to-one relations joined, nested and typed (null where the key is nullable).
const joinedBooks = pipe(query(Book), selectRelated('author__favourite'), run(db))
expectType<
  Equals<Rows<typeof joinedBooks>, BookRow & { readonly author: AuthorRow & { readonly favourite: BookRow | null } }>
>()
const joinedAuthors = pipe(query(Author), selectRelated('profile'), where({ name: 'x' }), run(db))
expectType<Equals<Rows<typeof joinedAuthors>['profile'], RowOf<typeof Profile> | null>>()
// @ts-expect-error books holds many rows: prefetch, not selectRelated
pipe(query(Author), selectRelated('books'))
// @ts-expect-error Book has no relation writer
pipe(query(Book), selectRelated('writer'))
// @ts-expect-error a to-many hop inside the path
pipe(query(Book), selectRelated('author__books'))

// values(): every field with none named, aliases with an object.
const allValues = pipe(query(Book), values(), run(db))
expectType<Equals<Rows<typeof allValues>, BookRow>>()
const aliased = pipe(query(Book), values({ t: 'title', a: 'author__name' }), run(db))
expectType<Equals<Rows<typeof aliased>, { readonly t: string; readonly a: string }>>()
const named = pipe(query(Book), values('title', 'author__name'), run(db))
expectType<Equals<Rows<typeof named>, { readonly title: string; readonly author__name: string }>>()
// @ts-expect-error Book has no field titel
pipe(query(Book), values({ t: 'titel' }))
// @ts-expect-error Author has no field nmae
pipe(query(Book), values({ a: 'author__nmae' }))

// last / latest / earliest: a row (or null for last); field names checked.
const lastBook = pipe(query(Book), last, run(db))
expectType<Equals<typeof lastBook, TE.TaskEither<TerrapinError, BookRow | null>>>()
const latestBook = pipe(query(Book), latest('rating', '-id'), run(db))
expectType<Equals<typeof latestBook, TE.TaskEither<TerrapinError, BookRow>>>()
pipe(query(Book), earliest('author__name'))
// @ts-expect-error Book has no field ratin
pipe(query(Book), latest('ratin'))

// dbConstraint is a boolean option of foreignKey and oneToOne, not of manyToMany
fields.foreignKey('Author', { dbConstraint: false })
fields.oneToOne('Author', { dbConstraint: true })
// @ts-expect-error dbConstraint takes a boolean
fields.foreignKey('Author', { dbConstraint: 'no' })
// @ts-expect-error a link table always has its keys
fields.manyToMany('Tag', { dbConstraint: false })

// inBulk: a record of rows keyed by strings; ids typed by the field; unknown fields refused.
{
  const byId: Plan<Readonly<Record<string, RowOf<typeof Book>>>> = pipe(query(Book), inBulk([1, 2]))
  const byCode = pipe(query(Country), inBulk(['FR'], 'code'))
  void byId
  void byCode
  // @ts-expect-error -- Book's key is a number
  pipe(query(Book), inBulk(['1']))
  // @ts-expect-error -- no field `nope`
  pipe(query(Book), inBulk([1], 'nope'))
  // @ts-expect-error -- a title is text
  pipe(query(Book), inBulk([1], 'title'))
}

// prefetchWith to a target name: typed under that name; a field, relation or present key refused.
{
  const good = pipe(query(Book), where({ rating__gte: 4 }))
  const twice = pipe(
    query(Author),
    prefetchWith('books', good, { to: 'goodBooks' }),
    prefetchWith('books', query(Book), { to: 'allBooks' }),
    run(db),
  )
  type Twice = Rows<typeof twice>
  const ok1: Equals<Twice['goodBooks'], ReadonlyArray<BookRow>> = true
  const ok2: Equals<Twice['allBooks'], ReadonlyArray<BookRow>> = true
  void ok1
  void ok2
  // @ts-expect-error -- `name` is a field of Author
  pipe(query(Author), prefetchWith('books', good, { to: 'name' }))
  // @ts-expect-error -- `profile` is a relation of Author
  pipe(query(Author), prefetchWith('books', good, { to: 'profile' }))
  const once = pipe(query(Author), prefetchWith('books', good, { to: 'goodBooks' }))
  // @ts-expect-error -- `goodBooks` is already on the row
  pipe(once, prefetchWith('books', good, { to: 'goodBooks' }))
}

// only: a partial row (the named fields and the key); relation paths and unknown fields refused.
{
  const partial = pipe(query(Book), only('title'), run(db))
  const ok: Equals<Rows<typeof partial>, { readonly id: number; readonly title: string }> = true
  void ok
  const counted = pipe(query(Author), annotate({ n: Count('books') }), only('name'), run(db))
  const ok2: Equals<Rows<typeof counted>['n'], number> = true
  void ok2
  // @ts-expect-error -- a relation path is not an own field
  pipe(query(Book), only('author__name'))
  // @ts-expect-error -- no field `titel`
  pipe(query(Book), only('titel'))
}
