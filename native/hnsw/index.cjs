'use strict';
// The addon is built by `node-gyp rebuild` when npm installs this package. The export is
// spelled out so ES modules can import it by name (Node detects `exports.X =` in CJS).
exports.Index = require('./build/Release/quiver_hnsw.node').Index;
