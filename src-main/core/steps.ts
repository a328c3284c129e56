/**
 * Step-wise computations: a long pure computation written as a generator that yields between its steps, so
 * a caller with an event loop can spread it over several turns (the agent answers scrapes in between) while
 * another caller runs it to the end at once. A step is one unit of work of a few milliseconds (one advice
 * candidate simulated); the generator yields nothing and returns the result.
 */

/** A computation of `T` in steps. */
export type Steps<T> = Generator<void, T, void>

/** Runs every step now and returns the result. */
export function runSteps<T>(steps: Steps<T>): T {
  for (;;) {
    const r = steps.next()
    if (r.done) return r.value
  }
}
