/**
 * NestJS' `AxesModule`: a dynamic module configured like Nest's own (`forRoot`, `forRootAsync`)
 * that provides the node-axes instance under the `AXES` token. Written without decorator syntax
 * (the decorators are applied as functions), so that it needs no compiler setting.
 */

import {
  type DynamicModule,
  Global,
  Inject,
  Module,
  type ModuleMetadata,
  type OnApplicationShutdown,
  type Provider,
  type Type,
} from '@nestjs/common'
import type { Axes } from '../../compose/axes.js'
import { invalidArgument } from '../../ground/errors.js'

/** The injection token of the node-axes instance: `@Inject(AXES) axes: Axes`. */
export const AXES = Symbol('node-axes instance')

/** The injection token of the module's options. */
export const AXES_MODULE_OPTIONS = Symbol('node-axes module options')

/** Options of `AxesModule.forRoot` (and what `forRootAsync`'s factory returns). */
export interface AxesModuleOptions {
  /** The node-axes instance (`createAxes({ … })`). */
  axes: Axes
  /**
   * Close the instance (its database or Redis connection) when the application shuts down
   * (`app.close()`, or a signal with `app.enableShutdownHooks()`).
   * @default false: the instance is the application's, which closes it
   */
  closeOnShutdown?: boolean
}

/** A class that makes the module's options, for `forRootAsync({ useClass })` and `useExisting`. */
export interface AxesOptionsFactory {
  createAxesOptions(): AxesModuleOptions | Promise<AxesModuleOptions>
}

/** Options of `AxesModule.forRootAsync`, as Nest's own modules take them. */
export interface AxesModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  /** A factory of the options; its arguments are the `inject` providers. */
  // biome-ignore lint/suspicious/noExplicitAny: Nest's own signature for factories.
  useFactory?: (...args: any[]) => AxesModuleOptions | Promise<AxesModuleOptions>
  /** The providers handed to `useFactory`. */
  // biome-ignore lint/suspicious/noExplicitAny: Nest's own type for injection tokens.
  inject?: any[]
  /** A class (instantiated by the module) whose `createAxesOptions()` gives the options. */
  useClass?: Type<AxesOptionsFactory>
  /** A provider (already in an imported module) whose `createAxesOptions()` gives the options. */
  useExisting?: Type<AxesOptionsFactory>
}

/** Checks the options once, when the module is built. */
function checked(options: AxesModuleOptions): AxesModuleOptions {
  const axes = (options as { axes?: Partial<Axes> } | undefined)?.axes
  if (typeof axes?.reserve !== 'function') {
    throw invalidArgument(
      'AxesModule needs { axes: createAxes({ … }) }: the node-axes instance the login routes use.',
    )
  }
  return options
}

/** The provider of the instance, from the options. */
const axesProvider: Provider = {
  provide: AXES,
  useFactory: (options: AxesModuleOptions) => options.axes,
  inject: [AXES_MODULE_OPTIONS],
}

/**
 * The node-axes module: `AxesModule.forRoot({ axes })` or `AxesModule.forRootAsync({ useFactory,
 * inject })` in the application's root module. It is global: every module's login routes can use
 * `@AxesLogin()` and `AxesAuthGuard`, and `@Inject(AXES)` the instance.
 */
export class AxesModule implements OnApplicationShutdown {
  constructor(private readonly options: AxesModuleOptions) {}

  /** The module with the given options. */
  static forRoot(options: AxesModuleOptions): DynamicModule {
    return {
      module: AxesModule,
      providers: [{ provide: AXES_MODULE_OPTIONS, useValue: checked(options) }, axesProvider],
      exports: [AXES, AXES_MODULE_OPTIONS],
    }
  }

  /** The module with options made when the application starts (from configuration, say). */
  static forRootAsync(options: AxesModuleAsyncOptions): DynamicModule {
    const providers: Provider[] = [axesProvider]
    if (options.useFactory) {
      const factory = options.useFactory
      providers.push({
        provide: AXES_MODULE_OPTIONS,
        useFactory: async (...args: unknown[]) => checked(await factory(...args)),
        inject: options.inject ?? [],
      })
    } else {
      const source = options.useClass ?? options.useExisting
      if (!source) {
        throw invalidArgument('AxesModule.forRootAsync needs useFactory, useClass or useExisting')
      }
      if (options.useClass) providers.push({ provide: source, useClass: source })
      providers.push({
        provide: AXES_MODULE_OPTIONS,
        useFactory: async (factory: AxesOptionsFactory) =>
          checked(await factory.createAxesOptions()),
        inject: [source],
      })
    }
    return {
      module: AxesModule,
      imports: options.imports ?? [],
      providers,
      exports: [AXES, AXES_MODULE_OPTIONS],
    }
  }

  /** Closes the instance when `closeOnShutdown` is set. */
  async onApplicationShutdown(): Promise<void> {
    if (this.options.closeOnShutdown) await this.options.axes.close()
  }
}

Global()(AxesModule)
Module({})(AxesModule)
Inject(AXES_MODULE_OPTIONS)(AxesModule, undefined, 0)
