#!/usr/bin/env node
// Adds to package-lock.json the platform-specific optional dependencies that npm left out.
//
// The npm on our machines records only the optional packages of the platform it runs on
// (@esbuild/linux-x64, @rollup/rollup-linux-x64-gnu, …); `npm ci` then refuses the lockfile
// ("Missing: @esbuild/darwin-arm64@… from lock file"; npm/cli#4828, #8320). This script asks the
// registry for each missing one (`npm view`) and writes its entry where npm would have put it, so
// that `npm ci` works on any machine. Run it after every `npm install` that changes the lockfile:
//
//   npm install && node scripts/complete-lockfile.mjs && npm ci
//
// It only adds entries (version, integrity, os, cpu, libc, engines, license, dev, optional); it
// never changes one npm wrote.

import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'

const file = new URL('../package-lock.json', import.meta.url)
const lock = JSON.parse(readFileSync(file, 'utf8'))
const packages = lock.packages
const cache = new Map()

const OSES = [
  'aix',
  'android',
  'darwin',
  'freebsd',
  'linux',
  'netbsd',
  'openbsd',
  'openharmony',
  'sunos',
  'win32',
]
const CPUS = ['arm64', 'arm', 'ia32', 'loong64', 'mips64el', 'ppc64', 'riscv64', 's390x', 'x64']

/**
 * What the registry says of a package, or, where this machine's registry does not carry it (the
 * mirror here serves only the packages of its own platform), what its name says: the exact version
 * pinned by its parent and the os, cpu and libc in the name (`@esbuild/darwin-arm64`,
 * `@rollup/rollup-linux-x64-musl`), which is all `npm ci` needs to skip it elsewhere.
 */
function view(name, spec) {
  const key = `${name}@${spec}`
  if (!cache.has(key)) {
    let meta
    try {
      const out = execFileSync('npm', ['view', key, '--json'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      })
      const data = JSON.parse(out)
      meta = Array.isArray(data) ? data[data.length - 1] : data
    } catch {
      const tokens = name.split('/').pop().split('-')
      meta = { version: spec.replace(/^[=^~]/, '') }
      const os = tokens.find((t) => OSES.includes(t))
      const cpu = tokens.find((t) => CPUS.includes(t))
      if (os) meta.os = [os]
      if (cpu) meta.cpu = [cpu]
      if (tokens.includes('musl')) meta.libc = ['musl']
      else if (tokens.includes('gnu') || tokens.includes('gnueabihf')) meta.libc = ['glibc']
    }
    cache.set(key, meta)
  }
  return cache.get(key)
}

/** Where Node would find `name` from the package at `path`, if the lockfile has it. */
function resolved(path, name) {
  let dir = path
  for (;;) {
    const candidate = `${dir ? `${dir}/` : ''}node_modules/${name}`
    if (packages[candidate]) return candidate
    if (!dir) return null
    const at = dir.lastIndexOf('/node_modules/')
    dir = at === -1 ? '' : dir.slice(0, at)
  }
}

let added = 0
for (const [path, entry] of Object.entries(packages)) {
  const optional = entry.optionalDependencies
  if (!path || !optional) continue
  const names = Object.keys(optional)
  // Put missing siblings where npm put the one it installed (next to the parent or hoisted).
  const installed = names.map((n) => resolved(path, n)).find(Boolean)
  for (const name of names) {
    if (resolved(path, name)) continue
    const base = installed
      ? installed.slice(0, installed.length - installed.split('node_modules/').pop().length)
      : `${path}/node_modules/`
    const meta = view(name, optional[name])
    const record = { version: meta.version }
    if (meta.dist?.integrity) record.integrity = meta.dist.integrity
    if (entry.dev) record.dev = true
    record.optional = true
    for (const field of ['cpu', 'os', 'libc']) if (meta[field]) record[field] = meta[field]
    if (meta.engines) record.engines = meta.engines
    if (meta.license) record.license = meta.license
    packages[`${base}${name}`] = record
    added++
  }
}

const sorted = Object.fromEntries(
  Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))),
)
lock.packages = sorted
writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`)
console.log(`complete-lockfile: added ${added} optional platform entries`)
