/**
 * jest's asymmetric matchers, typed: @types/jest declares them as returning `any`, which would
 * switch off type checking of the expected value they sit in. Each is the jest matcher itself,
 * typed `unknown` (all a test does with it is put it in an expected value).
 */

/** Any string the pattern matches (`expect.stringMatching`). */
export const stringMatching = (pattern: RegExp): unknown => expect.stringMatching(pattern)

/** Any number (`expect.any(Number)`). */
export const anyNumber = (): unknown => expect.any(Number)

/**
 * What `f` throws, or undefined when it returns: for `toMatchObject`, where `toThrow`'s types
 * take no asymmetric matcher.
 */
export const thrownBy = (f: () => unknown): unknown => {
  try {
    f()
  } catch (e) {
    return e
  }
  return undefined
}
