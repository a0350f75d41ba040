/**
 * Registers every scalar type, cast, operator, function and aggregate (side-effect
 * imports). The engine imports this module once: `import '../types/index.ts'`.
 */
import './register-numeric-types.ts';
import './register-string-types.ts';
import './register-datetime-types.ts';
import './register-misc-types.ts';
import './casts.ts';
import './operators-arith.ts';
import './operators-bitwise.ts';
import './operators-compare.ts';
import './operators-text.ts';
import './operators-datetime.ts';
import './operators-json.ts';
import './operators-array.ts';
import './functions-array-fill.ts';
import './functions-string.ts';
import './functions-math.ts';
import './functions-size.ts';
import './functions-datetime.ts';
import './to-char.ts';
import './to-timestamp.ts';
import './functions-array.ts';
import './functions-json.ts';
import './functions-information-schema.ts';
import './aggregates.ts';
import './aggregates-variance.ts';
import './regtype.ts';
import './text-search/register-text-search.ts';
// pgvector's types (vector, halfvec, sparsevec, bit) register themselves here, last, so
// their casts and operators can build on the scalar ones.
import './register-vector.ts';
