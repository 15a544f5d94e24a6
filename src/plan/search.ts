/**
 * The words of a `__search` value: runs of letters and digits (anything else separates them,
 * and no character is an operator), which a row's text must all hold as words.
 */

/** The words of a search text, in order (duplicates kept). */
export const searchWords = (text: string): ReadonlyArray<string> => text.match(/[\p{L}\p{M}\p{N}]+/gu) ?? []
