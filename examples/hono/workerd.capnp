# workerd's configuration for examples/hono/worker.ts, bundled to .scratch/hono-worker.js (see the
# comment at the top of worker.ts). Run: workerd serve examples/hono/workerd.capnp
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [ (name = "login", worker = .loginWorker) ],
  sockets = [ (name = "http", address = "127.0.0.1:3000", http = (), service = "login") ],
);

const loginWorker :Workerd.Worker = (
  modules = [ (name = "worker.js", esModule = embed "../../.scratch/hono-worker.js") ],
  compatibilityDate = "2025-09-01",
  compatibilityFlags = ["nodejs_compat"],
);
