// Koa 2 is installed under the alias `koa2`; its API is typed by @types/koa.
declare module 'koa2' {
  import Koa = require('koa')
  export = Koa
}
