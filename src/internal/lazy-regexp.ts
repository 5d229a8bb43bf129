/**
 * A regular expression built from its source on first use.
 *
 * For the patterns with Unicode property escapes (`\p{L}`, `\p{Script=Han}`, …). V8 checks the
 * syntax of every regex literal when it parses a module, even one inside a function that never
 * runs. For a `\p{…}` class, that check builds the class's character set from ICU's tables. The
 * entry's eleven such literals were about 6 % of the instructions of `import "wa-guard"`
 * (docs/performance.md, "Where a cold start goes"). A pattern given as a string is compiled when
 * it is first used instead.
 *
 * Write the source with `String.raw` so it reads like the literal it replaces.
 */
export function lazyRegExp(source: string, flags: string): () => RegExp {
  let re: RegExp | undefined;
  return () => {
    re ??= new RegExp(source, flags);
    return re;
  };
}
