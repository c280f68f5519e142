// Examples started as their users start them: a child process on a free port, ready when it
// prints its URL.

import { type ChildProcess, spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { ROOT } from './root.js'

export { ROOT }

/** A port nobody listens on now. */
export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

export interface StartedProcess {
  child: ChildProcess
  /** `http://127.0.0.1:PORT` */
  base: string
  /** Stops the process (its whole group when started `detached`) and waits for it to exit. */
  stop(): Promise<void>
}

/**
 * Runs `command args` in the repository's root (or `cwd`) with PORT set to a free port, and resolves once its
 * output contains `http://localhost:PORT`. Rejects with the output if it exits first.
 * `detached` starts it in a process group of its own (for `npm start`, whose child is the server).
 */
export async function startProcess(
  command: string,
  args: string[],
  env: Record<string, string>,
  options: { detached?: boolean; cwd?: string } = {},
): Promise<StartedProcess> {
  const port = await freePort()
  const child = spawn(command, args, {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, ...env, PORT: String(port) },
    detached: options.detached ?? false,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      if (output.includes(`http://localhost:${port}`)) resolve()
    })
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString()
    })
    child.once('exit', (code) => reject(new Error(`${command} exited (${code}):\n${output}`)))
  })
  return {
    child,
    base: `http://127.0.0.1:${port}`,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return
      if (options.detached) process.kill(-child.pid, 'SIGTERM')
      else child.kill('SIGTERM')
      await exited
    },
  }
}
