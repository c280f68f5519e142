/** The parts of pg's Pool, Client and results that node-axes' PostgreSQL driver uses. */

/** The subset of pg's Pool (and its clients) that the PostgreSQL driver uses. */
export interface PgPool {
  query(config: { name?: string; text: string; values?: unknown[] }): Promise<PgResult>
  connect(): Promise<PgClient>
  end(): Promise<void>
}

/** A client checked out of the pool. */
export interface PgClient {
  query(config: { name?: string; text: string; values?: unknown[] } | string): Promise<PgResult>
  release(error?: boolean | Error): void
  on?(event: 'error', listener: (error: Error) => void): unknown
}

/**
 * A pg Client made with `pipeline: true`, used for statements outside a transaction. pg writes
 * each query with its own system call; `connection.stream` (pg's socket) is corked for one tick
 * so that every query issued in that tick leaves in one write.
 */
export interface PgPipelinedClient {
  connect(): Promise<unknown>
  query(config: { name?: string; text: string; values?: unknown[] }): Promise<PgResult>
  end(): Promise<void>
  on(event: 'error' | 'end', listener: (error?: Error) => void): unknown
  readonly connection?: {
    readonly stream?: { cork?(): void; uncork?(): void; destroy?(): void }
  }
}

/** What a pg query answers, as far as the driver reads it. */
export interface PgResult {
  rows: unknown[]
  rowCount: number | null
}
