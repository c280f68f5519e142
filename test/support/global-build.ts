// Vitest globalSetup: the command-line tests run the built binary (dist/cli.js). CI builds before
// it tests; a local run rebuilds here, once, when a source file is newer than the build.
import { ensureBuilt } from './built-cli.js'

export default function setup(): void {
  ensureBuilt()
}
