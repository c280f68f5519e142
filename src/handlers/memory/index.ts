/**
 * The memory handler: attempts kept in this process, bounded, without a timer per key.
 *
 * handler.ts holds the options, the factory and the class that answers the handler contract;
 * store.ts the bucket store (slots, the `maxBuckets` bound, expiry sweeps and eviction that never
 * evicts a lockout); counting.ts the failures and locks over a client's buckets; reservations.ts
 * the places held by logins in flight (reserve and settle); listings.ts the listings and admin
 * queries over the buckets.
 */

export { type MemoryHandler, type MemoryHandlerOptions, memoryHandler } from './handler.js'
