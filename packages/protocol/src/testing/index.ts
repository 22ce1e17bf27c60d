// Test-only helpers, published as `@samsa/protocol/testing` for other packages' tests (never for runtime code):
// schema-derived fast-check arbitraries, the API schema list, and the reference data beside the checkout.

export { structArbitrary } from './arbitrary.ts'
export { loadApiSchemas, loadDataSchemas } from './schemas.ts'
export { fixtureIndex, readFixture, referenceDir, requireReference, type FixtureIndexRow } from './reference.ts'
export { xorshift32 } from './prng.ts'
