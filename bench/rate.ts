/**
 * Operations per second with `inFlight` of them at a time: `op(i)` for i = 0 … ops - 1, each
 * started when one of the `inFlight` workers is free.
 */
export async function rate(
  ops: number,
  inFlight: number,
  op: (i: number) => Promise<unknown>,
): Promise<number> {
  let next = 0
  const start = process.hrtime.bigint()
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < ops) await op(next++)
    }),
  )
  return ops / (Number(process.hrtime.bigint() - start) / 1e9)
}
