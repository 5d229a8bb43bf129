/**
 * Compile-time checks that a hand-written public type and the type its zod schema infers are the
 * same (optional modifiers, `undefined`, extra or missing fields included). Used where a public
 * interface documents what a schema accepts: a drift between the two fails `tsc`.
 */
export type Same<A, B> = (<G>() => G extends A ? 1 : 2) extends <G>() => G extends B ? 1 : 2 ? true : false;
/** Fails to compile unless `T` is `true`. */
export type Assert<_T extends true> = never;
