/**
 * node-axes for Passport.js, the Node analogue of django-axes' authentication backend:
 * `axesStrategy(axes, strategy)` wraps any Passport strategy so that a locked-out client is
 * refused before the strategy runs, and the strategy's failures and successes are recorded.
 *
 * @example
 * ```ts
 * import passport from 'passport'
 * import { Strategy as LocalStrategy } from 'passport-local'
 * import { createAxes } from 'node-axes'
 * import { axesStrategy } from 'node-axes/passport'
 *
 * const axes = createAxes({ failureLimit: 5, cooloffTime: '15m' })
 * passport.use(axesStrategy(axes, new LocalStrategy((username, password, done) =>
 *   users.verify(username, password).then((user) => done(null, user || false), done))))
 * app.post('/login', express.urlencoded({ extended: false }),
 *   passport.authenticate('local', { failureRedirect: '/login' }), (req, res) => res.redirect('/'))
 * ```
 *
 * @module
 */

export {
  type AxesLockoutInfo,
  type AxesStrategyOptions,
  axesStrategy,
  type PassportStrategyLike,
  strategyCredentials,
  toAxesRequest,
} from './strategy.js'
