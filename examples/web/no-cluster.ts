/**
 * `node:cluster` for the Worker bundle: node-axes' multi-process check asks whether this process
 * is a cluster worker, and workerd has no such module (nor clusters). esbuild puts this module in
 * its place (`--alias:cluster=./examples/web/no-cluster.ts`).
 */
export default { isWorker: false }
