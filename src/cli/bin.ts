#!/usr/bin/env node
// The `node-axes` executable: runs the command line with this process's arguments and streams.
import { createInterface } from 'node:readline'
import { describeError } from '../ground/errors.js'
import { main } from './main.js'

/** Asks on the terminal: the question on standard error, the answer read from standard input. */
function ask(question: string): Promise<string | null> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true })
    let answered = false
    rl.question(question, (answer) => {
      answered = true
      rl.close()
      resolve(answer)
    })
    rl.on('close', () => {
      if (!answered) resolve(null)
    })
  })
}

/**
 * Ends the process once both streams have written what they hold: a configuration may leave
 * handles open that the command cannot close (a Redis client the application's module created
 * and its handler does not own), which would otherwise keep the command from ending.
 */
function exit(code: number): void {
  process.exitCode = code
  let pending = 2
  const done = () => {
    if (--pending === 0) process.exit(code)
  }
  process.stdout.write('', done)
  process.stderr.write('', done)
}

main(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  env: process.env,
  interactive: Boolean(process.stdin.isTTY && process.stderr.isTTY),
  ask,
}).then(exit, (error: unknown) => {
  process.stderr.write(`node-axes: ${describeError(error)}\n`)
  exit(1)
})
