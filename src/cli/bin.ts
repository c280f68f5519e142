#!/usr/bin/env node
// The `node-axes` executable: runs the command line with this process's arguments and streams.
import { describeError } from '../ground/errors.js'
import { main } from './main.js'

main(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  env: process.env,
}).then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    process.stderr.write(`node-axes: ${describeError(error)}\n`)
    process.exitCode = 1
  },
)
