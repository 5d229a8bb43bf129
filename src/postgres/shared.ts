/** What both halves of `wa-guard/postgres` share: the connection it needs, its options, the schema name. */
/** What wa-guard needs of a `pg` Pool or Client. */
export interface PgQueryable {
  query(text: string, values?: unknown[]): Promise<{ rows: Array<Record<string, unknown>> }>;
}

export interface PostgresOptions {
  /** Schema of the tables. @default "public" */
  schema?: string;
  /**
   * Longest wait for one query; past it the decision fails closed with `StoreUnavailableError`.
   * @default 1000
   */
  timeoutMs?: number;
}

const IDENT = /^[a-z_][a-z0-9_]{0,62}$/;

/** The schema as a quoted identifier (so `user` or `order` work too). */
export function schemaOf(options: PostgresOptions): string {
  const schema = options.schema ?? "public";
  if (!IDENT.test(schema))
    throw new TypeError(`schema must be a lower-case SQL identifier, got ${JSON.stringify(schema)}`);
  return `"${schema}"`;
}
