/**
 * The key under which `fromDjangoSettings` leaves, on the options it returns, the Django settings
 * whose dotted paths could not be carried over (reported by `createAxes` as check axes.W005).
 */
export const UNRESOLVED_DJANGO_PATHS: unique symbol = Symbol.for('node-axes.unresolvedDjangoPaths')
